-- 病院別の画像閲覧（月別）
-- 問い: 各病院が公開している画像は、月ごとに何回閲覧されたか（過去の推移を病院ごとに見る）。
-- param: from_month MONTH 最初の月（例: 2024-04）
-- param: to_month MONTH 最後の月（例: 2025-03）
-- col: 月
-- col: 病院
-- col: 画像公開サーバー
-- col: 画像閲覧件数 件
SELECT
    month_of(e.occurred_at) AS "月",
    f.name AS "病院",
    f.publishes_images AS "画像公開サーバー",
    count(*) AS "画像閲覧件数"
FROM view_events AS e
JOIN facilities AS f ON f.facility_id = e.disclosing_facility_id
WHERE is_image(e.data_type)
  AND e.occurred_at >= CAST($from_month AS DATE)
  AND e.occurred_at < month_stop($to_month)
GROUP BY ALL
ORDER BY "月", "画像閲覧件数" DESC;
