-- 入力の月別カバー状況
-- 問い: 入力の種類ごとに、どの月のデータがあるか（件数 0 の月は欠け）。報告を送る前の
--       完全性の確認にも使う。年度単位の入力（名簿・運営費）は年度の4月に数える。
-- col: source 入力の種類（access_log・image_views・enrollments・roster・invoices・budget・quotes）
-- col: month 月（月初日）
-- col: rows 件数（件）
SELECT 'access_log' AS source, month_of(occurred_at) AS month, count(*) AS rows
FROM access_events
GROUP BY 2
UNION ALL
SELECT 'image_views', month, count(*)
FROM image_views
GROUP BY month
UNION ALL
SELECT 'enrollments', month, count(*)
FROM enrollments
GROUP BY month
UNION ALL
SELECT 'budget', fiscal_year_start(fiscal_year), count(*)
FROM budget
GROUP BY fiscal_year
UNION ALL
SELECT 'quotes', fiscal_year_start(fiscal_year), count(*)
FROM quotes
GROUP BY fiscal_year
UNION ALL
SELECT 'roster', fiscal_year_start(fiscal_year), count(*)
FROM membership_fees
GROUP BY fiscal_year
UNION ALL
SELECT 'invoices', fiscal_year_start(fiscal_year), count(*)
FROM invoices
GROUP BY fiscal_year
ORDER BY source, month;
