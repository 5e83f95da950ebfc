-- 情報の種類別の利用
-- 問い: その月、画像・検査・処方・連絡帳など、どの種類の情報が何件使われ、何人の患者・
--       何施設に使われたか。前月と並べる。
-- param: month MONTH 対象月（月初日）
-- col: data_type 情報の種類
-- col: events 操作件数（件）
-- col: views 閲覧件数（件）
-- col: unique_patients 患者数（人、仮名で数える）
-- col: active_facilities 稼働施設数（施設）
-- col: events_prev_month 前月の操作件数（件、前月のログがなければ空）
WITH logged AS (SELECT has_log($month) AS this_month, has_log(month_add($month, -1)) AS prev_month),
counts AS (
    SELECT
        coalesce(data_type, '（種類なし）') AS data_type,
        count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS events,
        count(*) FILTER (WHERE occurred_at >= CAST($month AS DATE) AND is_view(action)) AS views,
        count(DISTINCT patient_key) FILTER (WHERE occurred_at >= CAST($month AS DATE)) AS unique_patients,
        count(*) FILTER (WHERE occurred_at < CAST($month AS DATE)) AS events_prev_month
    FROM access_events
    WHERE occurred_at >= month_add($month, -1) AND occurred_at < month_stop($month)
    GROUP BY 1
),
active AS (
    SELECT coalesce(data_type, '（種類なし）') AS data_type, count(DISTINCT facility_id) AS active_facilities
    FROM facility_uses
    WHERE in_month(occurred_at, $month)
    GROUP BY 1
)
SELECT
    c.data_type,
    CASE WHEN logged.this_month THEN c.events END AS events,
    CASE WHEN logged.this_month THEN c.views END AS views,
    CASE WHEN logged.this_month THEN c.unique_patients END AS unique_patients,
    CASE WHEN logged.this_month THEN coalesce(a.active_facilities, 0) END AS active_facilities,
    CASE WHEN logged.prev_month THEN c.events_prev_month END AS events_prev_month
FROM counts AS c
CROSS JOIN logged
LEFT JOIN active AS a USING (data_type)
ORDER BY c.events DESC, c.data_type;
