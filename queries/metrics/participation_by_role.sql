-- 役割別の参加施設
-- 問い: 直近12か月に、種別ごとの参加施設のうち何施設が情報を開示し（その施設の情報が
--       閲覧された）、何施設が閲覧したか。開示も閲覧もしない施設はいくつか。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- col: kind 種別
-- col: participating_facilities 参加施設数（施設）
-- col: disclosing_facilities 開示施設数（施設、情報が閲覧された施設）
-- col: viewing_facilities 閲覧施設数（施設、閲覧した施設）
-- col: idle_facilities どちらもない施設数（施設）
WITH members AS (
    SELECT facility_id, coalesce(kind, '（種別なし）') AS kind
    FROM facilities
    WHERE member_in_month(joined_on, left_on, $month)
),
views AS (
    SELECT facility_id, disclosing_facility_id
    FROM view_events
    WHERE in_12m(occurred_at, $month)
),
disclosing AS (SELECT DISTINCT disclosing_facility_id AS facility_id FROM views),
viewing AS (SELECT DISTINCT facility_id FROM views)
SELECT
    m.kind,
    count(*) AS participating_facilities,
    count(d.facility_id) AS disclosing_facilities,
    count(v.facility_id) AS viewing_facilities,
    count(*) FILTER (WHERE d.facility_id IS NULL AND v.facility_id IS NULL) AS idle_facilities
FROM members AS m
LEFT JOIN disclosing AS d USING (facility_id)
LEFT JOIN viewing AS v USING (facility_id)
GROUP BY m.kind
ORDER BY participating_facilities DESC, m.kind;
