-- 会費を払っているのに利用のない施設
-- 問い: 基準月の年度に会費を払っている施設のうち、基準月までの直近 N か月に一度も使っていない施設はどこか。
--       使ったとは、その施設の利用者が閲覧・登録したか、その施設の情報が閲覧されたこと（検査会社は開示だけで使う:
--       facility_uses）。基準月に会員でない施設（名簿の退会日が基準月より前）は含めない。
-- param: as_of MONTH 基準月（例: 2025-07）
-- param: months INTEGER 直近何か月を見るか（3、6、12 など）
-- col: 施設名
-- col: 種別
-- col: 市町
-- col: 年会費 円
-- col: 最後の利用日 なければ空
WITH last_use AS (
    SELECT facility_id, max(occurred_at) AS last_at
    FROM facility_uses
    WHERE occurred_at < month_stop($as_of)
    GROUP BY facility_id
)
SELECT
    f.name AS "施設名",
    f.kind AS "種別",
    f.municipality AS "市町",
    m.fee_yen AS "年会費",
    CAST(l.last_at AS DATE) AS "最後の利用日"
FROM membership_fees AS m
JOIN facilities AS f USING (facility_id)
LEFT JOIN last_use AS l USING (facility_id)
WHERE m.fiscal_year = fiscal_year_of(CAST($as_of AS DATE))
  AND m.fee_yen > 0
  AND member_in_month(f.joined_on, f.left_on, $as_of)
  AND (l.last_at IS NULL OR l.last_at < month_add($as_of, 1 - CAST($months AS INTEGER)))
ORDER BY m.fee_yen DESC, "施設名";
