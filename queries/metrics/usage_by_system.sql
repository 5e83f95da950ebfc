-- システム別の利用
-- 問い: その月、ID-Link と Team などのシステムごとに何件使われ、何施設が使ったか。
--       前月・前年同月の件数と並べる。
-- param: month MONTH 対象月（月初日）
-- col: system システム
-- col: events 操作件数（件、その月のログがなければ空）
-- col: views 閲覧件数（件）
-- col: active_facilities 稼働施設数（施設）
-- col: events_prev_month 前月の操作件数（件、前月のログがなければ空）
-- col: events_last_year 前年同月の操作件数（件、前年同月のログがなければ空）
WITH logged AS (
    SELECT has_log($month) AS this_month, has_log(month_add($month, -1)) AS prev_month,
           has_log(month_add($month, -12)) AS last_year
),
counts AS (
    SELECT
        system,
        count(*) FILTER (WHERE in_month(occurred_at, $month)) AS events,
        count(*) FILTER (WHERE in_month(occurred_at, $month) AND is_view(action)) AS views,
        count(*) FILTER (WHERE in_month(occurred_at, month_add($month, -1))) AS events_prev_month,
        count(*) FILTER (WHERE in_month(occurred_at, month_add($month, -12))) AS events_last_year
    FROM access_events
    WHERE in_month(occurred_at, month_add($month, -12))
       OR (occurred_at >= month_add($month, -1) AND occurred_at < month_stop($month))
    GROUP BY system
),
active AS (
    SELECT system, count(DISTINCT facility_id) AS active_facilities
    FROM facility_uses
    WHERE in_month(occurred_at, $month)
    GROUP BY system
)
SELECT
    c.system,
    CASE WHEN logged.this_month THEN c.events END AS events,
    CASE WHEN logged.this_month THEN c.views END AS views,
    CASE WHEN logged.this_month THEN coalesce(a.active_facilities, 0) END AS active_facilities,
    CASE WHEN logged.prev_month THEN c.events_prev_month END AS events_prev_month,
    CASE WHEN logged.last_year THEN c.events_last_year END AS events_last_year
FROM counts AS c
CROSS JOIN logged
LEFT JOIN active AS a USING (system)
ORDER BY c.events DESC, c.system;
