-- 登録患者と人口カバー率
-- 問い: 市町ごとの登録患者数（対象月以前の最新月）は人口の何%か（人口カバー率）。
--       全体では、登録患者のうち直近12か月に情報が閲覧された患者の割合（情報共有患者率）。
-- param: month MONTH 対象月（月初日）
-- col: municipality 市町（空は全体）
-- col: registered_patients 登録患者数（人）
-- col: population 人口（人）
-- col: coverage 人口カバー率（0〜1）
-- col: shared_patients_12m 直近12か月に情報が閲覧された患者数（人、全体のみ）
-- col: shared_rate 情報共有患者率（0〜1、全体のみ）
WITH latest AS (
    SELECT coalesce(e.municipality, f.municipality, '（市町なし）') AS municipality,
           sum(e.registered_patients) AS registered_patients
    FROM enrollments AS e
    LEFT JOIN facilities AS f USING (facility_id)
    WHERE e.month = (SELECT max(month) FROM enrollments WHERE month <= CAST($month AS DATE))
    GROUP BY 1
),
per_town AS (
    SELECT l.municipality, l.registered_patients, m.population
    FROM latest AS l
    LEFT JOIN municipalities AS m ON m.name = l.municipality
),
shared AS (
    SELECT count(DISTINCT patient_key) AS patients
    FROM view_events
    WHERE in_12m(occurred_at, $month)
)
SELECT municipality, registered_patients, population,
       CASE WHEN population > 0 THEN registered_patients / population END AS coverage,
       CAST(NULL AS BIGINT) AS shared_patients_12m, CAST(NULL AS DOUBLE) AS shared_rate
FROM per_town
UNION ALL
SELECT NULL, sum(registered_patients), sum(population),
       CASE WHEN sum(population) > 0 THEN sum(registered_patients) / sum(population) END,
       any_value(shared.patients),
       CASE WHEN sum(registered_patients) > 0 THEN any_value(shared.patients) / sum(registered_patients) END
FROM per_town, shared
HAVING count(*) > 0
ORDER BY municipality NULLS LAST;
