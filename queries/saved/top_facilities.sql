-- 利用の多い施設（年度）
-- 問い: ある年度に最もよく使った施設はどこで、上位の施設で全体の何割を占めるか（利用の集中）。
-- param: fiscal_year FISCAL_YEAR 年度（例: R7）
-- options: fiscal_year SELECT DISTINCT fiscal_year_of(month) FROM access_log_months ORDER BY 1 DESC
-- param: top INTEGER 上位何施設まで（例: 10）
-- col: 順位
-- col: 施設名
-- col: 種別
-- col: 操作件数 件
-- col: 割合 0〜1
-- col: 累積割合 0〜1
WITH use AS (
    SELECT f.name, f.kind, count(*) AS events
    FROM access_events AS e JOIN facilities AS f USING (facility_id)
    WHERE in_fiscal_year(e.occurred_at, $fiscal_year)
    GROUP BY f.name, f.kind
),
ranked AS (
    SELECT
        row_number() OVER (ORDER BY events DESC, name) AS rank,
        name, kind, events,
        events / sum(events) OVER () AS share
    FROM use
)
SELECT
    rank AS "順位",
    name AS "施設名",
    kind AS "種別",
    events AS "操作件数",
    round(share, 3) AS "割合",
    round(sum(share) OVER (ORDER BY rank), 3) AS "累積割合"
FROM ranked
WHERE rank <= $top
ORDER BY rank;
