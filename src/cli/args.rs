//! What the user typed: clap derive, where doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ingest::SourceKind;

/// renkei (連携): 地域医療連携ネットワークの利用と費用を集計し、報告をメールで届けます。
#[derive(Debug, Parser)]
#[command(name = "renkei", version)]
pub struct Cli {
    /// 設定ファイル（既定: ./renkei.toml、なくても動きます）
    #[arg(long, global = true, env = "RENKEI_CONFIG")]
    pub config: Option<PathBuf>,
    /// 詳しいログを出す（-vv でさらに詳しく）
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// エラー以外のログを出さない
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// 実行するコマンド
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 注釈つきの renkei.toml と作業フォルダを作る
    Init {
        /// 作成先のフォルダ（既定: 現在のフォルダ）
        dir: Option<PathBuf>,
    },
    /// 見本の入力ファイルを作り、取り込み、理事会報告を outbox に届ける
    Demo(DemoArgs),
    /// ファイル（またはフォルダ）を取り込む（既定: 受付フォルダ）
    Ingest(IngestArgs),
    /// 施設名の別名を登録する
    Alias {
        /// 操作
        #[command(subcommand)]
        action: AliasAction,
    },
    /// 取り込めなかった行と理由を表示する
    Quarantine {
        /// このファイル名を含む取込だけを表示する
        #[arg(long)]
        file: Option<String>,
    },
    /// 取り込んだファイル、月別のデータの有無（欠け）、送信状況、次の定期実行を表示する
    Status,
    /// 報告を作ってファイルに書き出す（送信はしない）
    Report {
        /// 報告の種類
        #[command(subcommand)]
        kind: ReportKind,
    },
    /// renkei.toml の更新案を、実際の利用・会費・見積で比べる
    Scenarios(ScenariosArgs),
    /// 閲覧・画像閲覧の今後（既定 60 か月）を 80%・95% の幅つきで予測し、急減を知らせる
    Forecast(ForecastArgs),
    /// 報告を作って届ける（SMTP 未設定なら outbox に .eml を置く）
    Send {
        /// 報告の種類
        #[command(subcommand)]
        kind: SendKind,
    },
    /// データベースに読み取り専用で SQL を実行する（SQL を省くと対話モード）
    Sql(SqlArgs),
    /// 保存済みの問い合わせを一覧する／実行する
    Query(QueryArgs),
    /// テーブルと列の一覧を説明つきで表示する
    Schema,
    /// アクセスログの月次点検（個人情報保護責任者向け）: 事案、利用者・患者の照会、判定
    Audit {
        /// 操作
        #[command(subcommand)]
        action: AuditAction,
    },
    /// [schedule] に従って取り込みと送信を続ける（SIGTERM・SIGINT で今の処理を終えてから停止）
    Daemon(DaemonArgs),
    /// 事務局のブラウザ画面を出す（既定 http://127.0.0.1:8470/、SIGTERM・SIGINT で停止）
    Serve(ServeArgs),
    /// ブラウザ画面の利用者を作る・一覧する・消す・パスワードを変える
    User {
        /// 操作
        #[command(subcommand)]
        action: UserAction,
    },
}

/// `renkei serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 待ち受けるアドレス（既定: [web] listen、127.0.0.1:8470）
    #[arg(long)]
    pub listen: Option<String>,
}

/// `renkei user ...`
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// 利用者を作る（パスワードは作って一度だけ表示。--password-stdin なら標準入力から）
    Add {
        /// 利用者名（半角英数字と . _ -）
        name: String,
        /// 役割: viewer（閲覧）、analyst（分析: SQL）、uploader（取込）、admin（管理: 送信も）
        #[arg(long, value_enum)]
        role: crate::web::users::Role,
        /// パスワードを標準入力の1行から読む（15 文字以上）
        #[arg(long)]
        password_stdin: bool,
    },
    /// 利用者を一覧する
    List,
    /// 利用者を消す
    Remove {
        /// 利用者名
        name: String,
    },
    /// パスワードを変える
    Passwd {
        /// 利用者名
        name: String,
        /// パスワードを標準入力の1行から読む（15 文字以上）
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `renkei audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// その月を点検し、事案（利用者ごとに1件）を優先度の順に示す
    Cases {
        /// 対象月 YYYY-MM
        #[arg(long)]
        month: String,
        /// 出力の指定
        #[command(flatten)]
        output: OutputArgs,
    },
    /// 利用者 ID（- なら標準入力から）の仮名・施設・月ごとの操作・事案を示す。ID は保存しない
    User {
        /// 利用者 ID（- で標準入力から読む）
        id: String,
        /// この月まで12か月を示す（既定: 最新のログの月）
        #[arg(long)]
        month: Option<String>,
        /// 出力の指定
        #[command(flatten)]
        output: OutputArgs,
    },
    /// 患者 ID（- なら標準入力から）の閲覧履歴（本人への開示用、利用者は示さない）。ID は保存しない
    Patient {
        /// 患者 ID（- で標準入力から読む）
        id: String,
        /// 最初の月（既定: ログの最初の月）
        #[arg(long)]
        from: Option<String>,
        /// 最後の月（既定: ログの最後の月）
        #[arg(long)]
        to: Option<String>,
        /// 本人に渡すお知らせ（HTML と PDF）をこのフォルダに書く
        #[arg(long)]
        letter: Option<PathBuf>,
        /// 出力の指定
        #[command(flatten)]
        output: OutputArgs,
    },
    /// 施設から届いた職員 ID の一覧で、どの ID がその施設の事案の利用者かを示す。ID は保存しない
    Identify {
        /// 施設名（名簿の表記か別名）
        #[arg(long)]
        facility: String,
        /// 職員 ID の一覧（1行に1つ、CSV なら先頭の列）
        #[arg(long)]
        ids: PathBuf,
    },
    /// 事案の経過（照会中・回答）を記録する
    Step {
        /// 事案番号
        case: String,
        /// 状態
        #[arg(long, value_enum)]
        state: crate::review::cases::Step,
        /// メモ
        #[arg(long)]
        note: Option<String>,
    },
    /// 事案に判定を記録して完了にする（正当なら同じ利用者と患者の組を再び挙げない）
    Close {
        /// 事案番号
        case: String,
        /// 判定
        #[arg(long, value_enum)]
        verdict: crate::review::cases::Verdict,
        /// 判定の理由
        #[arg(long)]
        note: String,
    },
}

/// `renkei daemon`
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// One step of the daemon, done by its child process (begin, run, held, end); not for people.
    #[arg(long, hide = true)]
    pub step: Option<String>,
    /// The step's job (run).
    #[arg(long, hide = true)]
    pub job: Option<String>,
    /// The step's time (JST, `YYYY-MM-DD HH:MM:SS`).
    #[arg(long, hide = true)]
    pub at: Option<String>,
}

/// `renkei demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// 作業フォルダ（既定: 現在のフォルダ）
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 利用件数の倍率
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// 見本データの最後の月 YYYY-MM（既定: 先月）
    #[arg(long)]
    pub until: Option<String>,
}

/// `renkei scenarios`
#[derive(Debug, Args)]
pub struct ScenariosArgs {
    /// 会費を見る年度（2025、FY2025、R7、令和7年度。既定: 先月の年度）
    #[arg(long)]
    pub fy: Option<String>,
    /// 出力の形式と書き出し先
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `renkei forecast`
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// 実績の最後の月 YYYY-MM（既定: 先月）
    #[arg(long)]
    pub month: Option<String>,
    /// 何か月先まで予測するか（1〜120）
    #[arg(long, default_value_t = 60)]
    pub months: usize,
    /// この病院（画像を公開している病院、名簿の名前）だけを表示する
    #[arg(long)]
    pub hospital: Option<String>,
    /// 出力の形式と書き出し先（月ごとの予測と幅）
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `renkei ingest`
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// ファイルまたはフォルダ（既定: 受付フォルダ）
    pub paths: Vec<PathBuf>,
    /// 入力の種類（省略時は見出しから判定）
    #[arg(long, value_enum)]
    pub source: Option<SourceKind>,
    /// 取込済みのファイル（または同じ年度の名簿）を、このファイルで置き換える
    #[arg(long)]
    pub replace: bool,
}

/// `renkei alias ...`
#[derive(Debug, Subcommand)]
pub enum AliasAction {
    /// ALIAS を FACILITY（名簿上の施設名）の別名として登録する
    Add {
        /// ログなどに現れる表記
        alias: String,
        /// 名簿上の施設名
        facility: String,
    },
    /// 登録済みの別名を一覧する
    List,
}

/// `renkei report ...`
#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// 理事会向け月次報告
    Board {
        /// 対象月 YYYY-MM（2025-07、2025年7月、令和7年7月も可）
        #[arg(long)]
        month: String,
        /// 書き出し先フォルダ（既定: report-<月>）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 市町向け年度報告（利用状況と負担案、PDF つき）
    Municipality {
        /// 年度（2025、FY2025、R7、令和7年度）
        #[arg(long)]
        fy: String,
        /// この市町だけ（既定: 市町の表のすべて）
        #[arg(long)]
        municipality: Option<String>,
        /// 書き出し先フォルダ（既定: report-<年度>、市町ごとにその下のフォルダ）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// アクセスログの月次点検報告（個人情報保護責任者向け、PDF つき）。点検を行い、記録する
    Audit {
        /// 対象月 YYYY-MM
        #[arg(long)]
        month: String,
        /// 書き出し先フォルダ（既定: report-audit-<月>）
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `renkei send ...`
#[derive(Debug, Subcommand)]
pub enum SendKind {
    /// 理事会向け月次報告を [recipients] board に届ける
    Board {
        /// 対象月 YYYY-MM
        #[arg(long)]
        month: String,
        /// 送り方
        #[command(flatten)]
        how: DeliveryArgs,
    },
    /// 市町向け年度報告を [recipients.municipality] の宛先に届ける
    Municipality {
        /// 年度（2025、FY2025、R7、令和7年度）
        #[arg(long)]
        fy: String,
        /// この市町だけ（既定: 宛先のあるすべての市町）
        #[arg(long)]
        municipality: Option<String>,
        /// 送り方
        #[command(flatten)]
        how: DeliveryArgs,
    },
    /// その月のアクセスログを点検し、報告を [recipients] privacy_officer だけに届ける
    Audit {
        /// 対象月 YYYY-MM
        #[arg(long)]
        month: String,
        /// 送らずに、報告の件名と宛先だけを表示する（点検は行い、記録する）
        #[arg(long)]
        dry_run: bool,
        /// 本来の宛先ではなく、このアドレスだけに試しに送る（送信台帳は変えない）
        #[arg(long)]
        to: Option<String>,
        /// 送信済み（または届いたか不明）の宛先にも、もう一度送る
        #[arg(long)]
        force: bool,
    },
}

/// How `renkei send` delivers.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// 送らずに、作る報告と宛先だけを表示する
    #[arg(long)]
    pub dry_run: bool,
    /// 本来の宛先ではなく、このアドレスだけに試しに送る（送信台帳は変えない）
    #[arg(long)]
    pub to: Option<String>,
    /// 送信済み（または届いたか不明）の宛先にも、もう一度送る
    #[arg(long)]
    pub force: bool,
    /// [report] required_sources の入力がその期間をまかなっていなくても送る
    #[arg(long)]
    pub incomplete: bool,
}

/// `renkei sql`
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// 実行する SQL（; で区切って複数可）
    #[arg(short = 'e', long = "execute", conflicts_with = "file")]
    pub sql: Option<String>,
    /// SQL を書いたファイル
    pub file: Option<PathBuf>,
    /// 出力の指定
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `renkei query`
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// 問い合わせの名前（省略すると一覧）
    pub name: Option<String>,
    /// パラメータ 名前=値（例: --param month=2025-07）
    #[arg(long = "param", value_name = "名前=値")]
    pub params: Vec<String>,
    /// 出力の指定
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where and how results are written.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// 出力形式（既定: --out の拡張子から決め、なければ table）
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// 書き出し先ファイル（.csv は Excel 向けに BOM・CRLF つき、.xlsx、.json）
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// Output formats of `sql` and `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// 表示幅でそろえた表
    Table,
    /// CSV（ファイルに書くときは Excel 向けに BOM・CRLF つき）
    Csv,
    /// JSON（行ごとのオブジェクトの配列）
    Json,
    /// Excel ブック（--out が必要）
    Xlsx,
}
