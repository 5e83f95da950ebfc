-- 会費と利用の比較（年度）
-- 問い: ある年度に、各施設が払った会費の割合と、使った割合は釣り合っているか（会費の公平性）。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7）
-- options: fiscal_year SELECT DISTINCT fiscal_year_of(month) FROM access_log_months ORDER BY 1 DESC
-- col: 施設名
-- col: 種別
-- col: 年会費 円
-- col: 会費の割合 0〜1
-- col: 利用件数 件（職員の操作と、自施設の情報の閲覧）
-- col: 利用の割合 0〜1
-- col: 利用÷会費の比
WITH use AS (
    SELECT facility_id, count(*) AS uses
    FROM facility_uses
    WHERE in_fiscal_year(occurred_at, $fiscal_year)
    GROUP BY facility_id
),
joined AS (
    SELECT f.name, f.kind, m.fee_yen, coalesce(u.uses, 0) AS uses
    FROM membership_fees AS m
    JOIN facilities AS f USING (facility_id)
    LEFT JOIN use AS u USING (facility_id)
    WHERE m.fiscal_year = $fiscal_year
)
SELECT
    name AS "施設名",
    kind AS "種別",
    fee_yen AS "年会費",
    round(fee_yen / nullif(sum(fee_yen) OVER (), 0), 4) AS "会費の割合",
    uses AS "利用件数",
    round(uses / nullif(sum(uses) OVER (), 0), 4) AS "利用の割合",
    round((uses / nullif(sum(uses) OVER (), 0)) / nullif(fee_yen / nullif(sum(fee_yen) OVER (), 0), 0), 2) AS "利用÷会費の比"
FROM joined
ORDER BY fee_yen DESC, "施設名";
