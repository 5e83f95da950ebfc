-- 更新見積と画像閲覧（施設別）
-- 問い: 最新の更新見積で、施設ごとの画像公開グレードと標準グレードの額はいくらか。
--       直近12か月にその施設の画像がアクセスログで何件閲覧されたか。更新案の計算の元。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- col: facility_id 施設番号（空は施設に属さない品目）
-- col: name 施設名または品目
-- col: publishes_images 画像公開サーバーの有無
-- col: image_grade_yen 画像公開グレードの見積（円）
-- col: standard_grade_yen 標準グレードの見積（円）
-- col: approximate 概算（約）を含むか
-- col: image_views_12m 直近12か月の画像閲覧件数（件、アクセスログ）
WITH latest AS (SELECT max(fiscal_year) AS fy FROM quotes),
grades AS (
    SELECT q.facility_id,
           CASE WHEN q.facility_id IS NULL THEN q.item END AS item,
           sum(q.amount_yen) FILTER (WHERE q.grade LIKE '%画像%') AS image_grade_yen,
           sum(q.amount_yen) FILTER (WHERE q.grade IS NULL OR q.grade NOT LIKE '%画像%') AS standard_grade_yen,
           bool_or(q.approximate) AS approximate
    FROM quotes AS q, latest
    WHERE q.fiscal_year = latest.fy
    GROUP BY 1, 2
),
logged AS (
    SELECT disclosing_facility_id AS facility_id, count(*) AS views
    FROM access_events
    WHERE action = '閲覧' AND data_type = '画像'
      AND occurred_at >= CAST($month AS DATE) - INTERVAL 11 MONTH
      AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
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
