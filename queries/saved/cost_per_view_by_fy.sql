-- 年度別の運営費と閲覧1件あたりの運営費
-- 問い: 年度ごとに、運営費（システム利用料・保守料）はいくらで、その年度の閲覧1件・
--       稼働施設1施設あたりいくらになるか。運営費は理事会報告と同じ定義（running_cost:
--       請求・契約、なければ予算のシステム委託費、なければ前の年度の実績）。理事会報告の
--       「閲覧1件あたり」はサーバー更新費の年額を含むシステム費を直近12か月の閲覧で割る
--       ため、この表の値（運営費だけを年度の閲覧で割る）とは違う。
-- col: 年度
-- col: 運営費 円
-- col: 運営費の出典 請求・契約／予算／前の年度の実績
-- col: 概算を含む
-- col: ログのある月数 か月（12未満なら年度の一部だけ）
-- col: 閲覧件数 件（年度、ログがなければ空）
-- col: 稼働施設数 施設（年度、ログがなければ空）
-- col: 運営費の閲覧1件あたり 円（サーバー更新費を含まない）
-- col: 運営費の稼働施設1施設あたり 円（サーバー更新費を含まない）
WITH years AS (
    SELECT DISTINCT fiscal_year_of(month) AS fiscal_year FROM access_log_months
    UNION
    SELECT fiscal_year FROM invoices
),
use AS (
    SELECT fiscal_year_of(occurred_at) AS fiscal_year, count(*) AS views
    FROM view_events GROUP BY 1
),
active AS (
    SELECT fiscal_year_of(occurred_at) AS fiscal_year, count(DISTINCT facility_id) AS active
    FROM facility_uses GROUP BY 1
),
logged AS (
    SELECT fiscal_year_of(month) AS fiscal_year, count(*) AS months FROM access_log_months GROUP BY 1
),
cost AS (
    SELECT y.fiscal_year, r.yen, r.basis, r.basis_year, r.approximate
    FROM years AS y, LATERAL running_cost(y.fiscal_year) AS r
)
SELECT
    y.fiscal_year AS "年度",
    c.yen AS "運営費",
    CASE c.basis WHEN 'invoices' THEN '請求・契約' WHEN 'budget' THEN '予算'
                 WHEN 'earlier_invoices' THEN c.basis_year || '年度の実績' END AS "運営費の出典",
    c.approximate AS "概算を含む",
    coalesce(l.months, 0) AS "ログのある月数",
    CASE WHEN l.months > 0 THEN coalesce(u.views, 0) END AS "閲覧件数",
    CASE WHEN l.months > 0 THEN coalesce(a.active, 0) END AS "稼働施設数",
    CASE WHEN l.months > 0 THEN round(c.yen / nullif(u.views, 0)) END AS "運営費の閲覧1件あたり",
    CASE WHEN l.months > 0 THEN round(c.yen / nullif(a.active, 0)) END AS "運営費の稼働施設1施設あたり"
FROM years AS y
LEFT JOIN cost AS c USING (fiscal_year)
LEFT JOIN use AS u USING (fiscal_year)
LEFT JOIN active AS a USING (fiscal_year)
LEFT JOIN logged AS l USING (fiscal_year)
ORDER BY y.fiscal_year;
