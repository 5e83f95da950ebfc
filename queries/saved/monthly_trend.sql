-- 月別の推移（年度）
-- 問い: ある年度の各月に、何件使われ、何人の患者・何施設が使ったか。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7）
-- col: 月
-- col: 操作件数 件
-- col: 閲覧件数 件
-- col: 画像閲覧件数 件
-- col: 患者数 人
-- col: 稼働施設数
SELECT
    CAST(date_trunc('month', occurred_at) AS DATE) AS "月",
    count(*) AS "操作件数",
    count(*) FILTER (WHERE action = '閲覧') AS "閲覧件数",
    count(*) FILTER (WHERE action = '閲覧' AND data_type = '画像') AS "画像閲覧件数",
    count(DISTINCT patient_key) AS "患者数",
    count(DISTINCT facility_id) AS "稼働施設数"
FROM access_events
WHERE occurred_at >= make_date($fiscal_year, 4, 1) AND occurred_at < make_date($fiscal_year + 1, 4, 1)
GROUP BY 1
ORDER BY 1;
