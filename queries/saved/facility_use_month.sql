-- 施設別の利用（1か月）
-- 問い: ある月に、加入中の各施設が何件使い、何人の患者の情報を見たか。使っていない施設も0件で並べる。
-- param: month MONTH 対象月（例: 2025-07、令和7年7月）
-- col: 施設名
-- col: 種別
-- col: 市町
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 患者数 人
SELECT
    f.name AS "施設名",
    f.kind AS "種別",
    f.municipality AS "市町",
    count(e.facility_id) AS "操作件数",
    count(e.facility_id) FILTER (WHERE e.action = '閲覧') AS "閲覧件数",
    count(DISTINCT e.patient_key) AS "患者数"
FROM facilities AS f
LEFT JOIN access_events AS e
  ON e.facility_id = f.facility_id
 AND e.occurred_at >= $month
 AND e.occurred_at < $month + INTERVAL 1 MONTH
WHERE (f.joined_on IS NULL OR f.joined_on < $month + INTERVAL 1 MONTH)
  AND (f.left_on IS NULL OR f.left_on >= $month)
GROUP BY f.name, f.kind, f.municipality
ORDER BY "操作件数" DESC, "施設名";
