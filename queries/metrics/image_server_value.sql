-- 画像公開サーバーの価値
-- 問い: 画像を公開している病院ごとに、画像公開グレードと標準グレードの見積の差額を
--       リース年額にすると、直近12か月の画像閲覧1回あたりいくらか。高い順に並べ、
--       基準額を超える病院に印をつける（「グレードを下げるか」の判断材料）。
--       閲覧回数は画像閲覧回数の表があればそれを、なければアクセスログの画像閲覧を使う。
--       見積は対象月にリース中のもの、なければ次の更新の見積（quote_year_for）。見積の
--       ない病院は、見積のある病院の後に並べる。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- param: lease_years INTEGER サーバーのリース年数
-- param: lease_factor NUMBER リース料率（総額 × 料率 ÷ 年数 = 年額）
-- param: threshold_yen INTEGER 警告する閲覧1回あたりの額（円）
-- col: rank 順位（閲覧1回あたりの額が高い順、計算できない病院は後）
-- col: quote_fiscal_year 使った見積の年度（見積がなければ空）
-- col: facility_id 施設番号
-- col: name 病院
-- col: image_grade_yen 画像公開グレードの見積（円）
-- col: standard_grade_yen 標準グレードの見積（円）
-- col: extra_annual_yen 差額の年額（円）
-- col: image_views_12m 直近12か月の画像閲覧回数（回）
-- col: views_source 閲覧回数の出典（image_views 画像閲覧回数の表、access_log アクセスログ）
-- col: yen_per_image_view 画像閲覧1回あたりの差額（円）
-- col: over_threshold 基準額を超えるか
WITH chosen AS (SELECT quote_year_for($month, $lease_years) AS fy),
grades AS (
    SELECT q.facility_id,
           sum(q.amount_yen) FILTER (WHERE q.grade LIKE '%画像%') AS image_grade_yen,
           sum(q.amount_yen) FILTER (WHERE q.grade IS NULL OR q.grade NOT LIKE '%画像%') AS standard_grade_yen
    FROM quotes AS q, chosen
    WHERE q.fiscal_year = chosen.fy AND q.facility_id IS NOT NULL
    GROUP BY q.facility_id
),
hospitals AS (
    SELECT f.facility_id, f.name, g.image_grade_yen, g.standard_grade_yen
    FROM facilities AS f
    LEFT JOIN grades AS g USING (facility_id)
    WHERE f.publishes_images OR g.image_grade_yen IS NOT NULL
),
counted AS (
    SELECT disclosing_facility_id AS facility_id, sum(views) AS views
    FROM image_views
    WHERE month >= window_12m_start($month) AND month <= CAST($month AS DATE)
    GROUP BY 1
),
logged AS (
    SELECT disclosing_facility_id AS facility_id, count(*) AS views
    FROM view_events
    WHERE is_image(data_type) AND in_12m(occurred_at, $month)
    GROUP BY 1
),
valued AS (
    SELECT h.facility_id, h.name, h.image_grade_yen, h.standard_grade_yen,
           CAST(round((h.image_grade_yen - coalesce(h.standard_grade_yen, 0)) * $lease_factor / $lease_years) AS BIGINT)
               AS extra_annual_yen,
           coalesce(c.views, l.views, 0) AS image_views_12m,
           CASE WHEN c.views IS NOT NULL THEN 'image_views' ELSE 'access_log' END AS views_source
    FROM hospitals AS h
    LEFT JOIN counted AS c USING (facility_id)
    LEFT JOIN logged AS l USING (facility_id)
),
priced AS (
    SELECT *, CASE WHEN image_views_12m > 0 THEN round(extra_annual_yen / image_views_12m) END AS yen_per_image_view
    FROM valued
)
SELECT
    row_number() OVER (ORDER BY yen_per_image_view DESC NULLS LAST, extra_annual_yen DESC NULLS LAST, name) AS rank,
    CASE WHEN image_grade_yen IS NOT NULL OR standard_grade_yen IS NOT NULL THEN (SELECT fy FROM chosen) END
        AS quote_fiscal_year,
    facility_id,
    name,
    image_grade_yen,
    standard_grade_yen,
    extra_annual_yen,
    image_views_12m,
    views_source,
    yen_per_image_view,
    coalesce(yen_per_image_view > $threshold_yen, extra_annual_yen > 0) AS over_threshold
FROM priced
ORDER BY rank;
