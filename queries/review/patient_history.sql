-- 患者の閲覧履歴
-- 問い: ある患者（仮名）の情報を、いつ、どの施設が、どの種類について、どう操作したか。
--       本人への開示に使う。利用者の仮名は含めない。
-- param: patient_key TEXT 患者の仮名
-- param: from_month MONTH 最初の月
-- param: to_month MONTH 最後の月
-- col: occurred_at 日時（日本時間）
-- col: facility 操作した施設
-- col: data_type 情報の種類
-- col: action 操作
-- col: disclosing 情報を開示した施設
-- col: system システム
SELECT
    strftime(e.occurred_at, '%Y-%m-%d %H:%M') AS occurred_at,
    coalesce(f.name, '（名簿にない施設）') AS facility,
    e.data_type,
    e.action,
    d.name AS disclosing,
    e.system
FROM access_events AS e
LEFT JOIN facilities AS f ON f.facility_id = e.facility_id
LEFT JOIN facilities AS d ON d.facility_id = e.disclosing_facility_id
WHERE e.patient_key = CAST($patient_key AS UUID)
  AND e.occurred_at >= CAST($from_month AS DATE) AND e.occurred_at < month_stop($to_month)
ORDER BY e.occurred_at, facility;
