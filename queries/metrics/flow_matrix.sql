-- 市町と病院の間の流れ
-- 問い: 直近12か月に、どの市町の施設が、どの病院の情報を何件閲覧したか
--       （閲覧した施設の所在市町 × 開示した病院）。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- col: viewing_municipality 閲覧した施設の所在市町
-- col: disclosing_facility 開示した施設
-- col: views 閲覧件数（件）
-- col: viewing_facilities 閲覧した施設数（施設）
SELECT
    coalesce(v.municipality, '（市町なし）') AS viewing_municipality,
    d.name AS disclosing_facility,
    count(*) AS views,
    count(DISTINCT e.facility_id) AS viewing_facilities
FROM view_events AS e
JOIN facilities AS v ON v.facility_id = e.facility_id
JOIN facilities AS d ON d.facility_id = e.disclosing_facility_id
WHERE in_12m(e.occurred_at, $month)
GROUP BY 1, 2
ORDER BY views DESC, viewing_municipality, disclosing_facility;
