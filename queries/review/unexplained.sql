-- 説明のつかない閲覧
-- 問い: 対象月に、診療の関係を示す記録のない患者を閲覧・ダウンロードした利用者は誰か
--       （looks.sql の説明のどれにも当たらないもの）。患者の数が多いほど優先度が上がる。
-- param: month MONTH 対象月（月初日）
-- col: rule 規則（unexplained）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail 同僚の操作だけで判断したか（登録の行がないログ）
SELECT
    'unexplained' AS rule,
    user_key,
    facility_id,
    patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(occurred_at) AS first_at,
    max(occurred_at) AS last_at,
    CASE WHEN bool_or(fallback) THEN '登録の行がないログ: 同僚の操作だけで判断' END AS detail
FROM review_looks
WHERE explained_by IS NULL AND in_month(occurred_at, $month)
GROUP BY user_key, facility_id, patient_key;
