-- 会費の公平性
-- 問い: その年度に会費を払った施設ごとに、会費総額に占める割合と、操作件数に占める
--       割合はどれだけ違うか（利用÷会費の比が 1 より小さい施設は、使う割に多く払っている）。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: facility_id 施設番号
-- col: name 施設名
-- col: kind 種別
-- col: fee_yen 会費（円）
-- col: fee_share 会費の割合（0〜1）
-- col: events 年度の操作件数（件）
-- col: use_share 操作件数の割合（0〜1）
-- col: use_to_fee 利用÷会費の比
WITH fees AS (
    SELECT facility_id, sum(fee_yen) AS fee_yen
    FROM membership_fees
    WHERE fiscal_year = $fiscal_year
    GROUP BY facility_id
    HAVING sum(fee_yen) > 0
),
use AS (
    SELECT facility_id, count(*) AS events
    FROM access_events
    WHERE occurred_at >= make_date($fiscal_year, 4, 1) AND occurred_at < make_date($fiscal_year + 1, 4, 1)
    GROUP BY facility_id
),
joined AS (
    SELECT f.facility_id, f.name, f.kind, fees.fee_yen, coalesce(use.events, 0) AS events
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
    events,
    CASE WHEN sum(events) OVER () > 0 THEN events / sum(events) OVER () END AS use_share,
    CASE WHEN sum(events) OVER () > 0
         THEN (events / sum(events) OVER ()) / (fee_yen / sum(fee_yen) OVER ()) END AS use_to_fee
FROM joined
ORDER BY use_to_fee NULLS FIRST, fee_yen DESC, name;
