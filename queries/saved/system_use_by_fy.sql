-- システム別・年度別の利用
-- 問い: ID-Link と Team などのシステムは、年度ごとにどれだけ使われ、何施設が使ったか（Team を ID-Link に寄せる検討の材料）。
-- col: 年度
-- col: システム
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 登録件数 件
-- col: 稼働施設数
-- col: 患者数 人
SELECT
    CASE WHEN month(occurred_at) >= 4 THEN year(occurred_at) ELSE year(occurred_at) - 1 END AS "年度",
    system AS "システム",
    count(*) AS "操作件数",
    count(*) FILTER (WHERE action = '閲覧') AS "閲覧件数",
    count(*) FILTER (WHERE action = '登録') AS "登録件数",
    count(DISTINCT facility_id) AS "稼働施設数",
    count(DISTINCT patient_key) AS "患者数"
FROM access_events
GROUP BY 1, 2
ORDER BY 1, 3 DESC;
