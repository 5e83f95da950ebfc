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
    WHERE (joined_on IS NULL OR joined_on < CAST($month AS DATE) + INTERVAL 1 MONTH)
      AND (left_on IS NULL OR left_on >= CAST($month AS DATE))
),
used AS (
    SELECT facility_id, count(*) AS events, count(*) FILTER (WHERE action = '閲覧') AS views
    FROM access_events
    WHERE occurred_at >= CAST($month AS DATE) AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
    GROUP BY facility_id
)
SELECT
    m.municipality,
    count(*) AS participating_facilities,
    count(u.facility_id) AS active_facilities,
    count(u.facility_id) / count(*) AS active_rate,
    coalesce(sum(u.events), 0) AS events,
    coalesce(sum(u.views), 0) AS views
FROM members AS m
LEFT JOIN used AS u USING (facility_id)
GROUP BY m.municipality
ORDER BY events DESC, m.municipality;
