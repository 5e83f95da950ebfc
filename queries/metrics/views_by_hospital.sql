-- 開示施設別の閲覧
-- 問い: その月、どの病院の情報が何回閲覧されたか（うち画像）。前月・前年同月と、
--       直近12か月の画像閲覧を並べる。画像公開サーバーの価値を測る元になる。
-- param: month MONTH 対象月（月初日）
-- col: facility_id 施設番号
-- col: name 開示施設
-- col: publishes_images 画像公開サーバーの有無
-- col: views 閲覧件数（件）
-- col: image_views 画像の閲覧件数（件）
-- col: views_prev_month 前月の閲覧件数（件、前月のログがなければ空）
-- col: views_last_year 前年同月の閲覧件数（件、前年同月のログがなければ空）
-- col: image_views_12m 直近12か月の画像閲覧件数（件）
WITH logged AS (SELECT has_log(month_add($month, -1)) AS prev_month, has_log(month_add($month, -12)) AS last_year),
v AS (
    SELECT disclosing_facility_id AS facility_id, occurred_at, data_type
    FROM view_events
    WHERE disclosing_facility_id IS NOT NULL
      AND occurred_at >= month_add($month, -12) AND occurred_at < month_stop($month)
)
SELECT
    f.facility_id,
    f.name,
    f.publishes_images,
    count(*) FILTER (WHERE in_month(v.occurred_at, $month)) AS views,
    count(*) FILTER (WHERE in_month(v.occurred_at, $month) AND is_image(v.data_type)) AS image_views,
    CASE WHEN any_value(logged.prev_month)
         THEN count(*) FILTER (WHERE in_month(v.occurred_at, month_add($month, -1))) END AS views_prev_month,
    CASE WHEN any_value(logged.last_year)
         THEN count(*) FILTER (WHERE in_month(v.occurred_at, month_add($month, -12))) END AS views_last_year,
    count(*) FILTER (WHERE in_12m(v.occurred_at, $month) AND is_image(v.data_type)) AS image_views_12m
FROM v
JOIN facilities AS f USING (facility_id)
CROSS JOIN logged
GROUP BY f.facility_id, f.name, f.publishes_images
ORDER BY views DESC, f.name;
