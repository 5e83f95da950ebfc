-- システム別・年度別の利用
-- 問い: ID-Link と Team などのシステムは、年度ごとにどれだけ使われ、何施設が使ったか（Team を ID-Link に寄せる検討の材料）。
-- col: 年度
-- col: システム
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 登録件数 件
-- col: 稼働施設数
-- col: 患者数 人
WITH operated AS (
    SELECT fiscal_year_of(occurred_at) AS fiscal_year, system,
           count(*) AS events,
           count(*) FILTER (WHERE is_view(action)) AS views,
           count(*) FILTER (WHERE action = '登録') AS registrations,
           count(DISTINCT patient_key) AS patients
    FROM access_events
    GROUP BY 1, 2
),
active AS (
    SELECT fiscal_year_of(occurred_at) AS fiscal_year, system, count(DISTINCT facility_id) AS active
    FROM facility_uses
    GROUP BY 1, 2
)
SELECT
    o.fiscal_year AS "年度",
    o.system AS "システム",
    o.events AS "操作件数",
    o.views AS "閲覧件数",
    o.registrations AS "登録件数",
    coalesce(a.active, 0) AS "稼働施設数",
    o.patients AS "患者数"
FROM operated AS o
LEFT JOIN active AS a USING (fiscal_year, system)
ORDER BY 1, 3 DESC;
