-- 市町の負担額（予算・決算）
-- 問い: その年度、各市町の負担として予算・決算に載った額はいくらか（収入のうち市町名のある行）。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 市町
-- col: budget_yen 予算額（円）
-- col: settled_yen 決算額（円）
SELECT municipality,
       sum(amount_yen) FILTER (WHERE stage = 'budget') AS budget_yen,
       sum(amount_yen) FILTER (WHERE stage = 'settled') AS settled_yen
FROM budget
WHERE fiscal_year = $fiscal_year AND direction = 'income' AND municipality IS NOT NULL
GROUP BY 1
ORDER BY 1;
