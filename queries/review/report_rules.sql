-- 規則ごとの事案
-- 問い: 対象月の事案は、規則ごとに何件で、そのうち完了したものと未完了のものは何件か。
--       一つの事案が複数の規則に当たれば、それぞれに数える。
-- param: month MONTH 対象月（月初日）
-- col: rule 規則（英字コード）
-- col: cases 事案（件）
-- col: open 未完了（件）
-- col: closed 完了（件）
WITH states AS (
    SELECT c.case_id,
        coalesce((SELECT arg_max(d.state, d.recorded_at) FROM review_decisions AS d WHERE d.case_id = c.case_id), '新規') AS state
    FROM review_cases AS c
    WHERE c.month = CAST($month AS DATE)
)
SELECT f.rule,
    count(DISTINCT s.case_id) AS cases,
    count(DISTINCT s.case_id) FILTER (WHERE s.state <> '完了') AS open,
    count(DISTINCT s.case_id) FILTER (WHERE s.state = '完了') AS closed
FROM states AS s
JOIN review_findings AS f USING (case_id)
GROUP BY f.rule
ORDER BY cases DESC, f.rule;
