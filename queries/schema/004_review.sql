-- renkei schema, version 4: the monthly access-log review (アクセスログ監査, 安全管理
-- ガイドライン 6.0 システム運用編 §17). The review's cases, their findings, the officer's
-- decisions (append-only: who recorded what, when) and the explanations a 正当 verdict
-- leaves behind. Only pseudonyms: no raw user or patient ID is ever stored.

-- ■ 監査の定義（queries/review/ の規則が使う）
-- ダウンロード。
CREATE MACRO is_download(action) AS action = 'ダウンロード';
COMMENT ON MACRO is_download IS 'ダウンロードか: is_download(action)';
-- 見る操作: 閲覧とダウンロード。説明が要るのはこの操作。
CREATE MACRO is_look(action) AS is_view(action) OR is_download(action);
COMMENT ON MACRO is_look IS '監査で説明が要る操作か（閲覧・ダウンロード）: is_look(action)';
-- 記録する操作: 登録と更新。施設がその患者を診ている根拠になる。
CREATE MACRO is_record(action) AS action IN ('登録', '更新');
COMMENT ON MACRO is_record IS '診療の根拠になる操作か（登録・更新）: is_record(action)';
-- 日時 t の n 日後（n が負なら前）。
CREATE MACRO days_after(t, n) AS t + to_days(CAST(n AS INTEGER));
COMMENT ON MACRO days_after IS 'n 日後の日時: days_after(日時, n)';
-- 日時 t の n 時間後。
CREATE MACRO hours_after(t, n) AS t + to_hours(CAST(n AS INTEGER));
COMMENT ON MACRO hours_after IS 'n 時間後の日時: hours_after(日時, n)';

CREATE TABLE review_runs (
    month DATE NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    looks BIGINT NOT NULL,
    explained BIGINT NOT NULL,
    cases INTEGER NOT NULL,
    thresholds VARCHAR NOT NULL,
    recorded_by VARCHAR NOT NULL
);
COMMENT ON TABLE review_runs IS '点検を実施した記録（月ごと、実施のたびに1行。点検が毎月行われた証跡）';
COMMENT ON COLUMN review_runs.month IS '対象月（月初日）';
COMMENT ON COLUMN review_runs.reviewed_at IS '実施した日時（日本時間）';
COMMENT ON COLUMN review_runs.looks IS '点検した閲覧・ダウンロード（件）';
COMMENT ON COLUMN review_runs.explained IS 'そのうち説明のついたもの（件）';
COMMENT ON COLUMN review_runs.cases IS 'その月の事案（件）';
COMMENT ON COLUMN review_runs.thresholds IS '使った閾値（[audit] の JSON）';
COMMENT ON COLUMN review_runs.recorded_by IS '実施した人（OS の利用者名、定期実行なら daemon）';

CREATE TABLE review_cases (
    case_id VARCHAR PRIMARY KEY,
    month DATE NOT NULL,
    user_key UUID NOT NULL,
    facility_id INTEGER,
    rules VARCHAR NOT NULL,
    patients INTEGER NOT NULL,
    events INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    first_at TIMESTAMP NOT NULL,
    last_at TIMESTAMP NOT NULL,
    opened_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE review_cases IS '監査の事案（利用者ごと・月ごとに1件）';
COMMENT ON COLUMN review_cases.case_id IS '事案番号（月と利用者の仮名の先頭）';
COMMENT ON COLUMN review_cases.month IS '対象月（月初日）';
COMMENT ON COLUMN review_cases.user_key IS '利用者の仮名';
COMMENT ON COLUMN review_cases.facility_id IS '利用者の施設（その月に最も多く操作した施設）';
COMMENT ON COLUMN review_cases.rules IS '当たった規則（コンマ区切りの英字コード）';
COMMENT ON COLUMN review_cases.patients IS '所見のある患者の数（人）';
COMMENT ON COLUMN review_cases.events IS '所見のある操作の数（件）';
COMMENT ON COLUMN review_cases.priority IS '優先度（大きいほど先に見る）';
COMMENT ON COLUMN review_cases.first_at IS '最初の所見の日時（日本時間）';
COMMENT ON COLUMN review_cases.last_at IS '最後の所見の日時（日本時間）';
COMMENT ON COLUMN review_cases.opened_at IS '事案を作った日時（日本時間）';

CREATE TABLE review_findings (
    case_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    facility_id INTEGER,
    patient_key UUID,
    events INTEGER NOT NULL,
    first_at TIMESTAMP NOT NULL,
    last_at TIMESTAMP NOT NULL,
    detail VARCHAR
);
COMMENT ON TABLE review_findings IS '事案の所見（規則・患者ごと）';
COMMENT ON COLUMN review_findings.case_id IS '事案番号';
COMMENT ON COLUMN review_findings.rule IS '規則（英字コード）';
COMMENT ON COLUMN review_findings.facility_id IS '操作した施設';
COMMENT ON COLUMN review_findings.patient_key IS '患者の仮名（規則が患者によらなければ空）';
COMMENT ON COLUMN review_findings.events IS '操作の数（件）';
COMMENT ON COLUMN review_findings.first_at IS '最初の操作の日時';
COMMENT ON COLUMN review_findings.last_at IS '最後の操作の日時';
COMMENT ON COLUMN review_findings.detail IS '所見の数値（1時間の患者数など）';

CREATE TABLE review_decisions (
    case_id VARCHAR NOT NULL,
    state VARCHAR NOT NULL CHECK (state IN ('照会中', '回答', '判定', '完了')),
    verdict VARCHAR CHECK (verdict IN ('正当', '指導', '違反', '誤検知')),
    note VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE review_decisions IS '事案の経過と判定（追記のみ。最新の行が今の状態、なければ新規）';
COMMENT ON COLUMN review_decisions.case_id IS '事案番号';
COMMENT ON COLUMN review_decisions.state IS '状態（照会中・回答・判定・完了）';
COMMENT ON COLUMN review_decisions.verdict IS '判定（正当・指導・違反・誤検知）';
COMMENT ON COLUMN review_decisions.note IS 'メモ';
COMMENT ON COLUMN review_decisions.recorded_by IS '記録した人（OS の利用者名）';
COMMENT ON COLUMN review_decisions.recorded_at IS '記録した日時（日本時間）';

-- 事案の今の状態: 最新の記録の状態と判定（記録がなければ新規、判定はまだなければ空）。
-- 事案の一覧・報告・理事会の件数・照会は、すべてこれで状態を読む。
CREATE VIEW review_case_states AS
SELECT c.case_id, c.month, c.user_key, c.facility_id, c.opened_at,
    coalesce(d.state, '新規') AS state, d.verdict, d.decided_at
FROM review_cases AS c
LEFT JOIN (
    SELECT case_id, arg_max(state, recorded_at) AS state, arg_max(verdict, recorded_at) AS verdict,
        max(recorded_at) AS decided_at
    FROM review_decisions
    GROUP BY case_id
) AS d USING (case_id);
COMMENT ON VIEW review_case_states IS '事案の今の状態（最新の記録の状態と判定、記録がなければ新規）';

CREATE TABLE review_explanations (
    user_key UUID NOT NULL,
    patient_key UUID NOT NULL,
    case_id VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE review_explanations IS '正当と判定された利用者と患者の組（同じ組は再び挙げない）';
COMMENT ON COLUMN review_explanations.user_key IS '利用者の仮名';
COMMENT ON COLUMN review_explanations.patient_key IS '患者の仮名';
COMMENT ON COLUMN review_explanations.case_id IS '正当と判定した事案';
COMMENT ON COLUMN review_explanations.recorded_at IS '記録した日時（日本時間）';
