-- 情報の種類別の利用
-- 問い: その月、画像・検査・処方・連絡帳など、どの種類の情報が何件使われ、何人の患者・
--       何施設に使われたか。前月と並べる。
-- param: month MONTH 対象月（月初日）
-- col: data_type 情報の種類
-- col: events 操作件数（件）
-- col: views 閲覧件数（件）
-- col: unique_patients 患者数（人、仮名で数える）
-- col: active_facilities 稼働施設数（施設）
-- col: events_prev_month 前月の操作件数（件）
SELECT
    coalesce(data_type, '（種類なし）') AS data_type,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS events,
    count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE) AND action = '閲覧') AS views,
    count(DISTINCT patient_key) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS unique_patients,
    count(DISTINCT facility_id) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS active_facilities,
    count(*) FILTER (WHERE occurred_at < CAST($month AS DATE)) AS events_prev_month
FROM access_events
WHERE occurred_at >= CAST($month AS DATE) - INTERVAL 1 MONTH
  AND occurred_at < CAST($month AS DATE) + INTERVAL 1 MONTH
GROUP BY 1
ORDER BY events DESC, data_type;
