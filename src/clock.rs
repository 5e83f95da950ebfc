//! The one place renkei reads the wall clock, as Japan Standard Time (UTC+9, no DST).

use chrono::{NaiveDateTime, Utc};

/// Now, as JST wall-clock time.
pub fn now_jst() -> NaiveDateTime {
    (Utc::now() + chrono::Duration::hours(9)).naive_utc()
}
