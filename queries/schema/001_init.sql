-- renkei schema, version 1 (DESIGN.md "Tables"). Append-only: a change is a new file.
-- Money is whole yen (BIGINT). Timestamps are TIMESTAMP holding JST wall-clock time
-- (no time-zone types: the bundled DuckDB has no ICU). Months are DATE (first day),
-- fiscal years INTEGER (the Gregorian year in which April falls).

CREATE TABLE store_meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
COMMENT ON TABLE store_meta IS 'ストアの管理情報（仮名化鍵の指紋など）';

CREATE TABLE facilities (
    facility_id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR,
    municipality VARCHAR,
    joined_on DATE,
    left_on DATE,
    publishes_images BOOLEAN NOT NULL DEFAULT false,
    name_key VARCHAR NOT NULL UNIQUE
);
COMMENT ON TABLE facilities IS '参加施設（名簿から）';
COMMENT ON COLUMN facilities.facility_id IS '施設番号（renkei が付与）';
COMMENT ON COLUMN facilities.name IS '施設名（名簿の表記）';
COMMENT ON COLUMN facilities.kind IS '種別（病院・診療所・歯科診療所・薬局・訪問看護・介護施設・検査会社）';
COMMENT ON COLUMN facilities.municipality IS '所在市町';
COMMENT ON COLUMN facilities.joined_on IS '加入日';
COMMENT ON COLUMN facilities.left_on IS '退会日';
COMMENT ON COLUMN facilities.publishes_images IS '画像公開サーバーの有無';
COMMENT ON COLUMN facilities.name_key IS '照合用の正規化名（NFKC・異体字統一）';

CREATE TABLE facility_aliases (
    alias VARCHAR NOT NULL,
    facility_id INTEGER NOT NULL,
    alias_key VARCHAR PRIMARY KEY
);
COMMENT ON TABLE facility_aliases IS '施設名の別名（ログ等の表記ゆれ）';
COMMENT ON COLUMN facility_aliases.alias IS '別名（入力ファイルの表記）';
COMMENT ON COLUMN facility_aliases.facility_id IS '施設番号';
COMMENT ON COLUMN facility_aliases.alias_key IS '照合用の正規化名';

CREATE TABLE membership_fees (
    fiscal_year INTEGER NOT NULL,
    facility_id INTEGER NOT NULL,
    fee_yen BIGINT NOT NULL,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE membership_fees IS '年度別の参加会費';
COMMENT ON COLUMN membership_fees.fiscal_year IS '年度（4月が属する西暦年）';
COMMENT ON COLUMN membership_fees.facility_id IS '施設番号';
COMMENT ON COLUMN membership_fees.fee_yen IS '年会費（円）';
COMMENT ON COLUMN membership_fees.source_file_id IS '取込ファイル番号';

CREATE TABLE access_events (
    occurred_at TIMESTAMP NOT NULL,
    system VARCHAR NOT NULL,
    user_key VARCHAR,
    facility_id INTEGER NOT NULL,
    patient_key VARCHAR,
    disclosing_facility_id INTEGER,
    data_type VARCHAR,
    action VARCHAR NOT NULL,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE access_events IS 'アクセスログ（1行1操作、ID は仮名化済み）';
COMMENT ON COLUMN access_events.occurred_at IS '日時（日本時間）';
COMMENT ON COLUMN access_events.system IS 'システム（ID-Link・Team など）';
COMMENT ON COLUMN access_events.user_key IS '利用者の仮名（HMAC-SHA256）';
COMMENT ON COLUMN access_events.facility_id IS '利用施設の施設番号';
COMMENT ON COLUMN access_events.patient_key IS '患者の仮名（HMAC-SHA256）';
COMMENT ON COLUMN access_events.disclosing_facility_id IS '開示施設の施設番号';
COMMENT ON COLUMN access_events.data_type IS 'データ種別（画像・検査・処方・文書など）';
COMMENT ON COLUMN access_events.action IS '操作（閲覧・登録など）';
COMMENT ON COLUMN access_events.source_file_id IS '取込ファイル番号';

CREATE TABLE image_views (
    month DATE NOT NULL,
    disclosing_facility_id INTEGER NOT NULL,
    viewing_facility_id INTEGER,
    views BIGINT NOT NULL,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE image_views IS '画像閲覧回数（月別・公開病院別）';
COMMENT ON COLUMN image_views.month IS '月（月初日）';
COMMENT ON COLUMN image_views.disclosing_facility_id IS '画像を公開した病院の施設番号';
COMMENT ON COLUMN image_views.viewing_facility_id IS '閲覧した施設の施設番号（不明なら空）';
COMMENT ON COLUMN image_views.views IS '閲覧回数（件）';
COMMENT ON COLUMN image_views.source_file_id IS '取込ファイル番号';

CREATE TABLE enrollments (
    month DATE NOT NULL,
    facility_id INTEGER,
    municipality VARCHAR,
    registered_patients BIGINT NOT NULL,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE enrollments IS '登録患者数（同意取得済み、月別）';
COMMENT ON COLUMN enrollments.month IS '月（月初日）';
COMMENT ON COLUMN enrollments.facility_id IS '施設番号（施設別の場合）';
COMMENT ON COLUMN enrollments.municipality IS '市町（市町別の場合）';
COMMENT ON COLUMN enrollments.registered_patients IS '登録患者数（人）';
COMMENT ON COLUMN enrollments.source_file_id IS '取込ファイル番号';

CREATE TABLE invoices (
    vendor VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    fiscal_year INTEGER NOT NULL,
    period_start DATE,
    period_end DATE,
    amount_yen BIGINT NOT NULL,
    approximate BOOLEAN NOT NULL DEFAULT false,
    facility_id INTEGER,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE invoices IS '運営費の請求・契約（システム利用料・保守料）';
COMMENT ON COLUMN invoices.vendor IS '業者';
COMMENT ON COLUMN invoices.service IS 'サービス（ID-Link・Team・その他保守など）';
COMMENT ON COLUMN invoices.fiscal_year IS '年度';
COMMENT ON COLUMN invoices.period_start IS '期間の初日';
COMMENT ON COLUMN invoices.period_end IS '期間の末日';
COMMENT ON COLUMN invoices.amount_yen IS '金額（円）';
COMMENT ON COLUMN invoices.approximate IS '概算（約）かどうか';
COMMENT ON COLUMN invoices.facility_id IS '施設番号（施設別の場合）';
COMMENT ON COLUMN invoices.source_file_id IS '取込ファイル番号';

CREATE TABLE quotes (
    fiscal_year INTEGER NOT NULL,
    vendor VARCHAR,
    facility_id INTEGER,
    item VARCHAR NOT NULL,
    grade VARCHAR,
    amount_yen BIGINT NOT NULL,
    approximate BOOLEAN NOT NULL DEFAULT false,
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE quotes IS '更新見積（施設別・サーバーグレード別）';
COMMENT ON COLUMN quotes.fiscal_year IS '年度';
COMMENT ON COLUMN quotes.vendor IS '業者';
COMMENT ON COLUMN quotes.facility_id IS '施設番号';
COMMENT ON COLUMN quotes.item IS '品目';
COMMENT ON COLUMN quotes.grade IS 'サーバーグレード（画像公開・標準）';
COMMENT ON COLUMN quotes.amount_yen IS '金額（円）';
COMMENT ON COLUMN quotes.approximate IS '概算（約）かどうか';
COMMENT ON COLUMN quotes.source_file_id IS '取込ファイル番号';

CREATE TABLE budget (
    fiscal_year INTEGER NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('income', 'expense')),
    item VARCHAR NOT NULL,
    municipality VARCHAR,
    amount_yen BIGINT NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('budget', 'settled')),
    source_file_id INTEGER NOT NULL
);
COMMENT ON TABLE budget IS '協議会の予算・決算';
COMMENT ON COLUMN budget.fiscal_year IS '年度';
COMMENT ON COLUMN budget.direction IS '収入 income / 支出 expense';
COMMENT ON COLUMN budget.item IS '科目';
COMMENT ON COLUMN budget.municipality IS '自治体負担の市町';
COMMENT ON COLUMN budget.amount_yen IS '金額（円）';
COMMENT ON COLUMN budget.stage IS '予算 budget / 決算 settled';
COMMENT ON COLUMN budget.source_file_id IS '取込ファイル番号';

CREATE TABLE municipalities (
    name VARCHAR PRIMARY KEY,
    code VARCHAR,
    population BIGINT
);
COMMENT ON TABLE municipalities IS '関係市町';
COMMENT ON COLUMN municipalities.name IS '市町名';
COMMENT ON COLUMN municipalities.code IS '全国地方公共団体コード';
COMMENT ON COLUMN municipalities.population IS '人口（人）';

CREATE TABLE ingested_files (
    source_file_id INTEGER PRIMARY KEY,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE ingested_files IS '取り込んだファイル（sha256 で同一を判定）';
COMMENT ON COLUMN ingested_files.source_file_id IS '取込ファイル番号';
COMMENT ON COLUMN ingested_files.path IS 'ファイルのパス';
COMMENT ON COLUMN ingested_files.sha256 IS '内容の SHA-256';
COMMENT ON COLUMN ingested_files.source IS '入力の種類（access_log・roster・invoices など）';
COMMENT ON COLUMN ingested_files.rows_loaded IS '取り込んだ行数';
COMMENT ON COLUMN ingested_files.rows_quarantined IS '保留にした行数';
COMMENT ON COLUMN ingested_files.ingested_at IS '取込日時（日本時間）';

CREATE TABLE quarantine (
    source_file_id INTEGER NOT NULL,
    row_number BIGINT NOT NULL,
    column_name VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    hint VARCHAR
);
COMMENT ON TABLE quarantine IS '取り込めなかった行（理由つき、ID の値は伏せる）';
COMMENT ON COLUMN quarantine.source_file_id IS '取込ファイル番号';
COMMENT ON COLUMN quarantine.row_number IS '行番号（Excel の行番号、CSV はデータの行番号）';
COMMENT ON COLUMN quarantine.column_name IS '列（列記号と見出し）';
COMMENT ON COLUMN quarantine.value IS '値（ID は伏せ字）';
COMMENT ON COLUMN quarantine.reason IS '理由';
COMMENT ON COLUMN quarantine.hint IS '対処';

CREATE TABLE deliveries (
    report_id VARCHAR NOT NULL,
    recipient VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    message_id VARCHAR NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    sent_at TIMESTAMP,
    PRIMARY KEY (report_id, recipient)
);
COMMENT ON TABLE deliveries IS '送信台帳（報告×宛先ごと）';
COMMENT ON COLUMN deliveries.report_id IS '報告ID（board-2025-07 など）';
COMMENT ON COLUMN deliveries.recipient IS '宛先';
COMMENT ON COLUMN deliveries.status IS '状態（outbox・sent・failed・unknown）';
COMMENT ON COLUMN deliveries.message_id IS 'Message-ID';
COMMENT ON COLUMN deliveries.attempts IS '試行回数';
COMMENT ON COLUMN deliveries.last_error IS '最後のエラー';
COMMENT ON COLUMN deliveries.sent_at IS '送信日時（日本時間）';

CREATE TABLE runs (
    job VARCHAR NOT NULL,
    scheduled_for TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,
    detail VARCHAR
);
COMMENT ON TABLE runs IS '定期実行の記録（取りこぼしの補完と履歴）';
COMMENT ON COLUMN runs.job IS 'ジョブ名';
COMMENT ON COLUMN runs.scheduled_for IS '予定日時（日本時間）';
COMMENT ON COLUMN runs.started_at IS '開始日時（日本時間）';
COMMENT ON COLUMN runs.finished_at IS '終了日時（日本時間）';
COMMENT ON COLUMN runs.status IS '状態';
COMMENT ON COLUMN runs.detail IS '詳細';
