-- 病院別の画像閲覧（月別）
-- 問い: 各病院が公開している画像は、月ごとに何回閲覧されたか（過去の推移を病院ごとに見る）。
-- param: from_month MONTH 最初の月（例: 2024-04）
-- param: to_month MONTH 最後の月（例: 2025-03）
-- col: 月
-- col: 病院
-- col: 画像公開サーバー
-- col: 画像閲覧件数 件
SELECT
    CAST(date_trunc('month', e.occurred_at) AS DATE) AS "月",
    f.name AS "病院",
    f.publishes_images AS "画像公開サーバー",
    count(*) AS "画像閲覧件数"
FROM access_events AS e
JOIN facilities AS f ON f.facility_id = e.disclosing_facility_id
WHERE e.action = '閲覧'
  AND e.data_type = '画像'
  AND e.occurred_at >= $from_month
  AND e.occurred_at < $to_month + INTERVAL 1 MONTH
GROUP BY ALL
ORDER BY "月", "画像閲覧件数" DESC;
