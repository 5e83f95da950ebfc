-- 会費の公平性
-- 問い: その年度に会費を払った施設ごとに、会費総額に占める割合と、
--       利用件数（職員の操作と、自施設の情報が閲覧された件数: facility_uses）に占める
--       割合はどれだけ違うか（利用÷会費の比が 1 より小さい施設は、使う割に多く払っている）。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: facility_id 施設番号
-- col: name 施設名
-- col: kind 種別
-- col: fee_yen 会費（円）
-- col: fee_share 会費の割合（0〜1）
-- col: uses 年度の利用件数（件、職員の操作と自施設の情報の閲覧）
-- col: use_share 利用件数の割合（0〜1）
-- col: use_to_fee 利用÷会費の比
WITH fees AS (
    SELECT facility_id, sum(fee_yen) AS fee_yen
    FROM membership_fees
    WHERE fiscal_year = $fiscal_year
    GROUP BY facility_id
    HAVING sum(fee_yen) > 0
),
use AS (
    SELECT facility_id, count(*) AS uses
    FROM facility_uses
    WHERE in_fiscal_year(occurred_at, $fiscal_year)
    GROUP BY facility_id
),
joined AS (
    SELECT f.facility_id, f.name, f.kind, fees.fee_yen, coalesce(use.uses, 0) AS uses
    FROM fees
    JOIN facilities AS f USING (facility_id)
    LEFT JOIN use USING (facility_id)
)
SELECT
    facility_id,
    name,
    kind,
    fee_yen,
    fee_yen / sum(fee_yen) OVER () AS fee_share,
    uses,
    CASE WHEN sum(uses) OVER () > 0 THEN uses / sum(uses) OVER () END AS use_share,
    CASE WHEN sum(uses) OVER () > 0
         THEN (uses / sum(uses) OVER ()) / (fee_yen / sum(fee_yen) OVER ()) END AS use_to_fee
FROM joined
ORDER BY use_to_fee NULLS FIRST, fee_yen DESC, name;
