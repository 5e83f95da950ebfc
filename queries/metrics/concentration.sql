-- 利用の集中度
-- 問い: 直近12か月の操作件数は一部の施設に偏っているか。上位10施設の占める割合と、
--       参加施設（使わなかった施設を 0 件として含む）の操作件数のジニ係数。
-- param: month MONTH 対象月（月初日、この月までの12か月）
-- col: facilities 参加施設数（施設）
-- col: events 操作件数（件）
-- col: top10_events 上位10施設の操作件数（件）
-- col: top10_share 上位10施設の割合（0〜1）
-- col: gini ジニ係数（0＝均等、1に近いほど集中）
WITH members AS (
    SELECT facility_id
    FROM facilities
    WHERE member_during(joined_on, left_on, window_12m_start($month), month_stop($month))
),
per_facility AS (
    SELECT m.facility_id, count(u.facility_id) AS events
    FROM members AS m
    LEFT JOIN access_events AS u
      ON u.facility_id = m.facility_id AND in_12m(u.occurred_at, $month)
    GROUP BY m.facility_id
),
ranked AS (
    SELECT events,
           row_number() OVER (ORDER BY events DESC, facility_id) AS rank_desc,
           row_number() OVER (ORDER BY events, facility_id) AS rank_asc
    FROM per_facility
)
SELECT
    count(*) AS facilities,
    coalesce(sum(events), 0) AS events,
    coalesce(sum(events) FILTER (WHERE rank_desc <= 10), 0) AS top10_events,
    CASE WHEN sum(events) > 0 THEN sum(events) FILTER (WHERE rank_desc <= 10) / sum(events) END AS top10_share,
    CASE WHEN sum(events) > 0
         THEN 2.0 * sum(rank_asc * events) / (count(*) * sum(events)) - (count(*) + 1.0) / count(*) END AS gini
FROM ranked;
