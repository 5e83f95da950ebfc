-- 施設ごとのログ
-- 問い: 対象月に、各会員施設の操作のログは何件・何日分あったか。前の月に操作があって
--       対象月に1件もない施設は、ログの欠けか利用の停止かを確かめる（gap が true）。
--       対象月か前の3か月に操作のあった会員施設を示す。
-- param: month MONTH 対象月（月初日）
-- col: facility 施設
-- col: events 対象月の操作（件）
-- col: days 対象月に操作のあった日数
-- col: previous 前の月の操作（件）
-- col: gap 前の月にあって対象月にない
WITH recent AS (
    SELECT facility_id,
        count(*) FILTER (WHERE in_month(occurred_at, $month)) AS events,
        count(DISTINCT CAST(occurred_at AS DATE)) FILTER (WHERE in_month(occurred_at, $month)) AS days,
        count(*) FILTER (WHERE in_month(occurred_at, month_add($month, -1))) AS previous
    FROM access_events
    WHERE occurred_at >= month_add($month, -3) AND occurred_at < month_stop($month)
    GROUP BY facility_id
)
SELECT f.name AS facility, r.events, r.days, r.previous, r.events = 0 AND r.previous > 0 AS gap
FROM recent AS r
JOIN facilities AS f USING (facility_id)
WHERE member_in_month(f.joined_on, f.left_on, $month)
ORDER BY gap DESC, r.events DESC, f.name;
