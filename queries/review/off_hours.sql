-- ふだん使わない時間帯
-- 問い: 対象月に、施設がふだんほとんど使わない時間帯（その時刻と前後2時間の5時間に、
--       前の baseline_months か月の操作の quiet_share 未満しかない時刻）に操作した利用者は
--       誰か。曜日は分けない（分けると、オンコールの訪問看護の夜のように散らばる仕事が
--       まれに見える）。前に history_months か月以上、1 / quiet_share 件以上の操作がある
--       施設だけを見る（操作の少ない施設では「ほとんどない」と言えない）。夜も働く病院や
--       オンコールの訪問看護は、その時間帯にも操作があるので当たらない。
-- param: month MONTH 対象月（月初日）
-- param: baseline_months INTEGER 比べる前の月数
-- param: history_months INTEGER 見る施設に要る前の月数
-- param: quiet_share NUMBER ほとんど使わないとみなす割合
-- col: rule 規則（off_hours）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 時間帯と、これまでの割合
WITH base AS (
    SELECT facility_id, hour(occurred_at) AS hour, count(*) AS n
    FROM access_events
    WHERE occurred_at >= month_add($month, -$baseline_months) AND occurred_at < CAST($month AS DATE)
    GROUP BY ALL
),
known AS (
    SELECT facility_id, sum(n) AS total
    FROM base
    GROUP BY facility_id
    HAVING sum(n) >= 1.0 / $quiet_share AND (
        SELECT count(DISTINCT month_of(e.occurred_at)) FROM access_events AS e
        WHERE e.facility_id = base.facility_id
          AND e.occurred_at >= month_add($month, -$baseline_months) AND e.occurred_at < CAST($month AS DATE)
    ) >= $history_months
),
slots AS (
    SELECT k.facility_id, h.hour, k.total,
        coalesce((
            SELECT sum(b.n) FROM base AS b
            WHERE b.facility_id = k.facility_id AND ((b.hour - h.hour + 26) % 24) <= 4
        ), 0) AS near
    FROM known AS k
    CROSS JOIN range(24) AS h(hour)
),
quiet AS (
    SELECT * FROM slots WHERE near < $quiet_share * total
)
SELECT
    'off_hours' AS rule,
    e.user_key,
    e.facility_id,
    e.patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(e.occurred_at) AS first_at,
    max(e.occurred_at) AS last_at,
    string_agg(DISTINCT q.hour || '時台（前後2時間を含めてこれまで ' || round(100.0 * q.near / q.total, 2) || '%）', '、') AS detail
FROM access_events AS e
JOIN quiet AS q ON q.facility_id = e.facility_id AND q.hour = hour(e.occurred_at)
WHERE in_month(e.occurred_at, $month) AND e.user_key IS NOT NULL
GROUP BY e.user_key, e.facility_id, e.patient_key;
