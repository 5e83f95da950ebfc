-- 対象月の事案
-- 問い: 規則の所見（review_found）を利用者ごとにまとめると、どの事案をどの順に見るか。
--       優先度は当たった規則の重みの和に、説明のつかない患者1人につき5を足したもの
--       （non_member 100、swarm 90、sweep 80、bulk_download 70、stalking 60、dormant 50、
--       off_hours 30、unexplained 10）。事案番号は月と利用者の仮名の先頭12文字。
-- param: month MONTH 対象月（月初日）
-- col: case_id 事案番号
-- col: user_key 利用者の仮名
-- col: facility_id 利用者の施設（その月に最も多く操作した施設）
-- col: rules 当たった規則（重みの大きい順、コンマ区切り）
-- col: patients 所見のある患者の数（人）
-- col: events 所見のある操作の数（件）
-- col: priority 優先度
-- col: first_at 最初の所見の日時
-- col: last_at 最後の所見の日時
WITH weights(rule, weight) AS (
    VALUES ('non_member', 100), ('swarm', 90), ('sweep', 80), ('bulk_download', 70),
           ('stalking', 60), ('dormant', 50), ('off_hours', 30), ('unexplained', 10)
),
found AS (
    SELECT f.*, w.weight FROM review_found AS f JOIN weights AS w USING (rule)
),
users AS (
    SELECT
        user_key,
        string_agg(rule, ',' ORDER BY weight DESC) AS rules,
        sum(weight) AS weight
    FROM (SELECT DISTINCT user_key, rule, weight FROM found)
    GROUP BY user_key
),
spans AS (
    SELECT user_key, count(DISTINCT patient_key) AS patients,
        count(DISTINCT patient_key) FILTER (WHERE rule = 'unexplained') AS unexplained,
        min(first_at) AS first_at, max(last_at) AS last_at
    FROM found
    GROUP BY user_key
),
month_events AS (
    SELECT e.user_key, e.facility_id, e.patient_key
    FROM access_events AS e
    WHERE in_month(e.occurred_at, $month) AND e.user_key IN (SELECT user_key FROM users)
),
home AS (
    SELECT user_key, arg_max(facility_id, n) AS facility_id
    FROM (SELECT user_key, facility_id, count(*) AS n FROM month_events GROUP BY ALL)
    GROUP BY user_key
),
touched AS (
    SELECT m.user_key, CAST(count(*) AS INTEGER) AS events
    FROM month_events AS m
    WHERE EXISTS (
        SELECT 1 FROM found AS f
        WHERE f.user_key = m.user_key
          AND (f.patient_key IS NULL
               OR (f.facility_id = m.facility_id AND f.patient_key = m.patient_key))
    )
    GROUP BY m.user_key
)
SELECT
    strftime(CAST($month AS DATE), '%Y-%m') || '-' || left(replace(CAST(u.user_key AS VARCHAR), '-', ''), 12) AS case_id,
    CAST(u.user_key AS VARCHAR) AS user_key,
    h.facility_id,
    u.rules,
    CAST(s.patients AS INTEGER) AS patients,
    coalesce(t.events, 0) AS events,
    CAST(u.weight + 5 * s.unexplained AS INTEGER) AS priority,
    s.first_at,
    s.last_at
FROM users AS u
JOIN spans AS s USING (user_key)
LEFT JOIN home AS h USING (user_key)
LEFT JOIN touched AS t USING (user_key)
ORDER BY priority DESC, case_id;
