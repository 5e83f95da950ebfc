-- 短時間に多数の患者
-- 問い: 対象月に、1時間に sweep_hour 人以上か、1日に sweep_day 人以上の患者を閲覧し、
--       しかもそれが自分のこれまで（前の baseline_months か月）の最多の sweep_factor 倍を
--       超えた利用者は誰か。月末にまとめて見るケアマネジャーのように、いつも多い人は当たらない。
--       1時間は最初の閲覧から60分未満、1日は暦日。
-- param: month MONTH 対象月（月初日）
-- param: baseline_months INTEGER 比べる前の月数
-- param: sweep_hour INTEGER 1時間の患者数の下限
-- param: sweep_day INTEGER 1日の患者数の下限
-- param: sweep_factor NUMBER これまでの最多の何倍を超えたら当たるか
-- col: rule 規則（sweep）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 最多の1時間・1日の患者数と、これまでの最多
WITH days_this_month AS (
    SELECT user_key, CAST(occurred_at AS DATE) AS day, count(DISTINCT patient_key) AS patients
    FROM access_events
    WHERE in_month(occurred_at, $month) AND is_look(action) AND user_key IS NOT NULL AND patient_key IS NOT NULL
    GROUP BY ALL
),
-- Only a user with a day of at least the smaller floor can have an hour or a day over it.
candidates AS (
    SELECT DISTINCT user_key FROM days_this_month WHERE patients >= least($sweep_hour, $sweep_day)
),
looks AS (
    SELECT e.user_key, e.facility_id, e.patient_key, e.occurred_at, in_month(e.occurred_at, $month) AS current
    FROM access_events AS e
    SEMI JOIN candidates AS c ON c.user_key = e.user_key
    WHERE e.occurred_at >= month_add($month, -$baseline_months) AND e.occurred_at < month_stop($month)
      AND is_look(e.action) AND e.patient_key IS NOT NULL
),
hours AS (
    SELECT user_key, occurred_at AS start_at, current,
        count(DISTINCT patient_key) OVER (
            PARTITION BY user_key ORDER BY occurred_at
            RANGE BETWEEN CURRENT ROW AND to_microseconds(CAST(3600 AS BIGINT) * 1000000 - 1) FOLLOWING
        ) AS patients
    FROM looks
),
days AS (
    SELECT user_key, CAST(CAST(occurred_at AS DATE) AS TIMESTAMP) AS start_at, current, count(DISTINCT patient_key) AS patients
    FROM looks
    GROUP BY ALL
),
peaks AS (
    SELECT user_key, 'hour' AS span, 1 AS hours_long, $sweep_hour AS floor,
        max(patients) FILTER (WHERE current) AS peak,
        arg_max(start_at, patients) FILTER (WHERE current) AS peak_at,
        coalesce(max(patients) FILTER (WHERE NOT current), 0) AS baseline
    FROM hours
    GROUP BY user_key
    UNION ALL
    SELECT user_key, 'day', 24, $sweep_day,
        max(patients) FILTER (WHERE current),
        arg_max(start_at, patients) FILTER (WHERE current),
        coalesce(max(patients) FILTER (WHERE NOT current), 0)
    FROM days
    GROUP BY user_key
),
fired AS (
    SELECT * FROM peaks WHERE peak >= floor AND peak > $sweep_factor * baseline
)
SELECT
    'sweep' AS rule,
    l.user_key,
    l.facility_id,
    l.patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(l.occurred_at) AS first_at,
    max(l.occurred_at) AS last_at,
    string_agg(DISTINCT CASE f.span WHEN 'hour' THEN '1時間に' ELSE '1日に' END || f.peak || '人（これまでの最多 '
        || f.baseline || '人）', '、') AS detail
FROM fired AS f
JOIN looks AS l
  ON l.user_key = f.user_key AND l.current
 AND l.occurred_at >= f.peak_at AND l.occurred_at < hours_after(f.peak_at, f.hours_long)
GROUP BY l.user_key, l.facility_id, l.patient_key;
