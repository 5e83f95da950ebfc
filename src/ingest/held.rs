//! What the rows a file held back have in common: their commonest reasons, each with what
//! to do, for the file's summary line, and the refusal of a file from which no row loads
//! (issue 16: such a file is refused whole, even when every row has its reason).

use std::collections::HashMap;

use crate::error::{Location, Problem};
use crate::store::QuarantineRow;

/// Distinct reasons counted before the rest are counted together; bounds the tally on a
/// log whose every row names a different unknown facility.
const DISTINCT: usize = 256;

/// One reason rows were held, how many, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReason {
    /// Why (as in `quarantine.reason`).
    pub reason: String,
    /// What to do (as in `quarantine.hint`).
    pub hint: Option<String>,
    /// Rows held for it.
    pub rows: u64,
}

/// A tally of the reasons rows were held.
#[derive(Debug, Clone, Default)]
pub struct HeldReasons {
    counts: Vec<HeldReason>,
    /// Where each reason is in `counts`: a held row costs one lookup, not a scan (a log can
    /// hold a million rows).
    index: HashMap<String, usize>,
    others: u64,
    first: Option<QuarantineRow>,
}

impl HeldReasons {
    /// Counts one held row.
    pub fn add(&mut self, row: &QuarantineRow) {
        if self.first.is_none() {
            self.first = Some(row.clone());
        }
        if let Some(&at) = self.index.get(&row.reason) {
            self.counts[at].rows += 1;
        } else if self.counts.len() < DISTINCT {
            self.index.insert(row.reason.clone(), self.counts.len());
            self.counts.push(HeldReason { reason: row.reason.clone(), hint: row.hint.clone(), rows: 1 });
        } else {
            self.others += 1;
        }
    }

    /// Counts every row of `rows`.
    pub fn of(rows: &[QuarantineRow]) -> HeldReasons {
        let mut t = HeldReasons::default();
        rows.iter().for_each(|r| t.add(r));
        t
    }

    /// The first row held, if any.
    pub fn first(&self) -> Option<&QuarantineRow> {
        self.first.as_ref()
    }

    /// The `n` commonest reasons, most rows first (ties in the order first seen).
    pub fn top(&self, n: usize) -> Vec<HeldReason> {
        let mut all = self.counts.clone();
        all.sort_by_key(|r| std::cmp::Reverse(r.rows));
        all.truncate(n);
        all
    }

    /// The refusal of `file` when none of its rows loads: where the first held row is, the
    /// commonest reasons with their counts, and the first one's remedy.
    pub fn refuse(&self, file: &str) -> Problem {
        let Some(first) = &self.first else {
            return Problem::refused(format!("{file} にデータの行がありません"))
                .because("見出しのほかに取り込める行が1行もありません")
                .hint("データの入ったファイルを出力し直してから置いてください");
        };
        let total: u64 = self.counts.iter().map(|r| r.rows).sum::<u64>() + self.others;
        let reasons: Vec<String> = self.top(3).iter().map(|r| format!("{}行: {}", r.rows, r.reason)).collect();
        let top = self.top(1);
        let mut p = Problem::refused(format!("{file} から取り込める行が1行もありません"))
            .at(Location::file(file).row(first.row_number).column(first.column.clone()))
            .because(format!("{total} 行すべてを保留にします。多い理由から {}", reasons.join("／")));
        if let Some(v) = &first.value {
            p = p.value(v.clone());
        }
        p.hint(
            top.first().and_then(|r| r.hint.clone()).unwrap_or_else(|| "ファイルの種類と様式を確かめてください".into()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(row: u64, reason: &str) -> QuarantineRow {
        QuarantineRow {
            row_number: row,
            column: Some("D列「利用施設」".into()),
            value: Some("ゆきぐに".into()),
            reason: reason.into(),
            hint: Some(format!("{reason} を直す")),
        }
    }

    #[test]
    fn the_commonest_reasons_come_first_and_a_file_of_held_rows_is_refused_with_them() {
        let t = HeldReasons::of(&[
            held(2, "施設「A」"),
            held(3, "日時"),
            held(4, "日時"),
            held(5, "施設「A」"),
            held(6, "日時"),
        ]);
        let top: Vec<(String, u64)> = t.top(2).into_iter().map(|r| (r.reason, r.rows)).collect();
        assert_eq!(top, [("日時".to_string(), 3), ("施設「A」".to_string(), 2)]);
        let p = t.refuse("log.csv");
        assert_eq!(
            p.to_string(),
            "log.csv から取り込める行が1行もありません（データベースは変更していません）\n  場所: log.csv 2行目 D列「利用施設」  値: 「ゆきぐに」\n  理由: 5 行すべてを保留にします。多い理由から 3行: 日時／2行: 施設「A」\n  対処: 日時 を直す"
        );
        let empty = HeldReasons::default().refuse("log.csv").to_string();
        assert!(empty.starts_with("log.csv にデータの行がありません"), "{empty}");
    }
}
