-- 閲覧1件あたりの運営費
-- 問い: その年度の運営費（システム利用料・保守料の請求・契約）を、直近12か月の閲覧件数と
--       稼働施設数で割るといくらか。
-- param: month MONTH 対象月（月初日）
-- param: fiscal_year FISCAL_YEAR 対象月の年度（4月が属する西暦年）
-- col: fiscal_year 年度
-- col: running_cost_yen 年度の運営費（円）
-- col: approximate 概算（約）を含むか
-- col: views_12m 直近12か月の閲覧件数（件）
-- col: active_facilities_12m 直近12か月の稼働施設数（施設）
-- col: yen_per_view 閲覧1件あたり（円）
-- col: yen_per_active_facility 稼働施設1施設あたり（円）
WITH cost AS (
    SELECT sum(amount_yen) AS running_cost_yen, coalesce(bool_or(approximate), false) AS approximate
    FROM invoices
    WHERE fiscal_year = $fiscal_year
),
use AS (
    SELECT count(*) FILTER (WHERE action = '閲覧') AS views_12m,
           count(DISTINCT facility_id) AS active_facilities_12m
    FROM access_events
    WHERE occurred_at >= CAST($month AS DATE) - INTERVAL 11 MONTH
      AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
)
SELECT
    $fiscal_year AS fiscal_year,
    cost.running_cost_yen,
    cost.approximate,
    use.views_12m,
    use.active_facilities_12m,
    CASE WHEN use.views_12m > 0 THEN round(cost.running_cost_yen / use.views_12m) END AS yen_per_view,
    CASE WHEN use.active_facilities_12m > 0 THEN round(cost.running_cost_yen / use.active_facilities_12m) END AS yen_per_active_facility
FROM cost, use;
