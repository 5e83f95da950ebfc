-- 画像公開サーバーの価値
-- 問い: 画像を公開している病院ごとに、画像公開グレードと標準グレードの見積の差額を
--       リース年額にすると、直近12か月の画像閲覧1回あたりいくらか。高い順に並べ、
--       基準額を超える病院に印をつける（「グレードを下げるか」の判断材料）。
--       閲覧回数は画像閲覧回数の表があればそれを、なければアクセスログの画像閲覧を使う。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- param: lease_years INTEGER サーバーのリース年数
-- param: lease_factor NUMBER リース料率（総額 × 料率 ÷ 年数 = 年額）
-- param: threshold_yen INTEGER 警告する閲覧1回あたりの額（円）
-- col: rank 順位（閲覧1回あたりの額が高い順）
-- col: facility_id 施設番号
-- col: name 病院
-- col: image_grade_yen 画像公開グレードの見積（円）
-- col: standard_grade_yen 標準グレードの見積（円）
-- col: extra_annual_yen 差額の年額（円）
-- col: image_views_12m 直近12か月の画像閲覧回数（回）
-- col: views_source 閲覧回数の出典
-- col: yen_per_image_view 画像閲覧1回あたりの差額（円）
-- col: over_threshold 基準額を超えるか
WITH latest AS (SELECT max(fiscal_year) AS fy FROM quotes),
grades AS (
    SELECT q.facility_id,
           sum(q.amount_yen) FILTER (WHERE q.grade LIKE '%画像%') AS image_grade_yen,
           sum(q.amount_yen) FILTER (WHERE q.grade IS NULL OR q.grade NOT LIKE '%画像%') AS standard_grade_yen
    FROM quotes AS q, latest
    WHERE q.fiscal_year = latest.fy AND q.facility_id IS NOT NULL
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
    WHERE month >= CAST($month AS DATE) - INTERVAL 11 MONTH AND month <= CAST($month AS DATE)
    GROUP BY 1
),
logged AS (
    SELECT disclosing_facility_id AS facility_id, count(*) AS views
    FROM access_events
    WHERE action = '閲覧' AND data_type = '画像'
      AND occurred_at >= CAST($month AS DATE) - INTERVAL 11 MONTH
      AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
    GROUP BY 1
),
valued AS (
    SELECT h.facility_id, h.name, h.image_grade_yen, h.standard_grade_yen,
           CAST(round((h.image_grade_yen - coalesce(h.standard_grade_yen, 0)) * $lease_factor / $lease_years) AS BIGINT)
               AS extra_annual_yen,
           coalesce(c.views, l.views, 0) AS image_views_12m,
           CASE WHEN c.views IS NOT NULL THEN '画像閲覧回数' ELSE 'アクセスログ' END AS views_source
    FROM hospitals AS h
    LEFT JOIN counted AS c USING (facility_id)
    LEFT JOIN logged AS l USING (facility_id)
)
SELECT
    row_number() OVER (ORDER BY CASE WHEN image_views_12m > 0 THEN extra_annual_yen / image_views_12m END DESC NULLS FIRST,
                                name) AS rank,
    facility_id,
    name,
    image_grade_yen,
    standard_grade_yen,
    extra_annual_yen,
    image_views_12m,
    views_source,
    CASE WHEN image_views_12m > 0 THEN round(extra_annual_yen / image_views_12m) END AS yen_per_image_view,
    coalesce(extra_annual_yen / nullif(image_views_12m, 0) > $threshold_yen, extra_annual_yen > 0) AS over_threshold
FROM valued
ORDER BY rank;
