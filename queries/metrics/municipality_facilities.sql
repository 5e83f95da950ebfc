-- 市町の参加施設（種別と役割）
-- 問い: その年度に参加していた施設は、市町と種別ごとにいくつで、そのうち情報を開示した
--       （その施設の情報が閲覧された）施設、閲覧した施設はいくつか。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 市町（市町の表にないものは「その他」）
-- col: kind 種別
-- col: participating 参加施設数（施設）
-- col: disclosing 開示した施設数（施設）
-- col: viewing 閲覧した施設数（施設）
WITH fy AS (SELECT fiscal_year_start($fiscal_year) AS start, fiscal_year_stop($fiscal_year) AS stop),
members AS (
    SELECT f.facility_id, coalesce(m.name, 'その他') AS municipality, coalesce(f.kind, '（種別なし）') AS kind
    FROM facilities AS f
    LEFT JOIN municipalities AS m ON m.name = f.municipality, fy
    WHERE member_during(f.joined_on, f.left_on, fy.start, fy.stop)
),
views AS (
    SELECT e.facility_id, e.disclosing_facility_id
    FROM view_events AS e
    WHERE in_fiscal_year(e.occurred_at, $fiscal_year)
)
SELECT municipality, kind,
       count(*) AS participating,
       count(*) FILTER (WHERE facility_id IN (SELECT disclosing_facility_id FROM views)) AS disclosing,
       count(*) FILTER (WHERE facility_id IN (SELECT facility_id FROM views)) AS viewing
FROM members
GROUP BY ALL
ORDER BY municipality, participating DESC, kind;
