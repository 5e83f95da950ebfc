-- 施設別の利用（1か月）
-- 問い: ある月に、加入中の各施設が何件使い、何人の患者の情報を見たか。使っていない施設も0件で並べる（その月のアクセスログがなければ件数は空）。
-- param: month MONTH 対象月（例: 2025-07、令和7年7月）
-- col: 施設名
-- col: 種別
-- col: 市町
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 患者数 人
-- col: 情報が閲覧された件数 件（自施設の情報を他施設が閲覧した件数）
WITH logged AS (SELECT has_log($month) AS has_log),
operated AS (
    SELECT facility_id, count(*) AS events, count(*) FILTER (WHERE is_view(action)) AS views,
           count(DISTINCT patient_key) AS patients
    FROM access_events
    WHERE in_month(occurred_at, $month)
    GROUP BY facility_id
),
disclosed AS (
    SELECT facility_id, count(*) AS disclosed
    FROM facility_uses
    WHERE role = 'disclosed' AND in_month(occurred_at, $month)
    GROUP BY facility_id
)
SELECT
    f.name AS "施設名",
    f.kind AS "種別",
    f.municipality AS "市町",
    CASE WHEN logged.has_log THEN coalesce(o.events, 0) END AS "操作件数",
    CASE WHEN logged.has_log THEN coalesce(o.views, 0) END AS "閲覧件数",
    CASE WHEN logged.has_log THEN coalesce(o.patients, 0) END AS "患者数",
    CASE WHEN logged.has_log THEN coalesce(d.disclosed, 0) END AS "情報が閲覧された件数"
FROM facilities AS f
CROSS JOIN logged
LEFT JOIN operated AS o USING (facility_id)
LEFT JOIN disclosed AS d USING (facility_id)
WHERE member_in_month(f.joined_on, f.left_on, $month)
ORDER BY "操作件数" DESC NULLS LAST, "施設名";
