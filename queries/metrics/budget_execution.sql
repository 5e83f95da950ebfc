-- 予算と決算
-- 問い: その年度（予算・決算が未登録なら、それ以前で最も新しい年度）の収入と支出を
--       科目ごとに、予算と決算で並べる。収入計・支出計と、収支差引（マイナスは赤字）。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: fiscal_year 表示している年度
-- col: section 区分（income 収入、expense 支出、balance 差引）
-- col: item 科目（空は区分の計）
-- col: budget_yen 予算（円）
-- col: settled_yen 決算（円）
WITH rows AS (
    SELECT direction AS section,
           CASE direction WHEN 'income' THEN 1 ELSE 2 END AS section_order,
           item,
           CASE WHEN stage = 'budget' THEN amount_yen END AS budget_yen,
           CASE WHEN stage = 'settled' THEN amount_yen END AS settled_yen,
           CASE direction WHEN 'income' THEN 1 ELSE -1 END AS sign
    FROM budget
    WHERE fiscal_year = (SELECT max(fiscal_year) FROM budget WHERE fiscal_year <= $fiscal_year)
),
lines AS (
    SELECT section, section_order, item, sum(budget_yen) AS budget_yen, sum(settled_yen) AS settled_yen,
           min(sign) AS sign, 0 AS total_order
    FROM rows
    GROUP BY section, section_order, item
),
totals AS (
    SELECT section, section_order, CAST(NULL AS VARCHAR) AS item, sum(budget_yen) AS budget_yen,
           sum(settled_yen) AS settled_yen, min(sign) AS sign, 1 AS total_order
    FROM lines
    GROUP BY section, section_order
),
balance AS (
    SELECT 'balance' AS section, 3 AS section_order, CAST(NULL AS VARCHAR) AS item,
           sum(sign * budget_yen) AS budget_yen, sum(sign * settled_yen) AS settled_yen, 1 AS sign, 1 AS total_order
    FROM totals
    HAVING count(*) > 0
)
SELECT (SELECT max(fiscal_year) FROM budget WHERE fiscal_year <= $fiscal_year) AS fiscal_year,
       section, item, budget_yen, settled_yen
FROM (SELECT * FROM lines UNION ALL SELECT * FROM totals UNION ALL SELECT * FROM balance)
ORDER BY section_order, total_order, budget_yen DESC NULLS LAST, settled_yen DESC NULLS LAST, item;
