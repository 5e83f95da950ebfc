-- 月別の推移（年度）
-- 問い: ある年度の各月に、何件使われ、何人の患者・何施設が使ったか（アクセスログのある月だけ）。
--       稼働施設は利用のあった施設（職員の操作か、情報の閲覧: facility_uses）。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7）
-- options: fiscal_year SELECT DISTINCT fiscal_year_of(month) FROM access_log_months ORDER BY 1 DESC
-- chart: line x=月 y=閲覧件数,画像閲覧件数
-- col: 月
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 画像閲覧件数 件
-- col: 患者数 人
-- col: 稼働施設数
WITH months AS (
    SELECT month FROM access_log_months WHERE month >= fiscal_year_start($fiscal_year) AND month < fiscal_year_stop($fiscal_year)
),
operated AS (
    SELECT month_of(occurred_at) AS month,
           count(*) AS events,
           count(*) FILTER (WHERE is_view(action)) AS views,
           count(*) FILTER (WHERE is_view(action) AND is_image(data_type)) AS image_views,
           count(DISTINCT patient_key) AS patients
    FROM access_events
    WHERE in_fiscal_year(occurred_at, $fiscal_year)
    GROUP BY 1
),
active AS (
    SELECT month_of(occurred_at) AS month, count(DISTINCT facility_id) AS active
    FROM facility_uses
    WHERE in_fiscal_year(occurred_at, $fiscal_year)
    GROUP BY 1
)
SELECT
    m.month AS "月",
    o.events AS "操作件数",
    o.views AS "閲覧件数",
    o.image_views AS "画像閲覧件数",
    o.patients AS "患者数",
    a.active AS "稼働施設数"
FROM months AS m
JOIN operated AS o USING (month)
LEFT JOIN active AS a USING (month)
ORDER BY 1;
