-- 市町に求める負担の前提
-- 問い: その年度の支出の合計と、市町の負担金を除いた収入（会費など）の合計はいくらで、
--       その差（市町に負担を求める額）はいくらか。収入と支出は同じ段階から取る: 決算の
--       収入と決算の支出がどちらもある年度は決算、そうでなければ予算（片方だけ決算の
--       行があっても予算）。予算もなければ段階は空で、額も空。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: stage 使った段階（settled 決算、budget 予算、なければ空）
-- col: expense_yen 支出の合計（円）
-- col: other_income_yen 市町の負担金を除いた収入の合計（円）
-- col: fee_income_yen 会費の合計（円、会費の表から）
-- col: required_yen 市町に求める額（円、支出 − 市町以外の収入、マイナスは 0）
WITH year AS (
    SELECT * FROM budget WHERE fiscal_year = $fiscal_year
),
stage AS (
    SELECT CASE WHEN bool_or(stage = 'settled' AND direction = 'income')
                 AND bool_or(stage = 'settled' AND direction = 'expense') THEN 'settled'
                WHEN bool_or(stage = 'budget') THEN 'budget' END AS stage
    FROM year
),
totals AS (
    SELECT sum(y.amount_yen) FILTER (WHERE y.direction = 'expense') AS expense_yen,
           coalesce(sum(y.amount_yen) FILTER (WHERE y.direction = 'income' AND y.municipality IS NULL), 0)
               AS other_income_yen
    FROM year AS y, stage
    WHERE y.stage = stage.stage
),
fees AS (
    SELECT sum(fee_yen) AS fee_income_yen FROM membership_fees WHERE fiscal_year = $fiscal_year
)
SELECT stage.stage,
       totals.expense_yen,
       CASE WHEN stage.stage IS NOT NULL THEN totals.other_income_yen END AS other_income_yen,
       fees.fee_income_yen,
       CASE WHEN stage.stage IS NOT NULL
            THEN greatest(coalesce(totals.expense_yen, 0) - totals.other_income_yen, 0) END AS required_yen
FROM stage, totals, fees;
