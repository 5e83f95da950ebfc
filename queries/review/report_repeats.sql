-- 繰り返し挙がる利用者
-- 問い: 対象月に事案のある利用者のうち、前の12か月にも事案があったのは誰か。前の事案の
--       数と、そのうち違反・指導と判定されたものの数を示す（再発の目安）。
-- param: month MONTH 対象月（月初日）
-- col: case_id 対象月の事案番号
-- col: facility 施設
-- col: earlier 前の12か月の事案（件）
-- col: confirmed そのうち違反・指導（件）
SELECT c.case_id, f.name AS facility,
    count(p.case_id) AS earlier,
    count(p.case_id) FILTER (WHERE p.verdict IN ('違反', '指導')) AS confirmed
FROM review_cases AS c
JOIN review_case_states AS p
  ON p.user_key = c.user_key AND p.month < c.month AND p.month >= month_add(c.month, -12)
LEFT JOIN facilities AS f ON f.facility_id = c.facility_id
WHERE c.month = CAST($month AS DATE)
GROUP BY c.case_id, f.name
ORDER BY confirmed DESC, earlier DESC, c.case_id;
