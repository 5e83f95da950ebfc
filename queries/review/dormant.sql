-- 使われていなかった利用者の再開
-- 問い: 対象月に、それまで dormant_days 日以上操作のなかった利用者が操作を再開したか。
--       初めて現れた利用者は含めない。
-- param: month MONTH 対象月（月初日）
-- param: dormant_days INTEGER 休止の日数の下限
-- col: rule 規則（dormant）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名（規則は患者によらないので空）
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 前の操作の日と休止の日数
WITH this_month AS (
    SELECT user_key, facility_id, count(*) AS events, min(occurred_at) AS first_at, max(occurred_at) AS last_at
    FROM access_events
    WHERE in_month(occurred_at, $month) AND user_key IS NOT NULL
    GROUP BY ALL
),
before AS (
    SELECT user_key, max(occurred_at) AS last_before
    FROM access_events
    WHERE occurred_at < CAST($month AS DATE) AND user_key IN (SELECT user_key FROM this_month)
    GROUP BY ALL
),
restarted AS (
    SELECT m.*, b.last_before, min(m.first_at) OVER (PARTITION BY m.user_key) AS user_first
    FROM this_month AS m
    JOIN before AS b USING (user_key)
)
SELECT
    'dormant' AS rule,
    user_key,
    facility_id,
    CAST(NULL AS UUID) AS patient_key,
    CAST(events AS INTEGER) AS events,
    first_at,
    last_at,
    '前の操作 ' || strftime(last_before, '%Y-%m-%d') || '（' || date_diff('day', CAST(last_before AS DATE), CAST(user_first AS DATE)) || '日ぶり）' AS detail
FROM restarted
WHERE date_diff('day', CAST(last_before AS DATE), CAST(user_first AS DATE)) >= $dormant_days;
