//! A few inappropriate accesses planted in the demo's last month, so that a new user sees
//! `renkei audit cases` find something among the network's ordinary (explained) use: a
//! sweep, a stalker, a swarm on one patient, a night-time look at a clinic and a bulk
//! download. Pure: no random draws, so the rest of the demo is unchanged by them. The patients are outside every facility's panel, so nothing explains them.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::facilities::DemoFacility;
use super::logs::LogLine;
use crate::domain::Month;

/// The planted lines for `month`, in time order.
pub fn planted(facilities: &[DemoFacility], month: Month) -> Vec<LogLine> {
    let start = month.first_day();
    let active: Vec<(usize, &DemoFacility)> =
        facilities.iter().enumerate().filter(|(_, f)| f.joined_on <= start && f.view_weight > 0.0).collect();
    let of_kind = |kind: &str| {
        let mut list: Vec<(usize, &DemoFacility)> = active.iter().copied().filter(|(_, f)| f.kind == kind).collect();
        list.sort_by(|a, b| b.1.view_weight.total_cmp(&a.1.view_weight).then(a.0.cmp(&b.0)));
        list
    };
    let clinics = of_kind("診療所");
    let pharmacies = of_kind("薬局");
    let hospitals = of_kind("病院");
    let (Some(busiest), Some(pharmacy), Some(hospital)) = (clinics.first(), pharmacies.first(), hospitals.get(1))
    else {
        return Vec::new();
    };
    let discloser = "魚沼基幹病院";
    // Days 3 to 25 exist in every month.
    let at = |day: u32, h: u32, m: u32| -> NaiveDateTime {
        NaiveDateTime::new(
            NaiveDate::from_ymd_opt(month.year(), month.month(), day).expect("valid day"),
            NaiveTime::from_hms_opt(h, m, 0).expect("valid time"),
        )
    };
    let line =
        |at: NaiveDateTime, (v, f): (usize, &DemoFacility), user: u32, patient: String, action: &'static str| LogLine {
            at,
            system: "ID-Link",
            user_id: format!("U{:03}{:02}", v + 1, user),
            facility: f.name.clone(),
            patient_id: patient,
            disclosing: discloser.to_string(),
            data_type: if action == "ダウンロード" { "文書" } else { "検査" },
            action,
        };
    let mut out = Vec::new();
    // A sweep: 40 patients in 40 minutes by the busiest clinic's first user.
    for i in 0..40 {
        out.push(line(at(10, 14, i), *busiest, 1, format!("P8{:06}", 1 + i), "閲覧"));
    }
    // A stalker: one pharmacy user, the same patient on four days.
    for day in [3, 9, 16, 24] {
        out.push(line(at(day, 11, 5), *pharmacy, 1, "P8100001".into(), "閲覧"));
    }
    // A swarm: nine users of three hospitals (four accounts or more each) on one patient
    // within two days.
    for (k, h) in hospitals.iter().skip(2).take(3).enumerate() {
        for user in 1..=3 {
            out.push(line(at(18 + (k as u32 % 2), 9 + user, 10 * k as u32), *h, user, "P8200001".into(), "閲覧"));
        }
    }
    // At night, at a clinic that closes in the evening.
    out.push(line(at(21, 2, 30), *busiest, 2.min(busiest.1.users), "P8300001".into(), "閲覧"));
    // A bulk download: 12 patients' documents in one afternoon at a hospital.
    for i in 0..12 {
        out.push(line(at(25, 15, 2 * i), *hospital, 1, format!("P84{:05}", 1 + i), "ダウンロード"));
    }
    out.sort_by_key(|l| l.at);
    out
}
