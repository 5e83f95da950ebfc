-- 市町の参加施設（種別と役割）
-- 問い: その年度に参加していた施設は、市町と種別ごとにいくつで、そのうち情報を開示した
--       （その施設の情報が閲覧された）施設、閲覧した施設はいくつか。
-- param: fiscal_year FISCAL_YEAR 年度（4月が属する西暦年）
-- col: municipality 市町（市町の表にないものは「その他」）
-- col: kind 種別
-- col: participating 参加施設数（施設）
-- col: disclosing 開示した施設数（施設）
-- col: viewing 閲覧した施設数（施設）
WITH fy AS (
    SELECT make_date(CAST($fiscal_year AS INTEGER), 4, 1) AS start,
           make_date(CAST($fiscal_year AS INTEGER) + 1, 4, 1) AS stop
),
members AS (
    SELECT f.facility_id, coalesce(m.name, 'その他') AS municipality, coalesce(f.kind, '（種別なし）') AS kind
    FROM facilities AS f
    LEFT JOIN municipalities AS m ON m.name = f.municipality, fy
    WHERE (f.joined_on IS NULL OR f.joined_on < fy.stop) AND (f.left_on IS NULL OR f.left_on >= fy.start)
),
views AS (
    SELECT e.facility_id, e.disclosing_facility_id
    FROM access_events AS e, fy
    WHERE e.action = '閲覧' AND e.occurred_at >= fy.start AND e.occurred_at < fy.stop
)
SELECT municipality, kind,
       count(*) AS participating,
       count(*) FILTER (WHERE facility_id IN (SELECT disclosing_facility_id FROM views)) AS disclosing,
       count(*) FILTER (WHERE facility_id IN (SELECT facility_id FROM views)) AS viewing
FROM members
GROUP BY ALL
ORDER BY municipality, participating DESC, kind;
