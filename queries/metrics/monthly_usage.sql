-- 月別利用状況
-- 問い: 各月に何件使われ、何人の患者・何人の利用者・何施設に使われたか。稼働施設率は
--       稼働施設（その月に利用のあった施設: 職員が操作したか、情報が閲覧された）÷
--       参加施設（その月に加入中）。アクセスログのない月は、件数も率も空（データなし）。
-- param: from_month MONTH 最初の月（月初日）
-- param: to_month MONTH 最後の月（月初日）
-- col: month 月（月初日）
-- col: has_log その月のアクセスログがあるか
-- col: events 操作件数（件、ログのない月は空）
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
    SELECT month_stop(month) FROM months WHERE month < CAST($to_month AS DATE)
),
usage AS (
    SELECT
        month_of(occurred_at) AS month,
        count(*) AS events,
        count(*) FILTER (WHERE is_view(action)) AS views,
        count(*) FILTER (WHERE is_view(action) AND is_image(data_type)) AS image_views,
        count(DISTINCT patient_key) AS unique_patients,
        count(DISTINCT user_key) AS active_users
    FROM access_events
    WHERE occurred_at >= CAST($from_month AS DATE) AND occurred_at < month_stop($to_month)
    GROUP BY 1
),
active AS (
    SELECT month_of(occurred_at) AS month, count(DISTINCT facility_id) AS active_facilities
    FROM facility_uses
    WHERE occurred_at >= CAST($from_month AS DATE) AND occurred_at < month_stop($to_month)
    GROUP BY 1
),
participating AS (
    SELECT m.month, count(f.facility_id) AS participating_facilities
    FROM months AS m
    LEFT JOIN facilities AS f ON member_in_month(f.joined_on, f.left_on, m.month)
    GROUP BY m.month
)
SELECT
    m.month,
    u.events IS NOT NULL AS has_log,
    u.events,
    u.views,
    u.image_views,
    u.unique_patients,
    u.active_users,
    CASE WHEN u.events IS NOT NULL THEN coalesce(a.active_facilities, 0) END AS active_facilities,
    p.participating_facilities,
    CASE WHEN u.events IS NOT NULL AND p.participating_facilities > 0
         THEN coalesce(a.active_facilities, 0) / p.participating_facilities END AS active_rate
FROM months AS m
LEFT JOIN usage AS u USING (month)
LEFT JOIN active AS a USING (month)
LEFT JOIN participating AS p USING (month)
ORDER BY m.month;
