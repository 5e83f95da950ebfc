-- 市町別の利用
-- 問い: その月、施設の所在市町ごとに、参加施設のうち何施設が使い、何件使ったか。
-- param: month MONTH 対象月（月初日）
-- col: municipality 施設の所在市町
-- col: participating_facilities 参加施設数（施設）
-- col: active_facilities 稼働施設数（施設）
-- col: active_rate 稼働施設率（0〜1）
-- col: events 操作件数（件）
-- col: views 閲覧件数（件）
WITH members AS (
    SELECT facility_id, coalesce(municipality, '（市町なし）') AS municipality
    FROM facilities
    WHERE member_in_month(joined_on, left_on, $month)
),
logged AS (SELECT has_log($month) AS this_month),
operated AS (
    SELECT facility_id, count(*) AS events, count(*) FILTER (WHERE is_view(action)) AS views
    FROM access_events
    WHERE in_month(occurred_at, $month)
    GROUP BY facility_id
),
used AS (SELECT DISTINCT facility_id FROM facility_uses WHERE in_month(occurred_at, $month))
SELECT
    m.municipality,
    count(*) AS participating_facilities,
    CASE WHEN any_value(logged.this_month) THEN count(u.facility_id) END AS active_facilities,
    CASE WHEN any_value(logged.this_month) THEN count(u.facility_id) / count(*) END AS active_rate,
    CASE WHEN any_value(logged.this_month) THEN coalesce(sum(o.events), 0) END AS events,
    CASE WHEN any_value(logged.this_month) THEN coalesce(sum(o.views), 0) END AS views
FROM members AS m
CROSS JOIN logged
LEFT JOIN used AS u USING (facility_id)
LEFT JOIN operated AS o USING (facility_id)
GROUP BY m.municipality
ORDER BY events DESC NULLS LAST, m.municipality;
