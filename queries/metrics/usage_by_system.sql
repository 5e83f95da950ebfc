-- システム別の利用
-- 問い: その月、ID-Link と Team などのシステムごとに何件使われ、何施設が使ったか。
--       前月・前年同月の件数と並べる。
-- param: month MONTH 対象月（月初日）
-- col: system システム
-- col: events 操作件数（件）
-- col: views 閲覧件数（件）
-- col: active_facilities 稼働施設数（施設）
-- col: events_prev_month 前月の操作件数（件）
-- col: events_last_year 前年同月の操作件数（件）
SELECT
    system,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS events,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE) AND action = '閲覧') AS views,
    count(DISTINCT facility_id) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS active_facilities,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE) - INTERVAL 1 MONTH
                       AND occurred_at < CAST($month AS DATE)) AS events_prev_month,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE) - INTERVAL 12 MONTH
                       AND occurred_at < CAST($month AS DATE) - INTERVAL 11 MONTH) AS events_last_year
FROM access_events
WHERE (occurred_at >= CAST($month AS DATE) - INTERVAL 12 MONTH AND occurred_at < CAST($month AS DATE) - INTERVAL 11 MONTH)
   OR (occurred_at >= CAST($month AS DATE) - INTERVAL 1 MONTH AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH)
GROUP BY system
ORDER BY events DESC, system;
