-- 事案の処理
-- 問い: 対象月の事案はどう判定されたか、これまでのすべての月で未完了の事案は何件で、
--       そのうち開いてから30日を超えたものは何件か、対象月までの12か月の事案のうち完了した
--       ものは、開いてから完了まで何日かかったか（中央値）。30日は対象月の翌月1日から数える。
-- param: month MONTH 対象月（月初日）
-- col: opened 対象月の事案（件）
-- col: closed 対象月の事案のうち完了（件）
-- col: legitimate 正当（件）
-- col: guidance 指導（件）
-- col: violations 違反（件）
-- col: false_alarms 誤検知（件）
-- col: open_all すべての月の未完了（件）
-- col: overdue そのうち30日を超えたもの（件）
-- col: median_days_to_close 完了までの日数の中央値（対象月までの12か月の事案、完了がなければ空）
SELECT
    count(*) FILTER (WHERE month = CAST($month AS DATE)) AS opened,
    count(*) FILTER (WHERE month = CAST($month AS DATE) AND state = '完了') AS closed,
    count(*) FILTER (WHERE month = CAST($month AS DATE) AND verdict = '正当') AS legitimate,
    count(*) FILTER (WHERE month = CAST($month AS DATE) AND verdict = '指導') AS guidance,
    count(*) FILTER (WHERE month = CAST($month AS DATE) AND verdict = '違反') AS violations,
    count(*) FILTER (WHERE month = CAST($month AS DATE) AND verdict = '誤検知') AS false_alarms,
    count(*) FILTER (WHERE state <> '完了' AND month <= CAST($month AS DATE)) AS open_all,
    count(*) FILTER (WHERE state <> '完了' AND month <= CAST($month AS DATE)
                     AND opened_at < days_after(month_stop($month), -30)) AS overdue,
    median(date_diff('day', opened_at, decided_at)) FILTER (
        WHERE state = '完了' AND month >= window_12m_start($month) AND month <= CAST($month AS DATE)
    ) AS median_days_to_close
FROM review_case_states;
