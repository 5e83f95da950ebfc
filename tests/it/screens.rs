//! What users see, as snapshots (insta): the ingest summary with a refusal, `status`, and
//! the demo's board report as text. A change in any of them shows up in review as a diff of
//! `tests/it/snapshots/`. Temp paths, timings and the clock are filtered.

use crate::metrics::network_with_known_answers;
use crate::support::{assert_screen, demo, roster_and_log, screen};

#[test]
fn an_ingest_summary_with_held_rows_and_a_refusal() {
    let w = roster_and_log(&[
        "2025-07-01 09:00:00,ID-Link,U1,ゆきぐにクリニック,P001,齋藤記念病院,画像,閲覧",
        "2025-07-02 09:00:00,ID-Link,U2,ゆきまちクリニック,P002,齋藤記念病院,画像,閲覧",
    ]);
    w.write_sjis(
        "inbox/予算書_R7.csv",
        "年度,予算決算,区分,科目,市町,金額（円）\r\nR7,予算,支出,システム委託費,,\"1,2,30円\"\r\n",
    );
    let r = w.run(&["ingest"]);
    assert_screen("ingest_summary", &screen(&w, &r));
}

#[test]
fn status_of_the_nine_event_network() {
    let w = network_with_known_answers();
    let r = w.run(&["status"]);
    assert_screen("status", &screen(&w, &r));
}

#[test]
fn the_demo_board_report_as_text() {
    let w = demo();
    w.ok(&["report", "board", "--month", "2026-03", "--out", "preview-2026-03"]);
    let text = std::fs::read_to_string(w.join("preview-2026-03/board-2026-03.txt")).unwrap();
    assert_screen("demo_board_2026_03", &text);
}
