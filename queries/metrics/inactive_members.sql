-- 使っていない会費負担施設
-- 問い: その年度に会費を払っている参加施設のうち、対象月までの3か月・6か月・12か月に
--       一度も使われなかった施設はどこか。自施設の職員が操作したときと、自施設の情報が
--       閲覧されたとき（検査会社や病院の開示）を、使われたと数える（facility_uses）。
--       対象月に会員でない施設（退会日が対象月より前）は含めない。
-- param: month MONTH 対象月（月初日）
-- col: facility_id 施設番号
-- col: name 施設名
-- col: kind 種別
-- col: municipality 所在市町
-- col: fee_yen その年度の会費（円）
-- col: last_used 最後に使われた日（なければ空）
-- col: idle_3m 3か月使っていない
-- col: idle_6m 6か月使っていない
-- col: idle_12m 12か月使っていない
WITH paying AS (
    SELECT f.facility_id, f.name, f.kind, f.municipality, sum(fee.fee_yen) AS fee_yen
    FROM membership_fees AS fee
    JOIN facilities AS f USING (facility_id)
    WHERE fee.fiscal_year = fiscal_year_of(CAST($month AS DATE))
      AND member_in_month(f.joined_on, f.left_on, $month)
    GROUP BY ALL
    HAVING sum(fee.fee_yen) > 0
),
last_use AS (
    SELECT facility_id, CAST(max(occurred_at) AS DATE) AS last_used
    FROM facility_uses
    WHERE occurred_at < month_stop($month)
    GROUP BY facility_id
)
SELECT
    p.facility_id,
    p.name,
    p.kind,
    p.municipality,
    p.fee_yen,
    l.last_used,
    coalesce(l.last_used < month_add($month, -2), true) AS idle_3m,
    coalesce(l.last_used < month_add($month, -5), true) AS idle_6m,
    coalesce(l.last_used < month_add($month, -11), true) AS idle_12m
FROM paying AS p
LEFT JOIN last_use AS l USING (facility_id)
WHERE coalesce(l.last_used < month_add($month, -2), true)
ORDER BY l.last_used NULLS FIRST, p.fee_yen DESC, p.name;
