//! One message to one recipient over SMTP, stage by stage with lettre's connection, so the
//! ledger can tell "the server never had it" (safe to retry) from "the server may have it"
//! (a reply lost after the body was sent: unknown, never retried on its own).
//!
//! TLS is rustls with certificate verification against the system roots, plus the
//! council's own CA when `[smtp] ca_file` names one. The password comes from the
//! environment variable `[smtp] password_env` or the file `[smtp] password_file`, never
//! from the config itself, and is never logged.

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::config::{Settings, TlsMode};
use crate::error::Problem;

/// A configured SMTP relay.
pub struct Relay {
    host: String,
    port: u16,
    tls: TlsMode,
    tls_parameters: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
}

/// Why one attempt did not deliver.
#[derive(Debug)]
pub enum Failure {
    /// A 4xx reply or a connection fault before the message body was sent: try again.
    Transient(String),
    /// A 5xx reply, or a TLS or login refusal: trying again will not help.
    Permanent(String),
    /// The connection failed after the body was sent and before the server's reply:
    /// the server may hold the message.
    Unknown(String),
    /// renkei itself failed (the ledger could not be written): stop.
    Local(anyhow::Error),
}

impl Relay {
    /// The relay of `[smtp]`, or `None` when no host is set (delivery writes to the outbox).
    pub fn from_settings(settings: &Settings) -> Result<Option<Relay>, Problem> {
        let smtp = &settings.config.smtp;
        let Some(host) = smtp.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let tls_parameters = match smtp.tls {
            TlsMode::None => None,
            TlsMode::Starttls | TlsMode::Tls => {
                let mut builder = TlsParameters::builder(host.to_string());
                if let Some(ca) = &smtp.ca_file {
                    let path = settings.resolve(ca);
                    let pem = std::fs::read(&path).map_err(|e| {
                        Problem::new(format!("[smtp] ca_file {} を読めません", path.display()))
                            .because(e.to_string())
                            .hint("SMTP サーバーの証明書を発行した認証局の PEM ファイルを指定してください")
                    })?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        Problem::new(format!("[smtp] ca_file {} は PEM の証明書ではありません", path.display()))
                            .because(e.to_string())
                            .hint("-----BEGIN CERTIFICATE----- で始まるファイルを指定してください")
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(builder.build_rustls().map_err(|e| {
                    Problem::new("SMTP の TLS 設定を作れません")
                        .because(e.to_string())
                        .hint("[smtp] tls と ca_file を確かめてください")
                })?)
            }
        };
        let credentials = match &smtp.username {
            Some(user) => Some(Credentials::new(user.clone(), password(settings)?)),
            None => None,
        };
        Ok(Some(Relay {
            host: host.to_string(),
            port: smtp.port,
            tls: smtp.tls,
            tls_parameters,
            credentials,
            timeout: Duration::from_secs(smtp.timeout_s.max(1)),
            hello: ClientId::default(),
        }))
    }

    /// `host:port`, for messages.
    pub fn describe(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Sends `bytes` from `from` to `to` in one SMTP transaction. `before_body` runs after
    /// the server has accepted MAIL, RCPT and DATA and before the body is written: the
    /// moment from which the server may hold the message.
    pub fn send(
        &self,
        from: &Address,
        to: &Address,
        bytes: &[u8],
        before_body: impl FnOnce() -> anyhow::Result<()>,
    ) -> Result<(), Failure> {
        let mut conn = self.connect().map_err(|e| before_body_failure(&e))?;
        let envelope = Envelope::new(Some(from.clone()), vec![to.clone()])
            .map_err(|e| Failure::Permanent(format!("宛先が不正です: {e}")))?;
        let mut params = Vec::new();
        if !bytes.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                conn.abort();
                return Err(Failure::Permanent("SMTP サーバーが 8BITMIME に対応していません".into()));
            }
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let step = |conn: &mut SmtpConnection, r: Result<_, lettre::transport::smtp::Error>| {
            r.map_err(|e| {
                conn.abort();
                before_body_failure(&e)
            })
        };
        let r = conn.command(Mail::new(envelope.from().cloned(), params));
        step(&mut conn, r)?;
        let r = conn.command(Rcpt::new(to.clone(), vec![]));
        step(&mut conn, r)?;
        let r = conn.command(Data);
        step(&mut conn, r)?;
        if let Err(e) = before_body() {
            conn.abort();
            return Err(Failure::Local(e));
        }
        match conn.message(bytes) {
            Ok(_) => {
                let _ = conn.quit();
                Ok(())
            }
            Err(e) => {
                conn.abort();
                Err(match classify(&e) {
                    Class::Reply4xx => Failure::Transient(describe(&e)),
                    Class::Reply5xx => Failure::Permanent(describe(&e)),
                    Class::Other => Failure::Unknown(format!("本文の送信後に応答が得られません: {}", describe(&e))),
                })
            }
        }
    }

    /// Connects, says EHLO, upgrades with STARTTLS when configured, and logs in.
    fn connect(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let addr = (self.host.as_str(), self.port);
        let implicit = if self.tls == TlsMode::Tls { self.tls_parameters.as_ref() } else { None };
        let mut conn = SmtpConnection::connect(addr, Some(self.timeout), &self.hello, implicit, None)?;
        if self.tls == TlsMode::Starttls
            && let Some(params) = &self.tls_parameters
        {
            conn.starttls(params, &self.hello)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)?;
        }
        Ok(conn)
    }
}

enum Class {
    Reply4xx,
    Reply5xx,
    Other,
}

fn classify(e: &lettre::transport::smtp::Error) -> Class {
    if e.is_transient() {
        Class::Reply4xx
    } else if e.is_permanent() {
        Class::Reply5xx
    } else {
        Class::Other
    }
}

/// A failure before the body was sent: the server cannot hold the message.
fn before_body_failure(e: &lettre::transport::smtp::Error) -> Failure {
    match classify(e) {
        Class::Reply5xx => Failure::Permanent(describe(e)),
        Class::Other if e.is_tls() || tls_refused(e) => {
            Failure::Permanent(format!("TLS で接続できません（証明書を確認できない等）: {}", describe(e)))
        }
        Class::Other if e.is_client() => Failure::Permanent(describe(e)),
        Class::Reply4xx | Class::Other => Failure::Transient(describe(e)),
    }
}

/// Every error in `e`'s chain, looking inside I/O errors too (rustls hands its errors up
/// wrapped in one, whose `source()` skips them).
fn chain(e: &lettre::transport::smtp::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        out.push(s);
        next = match s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    out
}

/// Whether TLS itself refused (an untrusted or mismatched certificate, no common
/// protocol): a setting to fix, not something a later try would get past.
fn tls_refused(e: &lettre::transport::smtp::Error) -> bool {
    chain(e).iter().any(|s| s.downcast_ref::<rustls::Error>().is_some())
}

/// The error with its causes, on one line.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    for s in chain(e) {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
    }
    text
}

/// The SMTP password from `[smtp] password_env` or `[smtp] password_file`.
fn password(settings: &Settings) -> Result<String, Problem> {
    let smtp = &settings.config.smtp;
    if let Some(var) = &smtp.password_env {
        return std::env::var(var).map_err(|_| {
            Problem::new(format!("環境変数 {var} に SMTP のパスワードがありません"))
                .hint(format!("{var} を設定するか、[smtp] password_file にパスワードのファイルを指定してください"))
        });
    }
    if let Some(file) = &smtp.password_file {
        let path = settings.resolve(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Problem::new(format!("[smtp] password_file {} を読めません", path.display()))
                .because(e.to_string())
                .hint("ファイルの場所と読み取り権限（renkei を動かす利用者だけが読める 0600）を確かめてください")
        })?;
        return Ok(text.trim_end_matches(['\r', '\n']).to_string());
    }
    Err(Problem::new("[smtp] username があるのに、パスワードの在りかがありません")
        .hint("[smtp] password_env（環境変数の名前）か password_file を設定してください。パスワードを設定ファイルに直接書くことはできません"))
}
