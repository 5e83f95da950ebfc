-- 規則ごとの事案
-- 問い: 対象月の事案は、規則ごとに何件で、そのうち完了したものと未完了のものは何件か。
--       一つの事案が複数の規則に当たれば、それぞれに数える。
-- param: month MONTH 対象月（月初日）
-- col: rule 規則（英字コード）
-- col: cases 事案（件）
-- col: open 未完了（件）
-- col: closed 完了（件）
SELECT f.rule,
    count(DISTINCT s.case_id) AS cases,
    count(DISTINCT s.case_id) FILTER (WHERE s.state <> '完了') AS open,
    count(DISTINCT s.case_id) FILTER (WHERE s.state = '完了') AS closed
FROM review_case_states AS s
JOIN review_findings AS f USING (case_id)
WHERE s.month = CAST($month AS DATE)
GROUP BY f.rule
ORDER BY cases DESC, f.rule;
