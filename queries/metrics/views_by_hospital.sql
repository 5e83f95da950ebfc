-- 開示施設別の閲覧
-- 問い: その月、どの病院の情報が何回閲覧されたか（うち画像）。前月・前年同月と、
--       直近12か月の画像閲覧を並べる。画像公開サーバーの価値を測る元になる。
-- param: month MONTH 対象月（月初日）
-- col: facility_id 施設番号
-- col: name 開示施設
-- col: publishes_images 画像公開サーバーの有無
-- col: views 閲覧件数（件）
-- col: image_views 画像の閲覧件数（件）
-- col: views_prev_month 前月の閲覧件数（件）
-- col: views_last_year 前年同月の閲覧件数（件）
-- col: image_views_12m 直近12か月の画像閲覧件数（件）
WITH v AS (
    SELECT disclosing_facility_id AS facility_id, occurred_at, data_type
    FROM access_events
    WHERE action = '閲覧'
      AND disclosing_facility_id IS NOT NULL
      AND occurred_at >= CAST($month AS DATE) - INTERVAL 12 MONTH
      AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
)
SELECT
    f.facility_id,
    f.name,
    f.publishes_images,
    count(*) FILTER (WHERE v.occurred_at >= CAST($month AS DATE)) AS views,
    count(*) FILTER (WHERE v.occurred_at >= CAST($month AS DATE) AND v.data_type = '画像') AS image_views,
    count(*) FILTER (WHERE v.occurred_at >= CAST($month AS DATE) - INTERVAL 1 MONTH
                       AND v.occurred_at < CAST($month AS DATE)) AS views_prev_month,
    count(*) FILTER (WHERE v.occurred_at < CAST($month AS DATE) - INTERVAL 11 MONTH) AS views_last_year,
    count(*) FILTER (WHERE v.occurred_at >= CAST($month AS DATE) - INTERVAL 11 MONTH
                       AND v.data_type = '画像') AS image_views_12m
FROM v
JOIN facilities AS f USING (facility_id)
GROUP BY f.facility_id, f.name, f.publishes_images
ORDER BY views DESC, f.name;
