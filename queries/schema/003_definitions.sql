-- 共通の定義（年度・月・直近12か月・会員・閲覧・利用・データのある月・運営費・見積）
-- 指標（queries/metrics/）と保存済みの問い合わせ（queries/saved/）は、ここにある定義を
-- 使い、同じことを書き直さない。定義を変えるときは、新しい番号のファイルで
-- CREATE OR REPLACE する（スキーマのファイルは追記だけ）。
-- マクロは DuckDB のもの。Spark で同じ問い合わせを動かすときは、同じ名前の関数・ビューを
-- 定義する（DESIGN「Scale past one machine」）。

-- ■ 暦
-- 年度: 4月〜翌年3月。4月が属する西暦年で表す（2025 = 令和7年度 = 2025年4月〜2026年3月）。
CREATE MACRO fiscal_year_of(d) AS CASE WHEN month(d) >= 4 THEN year(d) ELSE year(d) - 1 END;
COMMENT ON MACRO fiscal_year_of IS '年度（4月が属する西暦年）: fiscal_year_of(日付)';
-- 年度の最初の日（4月1日）。
CREATE MACRO fiscal_year_start(fy) AS make_date(CAST(fy AS INTEGER), 4, 1);
COMMENT ON MACRO fiscal_year_start IS '年度の最初の日（4月1日）: fiscal_year_start(年度)';
-- 年度の次の日（翌年度の4月1日）。期間は「start 以上 stop 未満」で表す。
CREATE MACRO fiscal_year_stop(fy) AS make_date(CAST(fy AS INTEGER) + 1, 4, 1);
COMMENT ON MACRO fiscal_year_stop IS '年度の次の日（翌年度の4月1日）: fiscal_year_stop(年度)';
-- 日時・日付の属する月（月初日）。
CREATE MACRO month_of(t) AS CAST(date_trunc('month', t) AS DATE);
COMMENT ON MACRO month_of IS '日時・日付の属する月（月初日）: month_of(日時)';
-- 月 m の n か月後の月初日（n が負なら前）。
CREATE MACRO month_add(m, n) AS CAST(CAST(m AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE);
COMMENT ON MACRO month_add IS 'n か月後の月初日（n が負なら前）: month_add(月, n)';
-- 月 m の次の日（翌月1日）。
CREATE MACRO month_stop(m) AS month_add(m, 1);
COMMENT ON MACRO month_stop IS '月の次の日（翌月1日）: month_stop(月)';
-- 月 m で終わる12か月（直近12か月）の最初の月。
CREATE MACRO window_12m_start(m) AS month_add(m, -11);
COMMENT ON MACRO window_12m_start IS 'その月で終わる12か月の最初の月: window_12m_start(月)';
-- 日時 t が月 m に入るか。
CREATE MACRO in_month(t, m) AS t >= CAST(m AS DATE) AND t < month_stop(m);
COMMENT ON MACRO in_month IS '日時がその月に入るか: in_month(日時, 月)';
-- 日時 t が月 m で終わる12か月に入るか。
CREATE MACRO in_12m(t, m) AS t >= window_12m_start(m) AND t < month_stop(m);
COMMENT ON MACRO in_12m IS '日時がその月で終わる12か月に入るか: in_12m(日時, 月)';
-- 日時 t が年度 fy に入るか。
CREATE MACRO in_fiscal_year(t, fy) AS t >= fiscal_year_start(fy) AND t < fiscal_year_stop(fy);
COMMENT ON MACRO in_fiscal_year IS '日時がその年度に入るか: in_fiscal_year(日時, 年度)';

-- ■ 会員
-- 期間（start 以上 stop 未満）のどこかで加入していた: 加入日が期間の終わりより前で、
-- 退会日がないか期間の初日以後。退会日はその日まで会員だった日として扱う
-- （3月31日退会の施設は3月の会員）。その月の会員 = member_during(..., m, month_stop(m))。
CREATE MACRO member_during(joined_on, left_on, start, stop) AS
    (joined_on IS NULL OR joined_on < stop) AND (left_on IS NULL OR left_on >= start);
COMMENT ON MACRO member_during IS '期間（start 以上 stop 未満）のどこかで加入していたか: member_during(加入日, 退会日, start, stop)';
-- 月 m に加入していたか。
CREATE MACRO member_in_month(joined_on, left_on, m) AS member_during(joined_on, left_on, CAST(m AS DATE), month_stop(m));
COMMENT ON MACRO member_in_month IS 'その月に加入していたか: member_in_month(加入日, 退会日, 月)';

-- ■ 閲覧と利用
-- 閲覧: 操作のうち、他施設の情報を見たもの（action が「閲覧」）。
CREATE MACRO is_view(action) AS action = '閲覧';
COMMENT ON MACRO is_view IS '閲覧か（action が「閲覧」）: is_view(action)';
-- 画像: 情報の種類（data_type）が「画像」。画像の閲覧 = is_view(action) AND is_image(data_type)。
CREATE MACRO is_image(data_type) AS data_type = '画像';
COMMENT ON MACRO is_image IS '画像か（data_type が「画像」）: is_image(data_type)';
CREATE VIEW view_events AS
SELECT * FROM access_events WHERE is_view(action);
COMMENT ON VIEW view_events IS '閲覧（操作のうち action が「閲覧」のもの）';

-- 施設の利用: その施設の職員が操作したこと（role = operated）と、その施設の情報が
-- 閲覧されたこと（role = disclosed、検査会社や病院は開示で使う）。稼働施設・未利用の
-- 会員・会費と利用の釣り合いは、すべてこの定義で数える。
CREATE VIEW facility_uses AS
SELECT facility_id, occurred_at, system, data_type, 'operated' AS role
FROM access_events
UNION ALL
SELECT disclosing_facility_id, occurred_at, system, data_type, 'disclosed'
FROM view_events
WHERE disclosing_facility_id IS NOT NULL AND disclosing_facility_id <> facility_id;
COMMENT ON VIEW facility_uses IS '施設の利用（職員の操作 operated と、自施設の情報の閲覧 disclosed）';

-- ■ データのある月
-- アクセスログが1件でもある月。ない月は「データなし」で、0件とは扱わない。
CREATE VIEW access_log_months AS
SELECT DISTINCT month_of(occurred_at) AS month FROM access_events;
COMMENT ON VIEW access_log_months IS 'アクセスログのある月（ない月はデータなし、0件ではない）';
-- 月 m のアクセスログがあるか（1か月だけを見るときはこちら: その月の行を1件探すだけで済む）。
CREATE MACRO has_log(m) AS EXISTS (SELECT 1 FROM access_events WHERE in_month(occurred_at, m));
COMMENT ON MACRO has_log IS 'その月のアクセスログがあるか: has_log(月)';
-- 画像閲覧回数の表が1行でもある月。
CREATE VIEW image_view_months AS
SELECT DISTINCT month FROM image_views;
COMMENT ON VIEW image_view_months IS '画像閲覧回数の表のある月';

-- ■ 運営費（年度のシステム利用料・保守料）
-- その年度の請求・契約（invoices）があればその合計（basis = invoices）。なければ予算の
-- システム委託の支出行（科目に「システム」を含む、basis = budget）。それもなければ、
-- それより前で請求のある最新の年度の実績（basis = earlier_invoices、basis_year がその年度）。
CREATE MACRO running_cost(fy) AS TABLE
WITH billed AS (
    SELECT fiscal_year, sum(amount_yen) AS yen, bool_or(approximate) AS approximate
    FROM invoices
    WHERE fiscal_year <= fy
    GROUP BY fiscal_year
),
budgeted AS (
    SELECT sum(amount_yen) AS yen
    FROM budget
    WHERE fiscal_year = fy AND stage = 'budget' AND direction = 'expense' AND item LIKE '%システム%'
),
candidates AS (
    SELECT 1 AS pick, 'invoices' AS basis, fiscal_year AS basis_year, yen, approximate FROM billed WHERE fiscal_year = fy
    UNION ALL
    SELECT 2, 'budget', fy, yen, false FROM budgeted WHERE yen IS NOT NULL
    UNION ALL
    SELECT 3, 'earlier_invoices', fiscal_year, yen, approximate
    FROM billed WHERE fiscal_year = (SELECT max(fiscal_year) FROM billed WHERE fiscal_year < fy)
)
SELECT basis, CAST(basis_year AS INTEGER) AS basis_year, CAST(yen AS BIGINT) AS yen, approximate
FROM candidates
ORDER BY pick
LIMIT 1;
COMMENT ON MACRO TABLE running_cost IS '年度の運営費と出典（invoices 請求・契約、budget 予算、earlier_invoices 前の年度の実績）: running_cost(年度)';

-- ■ 見積
-- 月 m に使う更新見積の年度: リース中（見積の年度 ≦ m の年度 < 見積の年度 + リース年数）
-- のうち最新のもの、なければ m より後の最も近い年度（次の更新の見積）。
CREATE MACRO quote_year_for(m, lease_years) AS coalesce(
    (SELECT max(fiscal_year) FROM quotes
     WHERE fiscal_year <= fiscal_year_of(CAST(m AS DATE))
       AND fiscal_year + lease_years > fiscal_year_of(CAST(m AS DATE))),
    (SELECT min(fiscal_year) FROM quotes WHERE fiscal_year > fiscal_year_of(CAST(m AS DATE)))
);
COMMENT ON MACRO quote_year_for IS 'その月に使う更新見積の年度（リース中、なければ次の更新）: quote_year_for(月, リース年数)';
