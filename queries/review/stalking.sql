-- 同じ患者を何日も
-- 問い: 対象月に、説明のつかない同じ患者を stalking_days 日以上閲覧した利用者は誰か。
-- param: month MONTH 対象月（月初日）
-- param: stalking_days INTEGER 日数の下限
-- col: rule 規則（stalking）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 閲覧した日数
SELECT
    'stalking' AS rule,
    user_key,
    facility_id,
    patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(occurred_at) AS first_at,
    max(occurred_at) AS last_at,
    count(DISTINCT CAST(occurred_at AS DATE)) || '日' AS detail
FROM review_looks
WHERE explained_by IS NULL AND in_month(occurred_at, $month)
GROUP BY user_key, facility_id, patient_key
HAVING count(DISTINCT CAST(occurred_at AS DATE)) >= $stalking_days;
