-- 市町別の年度の利用
-- 問い: その年度、施設の所在市町ごとに、参加施設と稼働施設はいくつで、閲覧は何件、何人の
--       患者の情報が閲覧されたか。市町の表にない所在地や所在地のない施設は「その他」。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 市町
-- col: code 団体コード
-- col: population 人口（人）
-- col: participating_facilities 参加施設数（年度中に参加していた施設）
-- col: active_facilities 稼働施設数（年度中に利用した施設）
-- col: views 閲覧件数（件）
-- col: patients 閲覧された患者数（人、重複なし）
WITH fy AS (
    SELECT make_date(CAST($fiscal_year AS INTEGER), 4, 1) AS start,
           make_date(CAST($fiscal_year AS INTEGER) + 1, 4, 1) AS stop
),
towns AS (
    SELECT name AS municipality, code, population, 0 AS other FROM municipalities
    UNION ALL
    SELECT 'その他', NULL, NULL, 1
),
place AS (
    SELECT f.facility_id, coalesce(t.municipality, 'その他') AS municipality, f.joined_on, f.left_on
    FROM facilities AS f
    LEFT JOIN municipalities AS m ON m.name = f.municipality
    LEFT JOIN towns AS t ON t.municipality = m.name
),
members AS (
    SELECT p.municipality, count(*) AS participating_facilities
    FROM place AS p, fy
    WHERE (p.joined_on IS NULL OR p.joined_on < fy.stop) AND (p.left_on IS NULL OR p.left_on >= fy.start)
    GROUP BY 1
),
used AS (
    SELECT p.municipality,
           count(DISTINCT e.facility_id) AS active_facilities,
           count(*) FILTER (WHERE e.action = '閲覧') AS views,
           count(DISTINCT e.patient_key) FILTER (WHERE e.action = '閲覧') AS patients
    FROM access_events AS e
    JOIN place AS p USING (facility_id), fy
    WHERE e.occurred_at >= fy.start AND e.occurred_at < fy.stop
    GROUP BY 1
)
SELECT t.municipality, t.code, t.population,
       coalesce(m.participating_facilities, 0) AS participating_facilities,
       coalesce(u.active_facilities, 0) AS active_facilities,
       coalesce(u.views, 0) AS views,
       coalesce(u.patients, 0) AS patients
FROM towns AS t
LEFT JOIN members AS m USING (municipality)
LEFT JOIN used AS u USING (municipality)
WHERE t.other = 0 OR m.participating_facilities > 0 OR u.views > 0
ORDER BY t.other, t.code NULLS LAST, t.municipality;
