-- 利用1件あたりの費用
-- 問い: その年度のシステム費（運営費の請求・契約に、リース中のサーバー更新費の年額を
--       加えたもの）は、直近12か月の閲覧1件・稼働施設1施設・登録患者1人・住民1人あたり
--       いくらか。
-- param: month MONTH 対象月（月初日）
-- param: fiscal_year FISCAL_YEAR 対象月の年度（4月が属する西暦年）
-- param: lease_years INTEGER サーバーのリース年数
-- param: lease_factor NUMBER リース料率（総額 × 料率 ÷ 年数 = 年額）
-- col: fiscal_year 年度
-- col: running_cost_yen 年度の運営費（円）
-- col: server_annual_yen サーバー更新費の年額（円、リース中の見積から）
-- col: system_cost_yen システム費の年額（円）
-- col: approximate 概算（約）を含むか
-- col: views_12m 直近12か月の閲覧件数（件）
-- col: active_facilities_12m 直近12か月の稼働施設数（施設）
-- col: registered_patients 登録患者数（人、対象月以前の最新月）
-- col: residents 関係市町の人口（人）
-- col: yen_per_view 閲覧1件あたり（円）
-- col: yen_per_active_facility 稼働施設1施設あたり（円）
-- col: yen_per_registered_patient 登録患者1人あたり（円）
-- col: yen_per_resident 住民1人あたり（円）
WITH running AS (
    SELECT sum(amount_yen) AS yen, bool_or(approximate) AS approximate
    FROM invoices
    WHERE fiscal_year = $fiscal_year
),
-- One quote per facility and item: the 画像公開 grade where the facility publishes images,
-- the other grade where it does not.
picked AS (
    SELECT q.amount_yen, q.approximate,
           row_number() OVER (
               PARTITION BY q.fiscal_year, coalesce(q.facility_id, -1), q.item
               ORDER BY CASE WHEN coalesce(f.publishes_images, false) = coalesce(q.grade LIKE '%画像%', false)
                             THEN 0 ELSE 1 END, q.amount_yen
           ) AS pick
    FROM quotes AS q
    LEFT JOIN facilities AS f USING (facility_id)
    WHERE q.fiscal_year <= $fiscal_year AND q.fiscal_year + $lease_years > $fiscal_year
),
server AS (
    SELECT CAST(round(sum(amount_yen) * $lease_factor / $lease_years) AS BIGINT) AS yen, bool_or(approximate) AS approximate
    FROM picked
    WHERE pick = 1
),
use AS (
    SELECT count(*) FILTER (WHERE action = '閲覧') AS views_12m,
           count(DISTINCT facility_id) AS active_facilities_12m
    FROM access_events
    WHERE occurred_at >= CAST($month AS DATE) - INTERVAL 11 MONTH
      AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
),
enrolled AS (
    SELECT sum(registered_patients) AS registered_patients
    FROM enrollments
    WHERE month = (SELECT max(month) FROM enrollments WHERE month <= CAST($month AS DATE))
),
people AS (SELECT sum(population) AS residents FROM municipalities),
total AS (
    SELECT running.yen AS running_cost_yen,
           server.yen AS server_annual_yen,
           CASE WHEN running.yen IS NOT NULL OR server.yen IS NOT NULL
                THEN coalesce(running.yen, 0) + coalesce(server.yen, 0) END AS system_cost_yen,
           coalesce(running.approximate, false) OR coalesce(server.approximate, false) AS approximate
    FROM running, server
)
SELECT
    $fiscal_year AS fiscal_year,
    total.running_cost_yen,
    total.server_annual_yen,
    total.system_cost_yen,
    total.approximate,
    use.views_12m,
    use.active_facilities_12m,
    enrolled.registered_patients,
    people.residents,
    CASE WHEN use.views_12m > 0 THEN round(total.system_cost_yen / use.views_12m) END AS yen_per_view,
    CASE WHEN use.active_facilities_12m > 0
         THEN round(total.system_cost_yen / use.active_facilities_12m) END AS yen_per_active_facility,
    CASE WHEN enrolled.registered_patients > 0
         THEN round(total.system_cost_yen / enrolled.registered_patients) END AS yen_per_registered_patient,
    CASE WHEN people.residents > 0 THEN round(total.system_cost_yen / people.residents) END AS yen_per_resident
FROM total, use, enrolled, people;
