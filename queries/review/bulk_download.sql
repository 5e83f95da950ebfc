-- 一度に多数のダウンロード
-- 問い: 対象月のある1日に、download_patients 人以上の患者の情報をダウンロードした利用者は誰か。
-- param: month MONTH 対象月（月初日）
-- param: download_patients INTEGER 1日の患者数の下限
-- col: rule 規則（bulk_download）
-- col: user_key 利用者の仮名
-- col: facility_id 操作した施設
-- col: patient_key 患者の仮名
-- col: events 操作の数（件）
-- col: first_at 最初の操作の日時
-- col: last_at 最後の操作の日時
-- col: detail その日と患者数
WITH days AS (
    SELECT user_key, CAST(occurred_at AS DATE) AS day, count(DISTINCT patient_key) AS patients
    FROM access_events
    WHERE in_month(occurred_at, $month) AND is_download(action) AND user_key IS NOT NULL AND patient_key IS NOT NULL
    GROUP BY ALL
    HAVING count(DISTINCT patient_key) >= $download_patients
)
SELECT
    'bulk_download' AS rule,
    e.user_key,
    e.facility_id,
    e.patient_key,
    CAST(count(*) AS INTEGER) AS events,
    min(e.occurred_at) AS first_at,
    max(e.occurred_at) AS last_at,
    strftime(d.day, '%Y-%m-%d') || ' に ' || d.patients || '人' AS detail
FROM access_events AS e
JOIN days AS d ON d.user_key = e.user_key AND d.day = CAST(e.occurred_at AS DATE)
WHERE is_download(e.action) AND e.patient_key IS NOT NULL
GROUP BY e.user_key, e.facility_id, e.patient_key, d.day, d.patients;
