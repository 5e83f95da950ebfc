-- 利用1件あたりの費用
-- 問い: その年度のシステム費（運営費に、リース中のサーバー更新費の年額を加えたもの）は、
--       直近12か月の閲覧1件・稼働施設1施設・登録患者1人・住民1人あたりいくらか。
--       運営費はその年度の請求・契約、なければ予算のシステム委託費、それもなければ
--       前の年度の実績（cost_basis がどれを使ったかを示す）。
-- param: month MONTH 対象月（月初日）
-- param: fiscal_year FISCAL_YEAR 対象月の年度（4月が属する西暦年）
-- param: lease_years INTEGER サーバーのリース年数
-- param: lease_factor NUMBER リース料率（総額 × 料率 ÷ 年数 = 年額）
-- col: fiscal_year 年度
-- col: running_cost_yen 年度の運営費（円）
-- col: cost_basis 運営費の出典（invoices 請求・契約、budget 予算、earlier_invoices 前の年度の実績、なければ空）
-- col: cost_basis_year 運営費の出典の年度
-- col: server_annual_yen サーバー更新費の年額（円、リース中の見積から）
-- col: system_cost_yen システム費の年額（円）
-- col: approximate 概算（約）を含むか
-- col: months_with_log 直近12か月のうちアクセスログのある月数（か月）
-- col: views_12m 直近12か月の閲覧件数（件）
-- col: active_facilities_12m 直近12か月の稼働施設数（施設）
-- col: registered_patients 登録患者数（人、対象月以前の最新月）
-- col: residents 関係市町の人口（人）
-- col: yen_per_view 閲覧1件あたり（円）
-- col: yen_per_active_facility 稼働施設1施設あたり（円）
-- col: yen_per_registered_patient 登録患者1人あたり（円）
-- col: yen_per_resident 住民1人あたり（円）
WITH running AS (
    SELECT * FROM running_cost($fiscal_year)
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
logged AS (
    SELECT count(DISTINCT month_of(occurred_at)) AS months_with_log FROM access_events WHERE in_12m(occurred_at, $month)
),
use AS (
    SELECT count(*) AS views_12m FROM view_events WHERE in_12m(occurred_at, $month)
),
active AS (
    SELECT count(DISTINCT facility_id) AS active_facilities_12m FROM facility_uses WHERE in_12m(occurred_at, $month)
),
enrolled AS (
    SELECT sum(registered_patients) AS registered_patients
    FROM enrollments
    WHERE month = (SELECT max(month) FROM enrollments WHERE month <= CAST($month AS DATE))
),
people AS (SELECT sum(population) AS residents FROM municipalities),
total AS (
    SELECT running.yen AS running_cost_yen,
           running.basis AS cost_basis,
           running.basis_year AS cost_basis_year,
           server.yen AS server_annual_yen,
           CASE WHEN running.yen IS NOT NULL OR server.yen IS NOT NULL
                THEN coalesce(running.yen, 0) + coalesce(server.yen, 0) END AS system_cost_yen,
           coalesce(running.approximate, false) OR coalesce(server.approximate, false) AS approximate
    FROM server
    LEFT JOIN running ON true
),
counted AS (
    SELECT logged.months_with_log,
           CASE WHEN logged.months_with_log > 0 THEN use.views_12m END AS views_12m,
           CASE WHEN logged.months_with_log > 0 THEN active.active_facilities_12m END AS active_facilities_12m
    FROM logged, use, active
)
SELECT
    CAST($fiscal_year AS INTEGER) AS fiscal_year,
    total.running_cost_yen,
    total.cost_basis,
    total.cost_basis_year,
    total.server_annual_yen,
    total.system_cost_yen,
    total.approximate,
    counted.months_with_log,
    counted.views_12m,
    counted.active_facilities_12m,
    enrolled.registered_patients,
    people.residents,
    CASE WHEN counted.views_12m > 0 THEN round(total.system_cost_yen / counted.views_12m) END AS yen_per_view,
    CASE WHEN counted.active_facilities_12m > 0
         THEN round(total.system_cost_yen / counted.active_facilities_12m) END AS yen_per_active_facility,
    CASE WHEN enrolled.registered_patients > 0
         THEN round(total.system_cost_yen / enrolled.registered_patients) END AS yen_per_registered_patient,
    CASE WHEN people.residents > 0 THEN round(total.system_cost_yen / people.residents) END AS yen_per_resident
FROM total, counted, enrolled, people;
