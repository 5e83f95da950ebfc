-- 年度別の運営費と閲覧1件あたりの費用
-- 問い: 年度ごとに、運営費（システム利用料・保守料）はいくらで、閲覧1件・稼働施設1施設あたりいくらになるか。
-- col: 年度
-- col: 運営費 円
-- col: 概算を含む
-- col: 閲覧件数 件
-- col: 稼働施設数
-- col: 閲覧1件あたり 円
-- col: 稼働施設1施設あたり 円
WITH cost AS (
    SELECT fiscal_year, sum(amount_yen) AS cost_yen, bool_or(approximate) AS approximate
    FROM invoices GROUP BY fiscal_year
),
use AS (
    SELECT
        CASE WHEN month(occurred_at) >= 4 THEN year(occurred_at) ELSE year(occurred_at) - 1 END AS fiscal_year,
        count(*) FILTER (WHERE action = '閲覧') AS views,
        count(DISTINCT facility_id) AS active
    FROM access_events GROUP BY 1
)
SELECT
    fiscal_year AS "年度",
    c.cost_yen AS "運営費",
    c.approximate AS "概算を含む",
    coalesce(u.views, 0) AS "閲覧件数",
    coalesce(u.active, 0) AS "稼働施設数",
    round(c.cost_yen / nullif(u.views, 0)) AS "閲覧1件あたり",
    round(c.cost_yen / nullif(u.active, 0)) AS "稼働施設1施設あたり"
FROM cost AS c
FULL JOIN use AS u USING (fiscal_year)
ORDER BY fiscal_year;
