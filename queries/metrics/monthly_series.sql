-- 予測に使う月別の系列
-- 問い: ネットワーク全体と、画像を公開している病院ごとに、各月の閲覧件数と画像閲覧
--       件数はいくつだったか。予測（renkei forecast、理事会報告の見通し）と急減の検知の
--       元になる。アクセスログのない月、病院が加入する前の月は空（0 ではない）。
--       covered_share はその月のうちログが届いている割合（最後の操作の日 ÷ 月の日数）で、
--       月の途中でも、届いた分だけで急減を判断するのに使う。
-- param: from_month MONTH 最初の月（月初日）
-- param: to_month MONTH 最後の月（月初日）
-- col: series 系列（network ネットワーク全体、hospital 病院）
-- col: facility_id 施設番号（ネットワーク全体は空）
-- col: name 病院（ネットワーク全体は空）
-- col: month 月（月初日）
-- col: views 閲覧件数（件、ログのない月・加入前の月は空）
-- col: image_views 画像の閲覧件数（件、同上）
-- col: covered_share その月のうちログの届いている割合（0〜1、ログのない月は空）
WITH RECURSIVE months(month) AS (
    SELECT CAST($from_month AS DATE)
    UNION ALL
    SELECT month_stop(month) FROM months WHERE month < CAST($to_month AS DATE)
),
logged AS (
    SELECT month_of(occurred_at) AS month,
           date_part('day', max(occurred_at)) / date_part('day', last_day(month_of(occurred_at))) AS covered_share
    FROM access_events
    WHERE occurred_at >= CAST($from_month AS DATE) AND occurred_at < month_stop($to_month)
    GROUP BY 1
),
network AS (
    SELECT month_of(occurred_at) AS month, count(*) AS views, count(*) FILTER (WHERE is_image(data_type)) AS image_views
    FROM view_events
    WHERE occurred_at >= CAST($from_month AS DATE) AND occurred_at < month_stop($to_month)
    GROUP BY 1
),
hospitals AS (
    SELECT facility_id, name, month_of(joined_on) AS began
    FROM facilities
    WHERE publishes_images
),
by_hospital AS (
    SELECT disclosing_facility_id AS facility_id, month_of(occurred_at) AS month,
           count(*) AS views, count(*) FILTER (WHERE is_image(data_type)) AS image_views
    FROM view_events
    WHERE occurred_at >= CAST($from_month AS DATE) AND occurred_at < month_stop($to_month)
      AND disclosing_facility_id IN (SELECT facility_id FROM hospitals)
    GROUP BY 1, 2
)
SELECT 'network' AS series, CAST(NULL AS INTEGER) AS facility_id, CAST(NULL AS VARCHAR) AS name, m.month,
       CASE WHEN l.month IS NOT NULL THEN coalesce(n.views, 0) END AS views,
       CASE WHEN l.month IS NOT NULL THEN coalesce(n.image_views, 0) END AS image_views,
       l.covered_share
FROM months AS m
LEFT JOIN logged AS l USING (month)
LEFT JOIN network AS n USING (month)
UNION ALL
SELECT 'hospital', h.facility_id, h.name, m.month,
       CASE WHEN l.month IS NOT NULL AND (h.began IS NULL OR m.month >= h.began) THEN coalesce(b.views, 0) END,
       CASE WHEN l.month IS NOT NULL AND (h.began IS NULL OR m.month >= h.began) THEN coalesce(b.image_views, 0) END,
       l.covered_share
FROM months AS m
CROSS JOIN hospitals AS h
LEFT JOIN logged AS l USING (month)
LEFT JOIN by_hospital AS b ON b.facility_id = h.facility_id AND b.month = m.month
ORDER BY series DESC, name NULLS FIRST, month;
