-- 報告を送る前のデータの完全性
-- 問い: その月（$month）について、入力の種類ごとに何が欠けているか。月単位の入力は、
--       その月に1件もなければ月全体（scope = month）、前月にあった系統・病院・施設が今月に
--       ないならその名前（scope = part）。年度単位の入力（名簿・運営費・予算・更新見積）は、
--       その月の年度に1件もなければ年度全体（scope = fiscal_year）。
-- param: month MONTH 報告の月
-- col: source 入力の種類（access_log・image_views・enrollments・roster・invoices・budget・quotes）
-- col: scope 欠けている範囲（month 月全体、fiscal_year 年度全体、part 一部）
-- col: part 欠けているもの（系統名・施設名・市町名、scope が part のときだけ）
WITH bounds AS (
    SELECT CAST($month AS DATE) AS month,
           month_add($month, -1) AS previous,
           fiscal_year_of(CAST($month AS DATE)) AS fy
),
parts AS (
    SELECT 'access_log' AS source, month_of(e.occurred_at) AS month, e.system AS part
    FROM access_events e, bounds b
    WHERE e.occurred_at >= b.previous AND e.occurred_at < month_stop(b.month)
    GROUP BY ALL
    UNION ALL
    SELECT 'image_views', v.month, coalesce(f.name, CAST(v.disclosing_facility_id AS VARCHAR))
    FROM image_views v JOIN bounds b ON v.month IN (b.previous, b.month)
    LEFT JOIN facilities f ON f.facility_id = v.disclosing_facility_id
    GROUP BY ALL
    UNION ALL
    SELECT 'enrollments', n.month, coalesce(f.name, n.municipality, '（不明）')
    FROM enrollments n JOIN bounds b ON n.month IN (b.previous, b.month)
    LEFT JOIN facilities f ON f.facility_id = n.facility_id
    GROUP BY ALL
),
monthly AS (
    SELECT s.source, p.part, p.month
    FROM (VALUES ('access_log'), ('image_views'), ('enrollments')) s(source)
    LEFT JOIN parts p ON p.source = s.source
),
yearly AS (
    SELECT 'roster' AS source, count(*) AS rows FROM membership_fees t, bounds b WHERE t.fiscal_year = b.fy
    UNION ALL SELECT 'invoices', count(*) FROM invoices t, bounds b WHERE t.fiscal_year = b.fy
    UNION ALL SELECT 'budget', count(*) FROM budget t, bounds b WHERE t.fiscal_year = b.fy
    UNION ALL SELECT 'quotes', count(*) FROM quotes t, bounds b WHERE t.fiscal_year = b.fy
)
SELECT source, 'month' AS scope, CAST(NULL AS VARCHAR) AS part
FROM monthly, bounds b
GROUP BY source, b.month
HAVING count(*) FILTER (WHERE monthly.month = b.month) = 0
UNION ALL
SELECT m.source, 'part', m.part
FROM monthly m, bounds b
WHERE m.month = b.previous
  AND EXISTS (SELECT 1 FROM monthly x WHERE x.source = m.source AND x.month = b.month)
  AND NOT EXISTS (SELECT 1 FROM monthly x WHERE x.source = m.source AND x.month = b.month AND x.part = m.part)
UNION ALL
SELECT source, 'fiscal_year', NULL FROM yearly WHERE rows = 0
ORDER BY source, scope, part;
