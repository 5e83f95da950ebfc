-- 市町別の利用（年度）
-- 問い: ある年度に、各市町にある参加施設がどれだけ使い、ネットワーク全体の利用の何割を占めたか。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7、令和7年度、2025）
-- col: 市町
-- col: 参加施設数
-- col: 稼働施設数
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 患者数 人
-- col: 利用の割合 0〜1
WITH members AS (
    SELECT DISTINCT f.facility_id, coalesce(f.municipality, '（不明）') AS municipality
    FROM facilities AS f
    JOIN membership_fees AS m ON m.facility_id = f.facility_id AND m.fiscal_year = $fiscal_year
),
use AS (
    SELECT facility_id, count(*) AS events, count(*) FILTER (WHERE action = '閲覧') AS views
    FROM access_events
    WHERE occurred_at >= make_date($fiscal_year, 4, 1) AND occurred_at < make_date($fiscal_year + 1, 4, 1)
    GROUP BY facility_id
),
patients AS (
    SELECT coalesce(f.municipality, '（不明）') AS municipality, count(DISTINCT e.patient_key) AS patients
    FROM access_events AS e JOIN facilities AS f USING (facility_id)
    WHERE e.occurred_at >= make_date($fiscal_year, 4, 1) AND e.occurred_at < make_date($fiscal_year + 1, 4, 1)
    GROUP BY 1
)
SELECT
    m.municipality AS "市町",
    count(*) AS "参加施設数",
    count(u.facility_id) AS "稼働施設数",
    coalesce(sum(u.events), 0) AS "操作件数",
    coalesce(sum(u.views), 0) AS "閲覧件数",
    coalesce(max(p.patients), 0) AS "患者数",
    round(coalesce(sum(u.events), 0) / nullif(sum(sum(u.events)) OVER (), 0), 3) AS "利用の割合"
FROM members AS m
LEFT JOIN use AS u USING (facility_id)
LEFT JOIN patients AS p USING (municipality)
GROUP BY m.municipality
ORDER BY "操作件数" DESC;
