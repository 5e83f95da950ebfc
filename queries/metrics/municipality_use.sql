-- 市町別の年度の利用
-- 問い: その年度、施設の所在市町ごとに、参加施設と稼働施設はいくつで、閲覧は何件、何人の
--       患者の情報が閲覧されたか。市町の表にない所在地や所在地のない施設は「その他」。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 市町
-- col: code 団体コード
-- col: population 人口（人）
-- col: participating_facilities 参加施設数（年度中に参加していた施設）
-- col: active_facilities 稼働施設数（年度中に利用のあった施設: 職員の操作か、情報の閲覧）
-- col: views 閲覧件数（件）
-- col: patients 閲覧された患者数（人、重複なし）
WITH fy AS (SELECT fiscal_year_start($fiscal_year) AS start, fiscal_year_stop($fiscal_year) AS stop),
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
    WHERE member_during(p.joined_on, p.left_on, fy.start, fy.stop)
    GROUP BY 1
),
active AS (
    SELECT p.municipality, count(DISTINCT u.facility_id) AS active_facilities
    FROM facility_uses AS u
    JOIN place AS p USING (facility_id)
    WHERE in_fiscal_year(u.occurred_at, $fiscal_year)
    GROUP BY 1
),
viewed AS (
    SELECT p.municipality, count(*) AS views, count(DISTINCT e.patient_key) AS patients
    FROM view_events AS e
    JOIN place AS p USING (facility_id)
    WHERE in_fiscal_year(e.occurred_at, $fiscal_year)
    GROUP BY 1
)
SELECT t.municipality, t.code, t.population,
       coalesce(m.participating_facilities, 0) AS participating_facilities,
       coalesce(a.active_facilities, 0) AS active_facilities,
       coalesce(v.views, 0) AS views,
       coalesce(v.patients, 0) AS patients
FROM towns AS t
LEFT JOIN members AS m USING (municipality)
LEFT JOIN active AS a USING (municipality)
LEFT JOIN viewed AS v USING (municipality)
WHERE t.other = 0 OR m.participating_facilities > 0 OR v.views > 0
ORDER BY t.other, t.code NULLS LAST, t.municipality;
