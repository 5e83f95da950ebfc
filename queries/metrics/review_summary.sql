-- アクセスログの点検（件数だけ）
-- 問い: 対象月のアクセスログの点検は実施されたか。事案はいくつ挙がり、いくつ完了し、
--       違反と判定されたのはいくつか。理事会には件数だけを示す（事案の中身は個人情報保護
--       責任者の報告にだけ載る）。点検していない月は件数が空。
-- param: month MONTH 対象月（月初日）
-- col: reviewed 点検した
-- col: opened 事案（件、点検していなければ空）
-- col: closed そのうち完了（件、点検していなければ空）
-- col: violations そのうち違反（件、点検していなければ空）
WITH run AS (
    SELECT count(*) > 0 AS reviewed FROM review_runs WHERE month = CAST($month AS DATE)
),
counts AS (
    SELECT count(*) AS opened,
        count(*) FILTER (WHERE state = '完了') AS closed,
        count(*) FILTER (WHERE verdict = '違反') AS violations
    FROM review_case_states
    WHERE month = CAST($month AS DATE)
)
SELECT run.reviewed,
    CASE WHEN run.reviewed THEN counts.opened END AS opened,
    CASE WHEN run.reviewed THEN counts.closed END AS closed,
    CASE WHEN run.reviewed THEN counts.violations END AS violations
FROM run, counts;
