-- 月別利用状況
-- 問い: 各月に何件使われ、何人の患者・何人の利用者・何施設に使われたか。稼働施設率は
--       稼働施設（その月に1件以上の操作）÷ 参加施設（その月に加入中）。
-- param: from_month MONTH 最初の月（月初日）
-- param: to_month MONTH 最後の月（月初日）
-- col: month 月（月初日）
-- col: events 操作件数（件）
-- col: views 閲覧件数（件）
-- col: image_views 画像の閲覧件数（件）
-- col: unique_patients 患者数（人、仮名で数える）
-- col: active_users 利用者数（人、仮名で数える）
-- col: active_facilities 稼働施設数（施設）
-- col: participating_facilities 参加施設数（施設）
-- col: active_rate 稼働施設率（0〜1）
WITH RECURSIVE months(month) AS (
    SELECT CAST($from_month AS DATE)
    UNION ALL
    SELECT CAST(month + INTERVAL 1 MONTH AS DATE) FROM months WHERE month < CAST($to_month AS DATE)
),
usage AS (
    SELECT
        CAST(date_trunc('month', occurred_at) AS DATE) AS month,
        count(*) AS events,
        count(*) FILTER (WHERE action = '閲覧') AS views,
        count(*) FILTER (WHERE action = '閲覧' AND data_type = '画像') AS image_views,
        count(DISTINCT patient_key) AS unique_patients,
        count(DISTINCT user_key) AS active_users,
        count(DISTINCT facility_id) AS active_facilities
    FROM access_events
    WHERE occurred_at >= CAST($from_month AS DATE)
      AND occurred_at < CAST($to_month AS DATE) + INTERVAL 1 MONTH
    GROUP BY 1
),
participating AS (
    SELECT m.month, count(f.facility_id) AS participating_facilities
    FROM months AS m
    LEFT JOIN facilities AS f
      ON (f.joined_on IS NULL OR f.joined_on < m.month + INTERVAL 1 MONTH)
     AND (f.left_on IS NULL OR f.left_on >= m.month)
    GROUP BY m.month
)
SELECT
    m.month,
    coalesce(u.events, 0) AS events,
    coalesce(u.views, 0) AS views,
    coalesce(u.image_views, 0) AS image_views,
    coalesce(u.unique_patients, 0) AS unique_patients,
    coalesce(u.active_users, 0) AS active_users,
    coalesce(u.active_facilities, 0) AS active_facilities,
    p.participating_facilities,
    CASE WHEN p.participating_facilities > 0
         THEN coalesce(u.active_facilities, 0) / p.participating_facilities END AS active_rate
FROM months AS m
LEFT JOIN usage AS u USING (month)
LEFT JOIN participating AS p USING (month)
ORDER BY m.month;
