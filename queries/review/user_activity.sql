-- 利用者の月ごとの操作
-- 問い: ある利用者（仮名）は、どの施設で、月ごとに何件・何人の患者を操作したか。
-- param: user_key TEXT 利用者の仮名
-- param: from_month MONTH 最初の月
-- param: to_month MONTH 最後の月
-- col: user_key 利用者の仮名
-- col: month 月
-- col: facility 施設
-- col: events 操作（件）
-- col: views 閲覧（件）
-- col: downloads ダウンロード（件）
-- col: patients 患者（人）
SELECT
    CAST(e.user_key AS VARCHAR) AS user_key,
    month_of(e.occurred_at) AS month,
    f.name AS facility,
    count(*) AS events,
    count(*) FILTER (WHERE is_view(e.action)) AS views,
    count(*) FILTER (WHERE is_download(e.action)) AS downloads,
    count(DISTINCT e.patient_key) AS patients
FROM access_events AS e
LEFT JOIN facilities AS f USING (facility_id)
WHERE e.user_key = CAST($user_key AS UUID)
  AND e.occurred_at >= CAST($from_month AS DATE) AND e.occurred_at < month_stop($to_month)
GROUP BY ALL
ORDER BY month, facility;
