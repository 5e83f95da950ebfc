-- 更新案の前提（利用と収入）
-- 問い: 更新案を比べる前提として、直近12か月の閲覧件数、その年度に会費を払う施設数と
--       会費の合計、市町からの負担金（その年度以前で最新の年度の予算、なければ決算）は
--       いくらか。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: views_12m 直近12か月の閲覧件数（件）
-- col: paying_members 会費を払う施設数（施設）
-- col: fee_income_yen 会費の合計（円）
-- col: municipal_support_yen 市町の負担金（円）
WITH fees AS (
    SELECT count(*) AS paying_members, sum(fee_yen) AS fee_income_yen
    FROM (SELECT facility_id, sum(fee_yen) AS fee_yen
          FROM membership_fees WHERE fiscal_year = $fiscal_year
          GROUP BY facility_id HAVING sum(fee_yen) > 0)
),
paid AS (
    SELECT fiscal_year, stage, amount_yen
    FROM budget
    WHERE direction = 'income' AND municipality IS NOT NULL AND fiscal_year <= $fiscal_year
),
support AS (
    SELECT sum(amount_yen) AS municipal_support_yen
    FROM paid
    WHERE fiscal_year = (SELECT max(fiscal_year) FROM paid)
      AND stage = (SELECT CASE WHEN bool_or(stage = 'budget') THEN 'budget' ELSE 'settled' END
                   FROM paid WHERE fiscal_year = (SELECT max(fiscal_year) FROM paid))
),
use AS (
    SELECT count(*) AS views_12m
    FROM view_events
    WHERE in_12m(occurred_at, $month)
)
SELECT use.views_12m, fees.paying_members, coalesce(fees.fee_income_yen, 0) AS fee_income_yen,
       coalesce(support.municipal_support_yen, 0) AS municipal_support_yen
FROM use, fees, support;
