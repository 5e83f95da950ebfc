//! A patient's 閲覧履歴 as a letter the secretariat hands over for a disclosure request
//! (HTML and A4 PDF): when, which facility, which data, which action. Facility names
//! only: no user keys, no patient identifier, and a blank line for the name the
//! secretariat writes by hand.

use askama::Template;
use serde::Serialize;

/// One access the letter lists.
#[derive(Debug, Clone)]
pub struct Access {
    /// JST, to the minute.
    pub at: String,
    /// The facility whose staff acted.
    pub facility: String,
    /// The data (画像, 検査…), if the log says.
    pub data_type: Option<String>,
    /// 閲覧, 登録, ダウンロード…
    pub action: String,
    /// The facility whose data it was, if the log says.
    pub disclosing: Option<String>,
}

/// The letter, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    /// Network name.
    pub network: String,
    /// `2026年12月2日`.
    pub issued: String,
    /// The text above the table.
    pub paragraphs: Vec<String>,
    /// Column headings.
    pub headers: Vec<String>,
    /// One row per access.
    pub rows: Vec<Vec<String>>,
    /// When there is nothing to list.
    pub empty: String,
    /// Under the table.
    pub note: String,
}

#[derive(Template)]
#[template(path = "audit/letter.html")]
struct LetterHtml<'a> {
    l: &'a Letter,
}

const PDF_TEMPLATE: &str = include_str!("../../templates/audit/letter.typ");

/// The letter for `accesses` in the period `from`–`to` (labels), issued on `issued`.
pub fn letter(network: &str, issued: chrono::NaiveDate, period: &str, accesses: &[Access]) -> Letter {
    Letter {
        network: network.to_string(),
        issued: issued.format("%Y年%-m月%-d日").to_string(),
        paragraphs: vec![
            format!(
                "お申し出のあった、{network}でのあなたの診療情報の閲覧などの履歴（{period}）をお知らせします。"
            ),
            "ネットワークに参加する医療機関・薬局・介護事業所などが、あなたの情報をいつ、どの種類について見たり登録したりしたかを、アクセスの記録から一覧にしました。".into(),
        ],
        headers: ["日時", "施設", "情報の種類", "操作", "情報を提供した施設"].map(String::from).to_vec(),
        rows: accesses
            .iter()
            .map(|a| {
                let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
                vec![a.at.clone(), a.facility.clone(), or_dash(&a.data_type), a.action.clone(), or_dash(&a.disclosing)]
            })
            .collect(),
        empty: "この期間に、あなたの情報の閲覧などの記録はありません。".into(),
        note: "施設の職員の個人名はお知らせしていません。心当たりのない閲覧があるときは、事務局にお申し出ください。ネットワークの個人情報保護責任者が、施設に確認します。".into(),
    }
}

/// The letter as HTML and as PDF bytes.
pub fn render(l: &Letter) -> anyhow::Result<(String, Vec<u8>)> {
    let html = LetterHtml { l }.render()?;
    let pdf = super::pdf::typeset(PDF_TEMPLATE, vec![("data.json".into(), serde_json::to_vec(l)?)])?;
    Ok((html, pdf))
}
