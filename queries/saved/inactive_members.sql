-- 会費を払っているのに利用のない施設
-- 問い: 基準月の年度に会費を払っている施設のうち、基準月までの直近 N か月に一度も使っていない施設はどこか。
--       使ったとは、その施設の利用者が閲覧・登録したか、その施設の情報が閲覧されたこと（検査会社は開示だけで使う）。
-- param: as_of MONTH 基準月（例: 2025-07）
-- param: months INTEGER 直近何か月を見るか（3、6、12 など）
-- col: 施設名
-- col: 種別
-- col: 市町
-- col: 年会費 円
-- col: 最後の利用日 なければ空
WITH touched AS (
    SELECT facility_id, occurred_at FROM access_events
    UNION ALL
    SELECT disclosing_facility_id, occurred_at FROM access_events WHERE disclosing_facility_id IS NOT NULL
),
last_use AS (
    SELECT facility_id, max(occurred_at) AS last_at
    FROM touched
    WHERE occurred_at < $as_of + INTERVAL 1 MONTH
    GROUP BY facility_id
)
SELECT
    f.name AS "施設名",
    f.kind AS "種別",
    f.municipality AS "市町",
    m.fee_yen AS "年会費",
    CAST(CAST(l.last_at AS DATE) AS VARCHAR) AS "最後の利用日"
FROM membership_fees AS m
JOIN facilities AS f USING (facility_id)
LEFT JOIN last_use AS l USING (facility_id)
WHERE m.fiscal_year = CASE WHEN month($as_of) >= 4 THEN year($as_of) ELSE year($as_of) - 1 END
  AND m.fee_yen > 0
  AND (l.last_at IS NULL OR l.last_at < $as_of - to_months(CAST($months AS INTEGER) - 1))
ORDER BY m.fee_yen DESC, "施設名";
