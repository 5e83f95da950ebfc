//! The demo's running-cost lines: the seed's R6 actuals and R8 quote (約1,770万円), with
//! plausible years around them, written as a Shift_JIS CSV the way an accounting export
//! would be. The deck's R6 lines (ID-Link 約550万円, Team 約690万円, その他保守 約100万円)
//! add up to 1,340万円 while its total says 約1,330万円: the lines are rounded to 10万円.
//! The demo uses exact amounts that round to every one of them (546万 + 688万 + 96万 =
//! 1,330万円).

use std::path::Path;

/// (fiscal year label, ID-Link, Team, other maintenance) as the secretariat writes them.
const LINES: &[(&str, &str, &str, &str)] = &[
    ("R4", "5,200,000", "6,600,000", "1,000,000"),
    ("R5", "5,300,000", "6,700,000", "1,000,000"),
    ("令和6年度", "5,460,000円", "6,880,000円", "960,000円"),
    ("令和7年度", "5,800,000円", "7,200,000円", "1,000,000円"),
    ("R8", "約790万円", "約900万円", "約80万円"),
];

/// Writes the cost lines for fiscal years up to `last_fy` (inclusive, Gregorian).
pub fn write(path: &Path, last_fy: i32) -> anyhow::Result<()> {
    let mut text = String::from("年度,業者,サービス,金額,備考\r\n");
    for (i, (fy, idlink, team, other)) in LINES.iter().enumerate() {
        if 2022 + i as i32 > last_fy {
            break;
        }
        text.push_str(&format!("{fy},アルム,ID-Link,\"{idlink}\",アルム社仲介\r\n"));
        text.push_str(&format!("{fy},アルム,Team,\"{team}\",\r\n"));
        text.push_str(&format!("{fy},アルム,その他保守,\"{other}\",\r\n"));
    }
    text.push_str("合計,,,,\r\n");
    super::write_shift_jis(path, &text)
}
