//! Medical data: no raw patient or user ID reaches any column of any table.

use crate::support::{LOG_HEADER, Workdir, small_roster};

#[test]
fn no_raw_patient_or_user_id_in_any_text_column() {
    let w = Workdir::new();
    small_roster(&w);
    let patients = ["PT-7781-0001", "PT-7781-0002", "PT-7781-0003"];
    let users = ["USR-KAN-01", "USR-KAN-02"];
    let mut log = String::from(LOG_HEADER);
    for (i, p) in patients.iter().enumerate() {
        let u = users[i % 2];
        log.push_str(&format!("2025-07-0{} 09:00,ID-Link,{u},十日町病院,{p},齋藤記念病院,画像,閲覧\r\n", i + 1));
    }
    // Rows that are quarantined must not leak their IDs either.
    log.push_str(&format!("昨日,ID-Link,{},十日町病院,{},齋藤記念病院,画像,閲覧\r\n", users[0], patients[0]));
    log.push_str(&format!(
        "2025-07-09 09:00,ID-Link,{},知らない施設,{},齋藤記念病院,画像,閲覧\r\n",
        users[1], patients[1]
    ));
    log.push_str(&format!("2025-07-09 09:00,ID-Link,{},十日町病院,{},齋藤記念病院\r\n", users[1], patients[2]));
    w.write_sjis("inbox/log.csv", &log);
    w.ok(&["ingest"]);
    assert_eq!(w.count("SELECT count(*) FROM access_events"), 3);
    assert_eq!(w.count("SELECT count(*) FROM quarantine"), 3);

    let columns = w.rows(
        "SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'main' AND data_type = 'VARCHAR' ORDER BY ALL",
    );
    assert!(columns.len() > 30, "every text column of every table: {}", columns.len());
    let mut checked = 0;
    for col in &columns {
        let values = w.rows(&format!(
            "SELECT DISTINCT CAST(\"{}\" AS VARCHAR) FROM \"{}\" WHERE \"{}\" IS NOT NULL",
            col[1], col[0], col[1]
        ));
        for v in values.iter().map(|r| &r[0]) {
            checked += 1;
            for raw in patients.iter().chain(users.iter()) {
                assert!(!v.contains(raw), "{}.{} holds the raw ID {raw}: {v}", col[0], col[1]);
            }
        }
    }
    assert!(checked > 20);
    // The pseudonyms are there instead: one per distinct raw ID.
    assert_eq!(w.count("SELECT count(DISTINCT patient_key) FROM access_events"), 3);
    assert_eq!(w.count("SELECT count(DISTINCT user_key) FROM access_events"), 2);
    // Each pseudonym is the first 128 bits of HMAC-SHA256(key, kind byte ‖ raw ID) (1 for
    // patients, 2 for users), worked out here apart from renkei and compared as UUID text.
    let key = w.join("var/renkei.key");
    let uuid_of = |kind: u8, raw: &str| crate::support::pseudonym_of(&w, kind, raw);
    assert_eq!(
        w.rows("SELECT patient_key::VARCHAR, user_key::VARCHAR FROM access_events ORDER BY occurred_at LIMIT 1"),
        [[uuid_of(1, patients[0]), uuid_of(2, users[0])]]
    );
    // And the key lives apart from the store, readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
