-- 市町別の利用（年度）
-- 問い: ある年度に、各市町にある参加施設がどれだけ使い、ネットワーク全体の利用の何割を占めたか。
--       参加施設は年度中に加入していた施設、稼働施設は利用のあった施設（facility_uses）、
--       患者数は閲覧された患者（市町への報告と同じ定義）。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7、令和7年度、2025）
-- options: fiscal_year SELECT DISTINCT fiscal_year_of(month) FROM access_log_months ORDER BY 1 DESC
-- col: 市町
-- col: 参加施設数
-- col: 稼働施設数
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 患者数 人
-- col: 利用の割合 0〜1
WITH members AS (
    SELECT f.facility_id, coalesce(f.municipality, '（不明）') AS municipality
    FROM facilities AS f
    WHERE member_during(f.joined_on, f.left_on, fiscal_year_start($fiscal_year), fiscal_year_stop($fiscal_year))
),
operated AS (
    SELECT facility_id, count(*) AS events, count(*) FILTER (WHERE is_view(action)) AS views
    FROM access_events
    WHERE in_fiscal_year(occurred_at, $fiscal_year)
    GROUP BY facility_id
),
used AS (SELECT DISTINCT facility_id FROM facility_uses WHERE in_fiscal_year(occurred_at, $fiscal_year)),
patients AS (
    SELECT coalesce(f.municipality, '（不明）') AS municipality, count(DISTINCT e.patient_key) AS patients
    FROM view_events AS e JOIN facilities AS f USING (facility_id)
    WHERE in_fiscal_year(e.occurred_at, $fiscal_year)
    GROUP BY 1
)
SELECT
    m.municipality AS "市町",
    count(*) AS "参加施設数",
    count(u.facility_id) AS "稼働施設数",
    coalesce(sum(o.events), 0) AS "操作件数",
    coalesce(sum(o.views), 0) AS "閲覧件数",
    coalesce(max(p.patients), 0) AS "患者数",
    round(coalesce(sum(o.events), 0) / nullif(sum(sum(o.events)) OVER (), 0), 3) AS "利用の割合"
FROM members AS m
LEFT JOIN operated AS o USING (facility_id)
LEFT JOIN used AS u USING (facility_id)
LEFT JOIN patients AS p USING (municipality)
GROUP BY m.municipality
ORDER BY "操作件数" DESC;
