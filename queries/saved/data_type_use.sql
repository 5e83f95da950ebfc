-- データ種別ごとの閲覧（年度）
-- 問い: ある年度に、画像・検査・処方・文書などのどの情報が、どのシステムで何回見られたか。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7）
-- options: fiscal_year SELECT DISTINCT fiscal_year_of(month) FROM access_log_months ORDER BY 1 DESC
-- col: システム
-- col: データ種別
-- col: 閲覧件数 件
-- col: 患者数 人
-- col: 閲覧した施設数
SELECT
    system AS "システム",
    coalesce(data_type, '（なし）') AS "データ種別",
    count(*) AS "閲覧件数",
    count(DISTINCT patient_key) AS "患者数",
    count(DISTINCT facility_id) AS "閲覧した施設数"
FROM view_events
WHERE in_fiscal_year(occurred_at, $fiscal_year)
GROUP BY 1, 2
ORDER BY 1, 3 DESC;
