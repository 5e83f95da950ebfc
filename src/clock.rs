//! The one place renkei reads the wall clock, as Japan Standard Time (UTC+9, no DST).

use chrono::{NaiveDateTime, Utc};

use crate::domain::Month;

/// Now, as JST wall-clock time.
pub fn now_jst() -> NaiveDateTime {
    (Utc::now() + chrono::Duration::hours(9)).naive_utc()
}

/// The last month that has ended (the month reports default to).
pub fn last_complete_month() -> Month {
    Month::of(now_jst().date()).plus(-1)
}
