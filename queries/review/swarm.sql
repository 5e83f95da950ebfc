-- 一人の患者に集まる閲覧
-- 問い: 対象月に、一人の患者を swarm_hours 時間のうちに swarm_users 人以上・
--       swarm_facilities 施設以上の利用者が閲覧したとき、そのうち説明のつかない閲覧を
--       した利用者は誰か（その全員に所見をつける）。
-- param: month MONTH 対象月（月初日）
-- param: swarm_users INTEGER 利用者数の下限
-- param: swarm_facilities INTEGER 施設数の下限
-- param: swarm_hours INTEGER 時間の幅
-- col: rule 規則（swarm）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 集まった利用者と施設の数
WITH looks AS (
    SELECT * FROM review_looks WHERE in_month(occurred_at, $month)
),
windows AS (
    SELECT patient_key, occurred_at AS start_at,
        count(DISTINCT user_key) OVER w AS users,
        count(DISTINCT facility_id) OVER w AS facilities
    FROM looks
    WINDOW w AS (
        PARTITION BY patient_key ORDER BY occurred_at
        RANGE BETWEEN CURRENT ROW AND to_microseconds(CAST($swarm_hours AS BIGINT) * 3600 * 1000000 - 1) FOLLOWING
    )
),
swarms AS (
    SELECT patient_key, start_at, users, facilities
    FROM windows
    WHERE users >= $swarm_users AND facilities >= $swarm_facilities
)
SELECT
    'swarm' AS rule,
    l.user_key,
    l.facility_id,
    l.patient_key,
    CAST(count(DISTINCT l.occurred_at) AS INTEGER) AS events,
    min(l.occurred_at) AS first_at,
    max(l.occurred_at) AS last_at,
    max(s.users) || '人・' || max(s.facilities) || '施設が' || $swarm_hours || '時間のうちに閲覧' AS detail
FROM looks AS l
JOIN swarms AS s
  ON s.patient_key = l.patient_key
 AND l.occurred_at >= s.start_at AND l.occurred_at < hours_after(s.start_at, $swarm_hours)
WHERE l.explained_by IS NULL
GROUP BY l.user_key, l.facility_id, l.patient_key;
