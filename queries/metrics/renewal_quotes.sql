-- 更新見積と画像閲覧（施設別）
-- 問い: 対象月に使う更新見積（リース中のもの、なければ次の更新の見積: quote_year_for）で、施設ごとの画像公開グレードと標準グレードの額はいくらか。
--       直近12か月にその施設の画像がアクセスログで何件閲覧されたか。更新案の計算の元。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- param: lease_years INTEGER サーバーのリース年数（どの見積がリース中かを決める）
-- col: facility_id 施設番号（空は施設に属さない品目）
-- col: name 施設名または品目
-- col: publishes_images 画像公開サーバーの有無
-- col: image_grade_yen 画像公開グレードの見積（円）
-- col: standard_grade_yen 標準グレードの見積（円）
-- col: approximate 概算（約）を含むか
-- col: image_views_12m 直近12か月の画像閲覧件数（件、アクセスログ）
WITH chosen AS (SELECT quote_year_for($month, $lease_years) AS fy),
grades AS (
    SELECT q.facility_id,
           CASE WHEN q.facility_id IS NULL THEN q.item END AS item,
           sum(q.amount_yen) FILTER (WHERE q.grade LIKE '%画像%') AS image_grade_yen,
           sum(q.amount_yen) FILTER (WHERE q.grade IS NULL OR q.grade NOT LIKE '%画像%') AS standard_grade_yen,
           bool_or(q.approximate) AS approximate
    FROM quotes AS q, chosen
    WHERE q.fiscal_year = chosen.fy
    GROUP BY 1, 2
),
logged AS (
    SELECT disclosing_facility_id AS facility_id, count(*) AS views
    FROM view_events
    WHERE is_image(data_type) AND in_12m(occurred_at, $month)
    GROUP BY 1
)
SELECT
    g.facility_id,
    coalesce(f.name, g.item) AS name,
    coalesce(f.publishes_images, false) AS publishes_images,
    g.image_grade_yen,
    g.standard_grade_yen,
    g.approximate,
    coalesce(l.views, 0) AS image_views_12m
FROM grades AS g
LEFT JOIN facilities AS f USING (facility_id)
LEFT JOIN logged AS l USING (facility_id)
ORDER BY g.facility_id NULLS LAST, name;
