-- 加入していない期間のアクセス
-- 問い: 対象月に、加入日より前か退会日より後に操作した施設の利用者は誰か。
--       退会日はその日まで会員だった日として扱う（member_during と同じ）。
-- param: month MONTH 対象月（月初日）
-- col: rule 規則（non_member）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 加入日・退会日
SELECT
    'non_member' AS rule,
    e.user_key,
    e.facility_id,
    e.patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(e.occurred_at) AS first_at,
    max(e.occurred_at) AS last_at,
    concat_ws(' ', '加入日 ' || strftime(f.joined_on, '%Y-%m-%d'), '退会日 ' || strftime(f.left_on, '%Y-%m-%d')) AS detail
FROM access_events AS e
JOIN facilities AS f USING (facility_id)
WHERE in_month(e.occurred_at, $month)
  AND e.user_key IS NOT NULL
  AND NOT member_during(f.joined_on, f.left_on, CAST(e.occurred_at AS DATE), days_after(CAST(e.occurred_at AS DATE), 1))
GROUP BY e.user_key, e.facility_id, e.patient_key, f.joined_on, f.left_on;
