//! Synthetic access logs with the shape real networks show: a few facilities make most
//! of the use, many paying members rarely or never use it, winter peaks and a summer dip,
//! slow growth, ID-Link and Team, and a few facility-name variants (斎藤/齋藤, 髙/高,
//! half-width katakana) plus one name the roster does not know, so matching and
//! quarantine have something to do. IDs are invented.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::facilities::DemoFacility;
use crate::domain::Month;

/// Events in April 2022 at scale 1; later months grow about 6% a year.
const BASE_EVENTS: f64 = 2_400.0;
/// Patients in the demo's pool.
const PATIENTS: u32 = 9_000;

/// Seasonality by calendar month (January first): winter peaks, an August dip.
const SEASON: [f64; 12] = [1.2, 1.1, 1.0, 0.95, 0.95, 1.0, 1.0, 0.88, 0.95, 1.0, 1.05, 1.15];

/// One log line, as the source system writes it.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// When.
    pub at: NaiveDateTime,
    /// ID-Link or Team.
    pub system: &'static str,
    /// Raw user ID.
    pub user_id: String,
    /// Viewing facility as written in the log.
    pub facility: String,
    /// Raw patient ID.
    pub patient_id: String,
    /// Disclosing facility as written in the log.
    pub disclosing: String,
    /// 画像, 検査, ...
    pub data_type: &'static str,
    /// 閲覧, 登録, ダウンロード.
    pub action: &'static str,
}

fn weighted(rng: &mut StdRng, weights: &[f64]) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Some(i);
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0)
}

/// How often a facility in `viewer` looks at information held in `discloser`'s
/// municipality: mostly nearby, so a small town's facilities rarely see a distant
/// hospital (which is what makes the municipality reports' small cells). The core
/// hospital and the lab companies serve everyone.
fn affinity(viewer: &str, discloser: &DemoFacility) -> f64 {
    if discloser.name == "魚沼基幹病院" || discloser.municipality == "圏域外" || viewer == discloser.municipality
    {
        return 1.0;
    }
    let pair =
        |a: &str, b: &str| (viewer == a && discloser.municipality == b) || (viewer == b && discloser.municipality == a);
    if pair("魚沼市", "南魚沼市") || pair("南魚沼市", "湯沢町") || pair("十日町市", "津南町") {
        0.6
    } else if pair("南魚沼市", "十日町市") {
        0.4
    } else if pair("十日町市", "湯沢町") || pair("魚沼市", "十日町市") {
        0.2
    } else {
        0.015
    }
}

/// How a log writes a facility's name now and then: variant kanji or half-width kana.
fn as_logged(rng: &mut StdRng, name: &str) -> String {
    if rng.random::<f64>() > 0.08 {
        return name.to_string();
    }
    name.replace('齋', "斎").replace('髙', "高").replace("クリニック", "ｸﾘﾆｯｸ").replace("ステーション", "ｽﾃｰｼｮﾝ")
}

/// The (facility, patient) pairs a facility has registered (患者登録), across months.
pub type Linked = std::collections::HashSet<(String, String)>;

/// A patient of facility `v`'s panel: a window of the pool starting at the facility's own
/// place, three facilities wide, so neighbours share patients (referrals, a pharmacy and
/// its clinic). Skewed: a few patients are seen often, most rarely.
fn panel_patient(v: usize, facilities: usize, u: f64) -> u32 {
    let stride = PATIENTS as usize / facilities.max(1);
    let size = (stride * 3) as f64;
    ((v * stride) as u32 + (u * u * size) as u32) % PATIENTS
}

/// Generates the events of one month for the facilities joined by then. Every view follows
/// a relationship the log shows: the first time a facility's staff look at a patient, the
/// user registers the patient (登録, 同意) a few minutes before, so the access-log review
/// finds the network's ordinary use explained.
pub fn month_events(
    rng: &mut StdRng,
    facilities: &[DemoFacility],
    month: Month,
    scale: u32,
    linked: &mut Linked,
) -> Vec<LogLine> {
    let start = month.first_day();
    let years = (month.year() - 2022) as f64 + (month.month() as f64 - 4.0) / 12.0;
    let n = (BASE_EVENTS
        * 1.06f64.powf(years)
        * SEASON[month.month() as usize - 1]
        * scale as f64
        * (0.95 + 0.1 * rng.random::<f64>())) as usize;
    let joined = |f: &DemoFacility| f.joined_on <= start;
    let view_w: Vec<f64> = facilities.iter().map(|f| if joined(f) { f.view_weight } else { 0.0 }).collect();
    // One list of disclosing weights per viewing municipality.
    let mut disc_w: Vec<(&str, Vec<f64>)> = Vec::new();
    for f in facilities {
        if !disc_w.iter().any(|(m, _)| *m == f.municipality) {
            let w = facilities
                .iter()
                .map(|d| if joined(d) { d.disclose_weight * affinity(f.municipality, d) } else { 0.0 })
                .collect();
            disc_w.push((f.municipality, w));
        }
    }
    let days = month.plus(1).first_day().signed_duration_since(start).num_days() as u32;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let Some(v) = weighted(rng, &view_w) else {
            break;
        };
        let near = &disc_w.iter().find(|(m, _)| *m == facilities[v].municipality).expect("every municipality").1;
        let Some(d) = weighted(rng, near) else {
            break;
        };
        if v == d {
            continue;
        }
        let viewer = &facilities[v];
        let discloser = &facilities[d];
        let team = matches!(viewer.kind, "訪問看護ステーション" | "介護施設") || rng.random::<f64>() < 0.12;
        let (system, data_type, action) = if team {
            let t = if rng.random::<f64>() < 0.5 { "連絡帳" } else { "ケア記録" };
            ("Team", t, if rng.random::<f64>() < 0.6 { "閲覧" } else { "登録" })
        } else {
            let t = if discloser.kind == "検査会社" {
                "検査"
            } else {
                let r: f64 = rng.random();
                match r {
                    r if r < 0.26 && discloser.publishes_images => "画像",
                    r if r < 0.55 => "検査",
                    r if r < 0.75 => "処方",
                    r if r < 0.9 => "文書",
                    _ => "病名",
                }
            };
            ("ID-Link", t, if rng.random::<f64>() < 0.95 { "閲覧" } else { "ダウンロード" })
        };
        let day = 1 + rng.random_range(0..days);
        let hour = [8, 9, 9, 10, 10, 11, 11, 13, 14, 14, 15, 16, 17, 19][rng.random_range(0..14)];
        let at = NaiveDateTime::new(
            NaiveDate::from_ymd_opt(month.year(), month.month(), day).expect("valid day"),
            NaiveTime::from_hms_opt(hour, rng.random_range(0..60), rng.random_range(0..60)).expect("valid time"),
        );
        let u: f64 = rng.random();
        let patient = panel_patient(v, facilities.len(), u);
        out.push(LogLine {
            at,
            system,
            user_id: format!("U{:03}{:02}", v + 1, 1 + rng.random_range(0..viewer.users)),
            facility: as_logged(rng, &viewer.name),
            patient_id: format!("P{:07}", 1_000_000 + patient * 37),
            disclosing: as_logged(rng, &discloser.name),
            data_type,
            action,
        });
    }
    out.sort_by_key(|l| l.at);
    with_registrations(out, linked)
}

/// Puts a registration before the first look of each pair not yet registered.
fn with_registrations(lines: Vec<LogLine>, linked: &mut Linked) -> Vec<LogLine> {
    let mut out = Vec::with_capacity(lines.len() + lines.len() / 8);
    for l in lines {
        let pair = (crate::domain::names::matching_key(&l.facility), l.patient_id.clone());
        if !linked.contains(&pair) {
            if l.action != "登録" {
                out.push(LogLine {
                    at: l.at - chrono::Duration::minutes(5),
                    data_type: "同意",
                    action: "登録",
                    user_id: l.user_id.clone(),
                    facility: l.facility.clone(),
                    patient_id: l.patient_id.clone(),
                    disclosing: l.facility.clone(),
                    system: l.system,
                });
            }
            linked.insert(pair);
        }
        out.push(l);
    }
    out
}

/// The CSV text of a log file with the Japanese headers real exports use.
pub fn csv_text(lines: &[LogLine]) -> String {
    let mut text = String::from("日時,システム,利用者ID,利用施設,患者ID,開示施設,データ種別,操作\r\n");
    for l in lines {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            l.at.format("%Y/%m/%d %H:%M:%S"),
            l.system,
            l.user_id,
            l.facility,
            l.patient_id,
            l.disclosing,
            l.data_type,
            l.action
        ));
    }
    text
}

/// The same lines as FHIR R4 AuditEvent NDJSON (times in UTC), as a FHIR-based export
/// would give them.
pub fn fhir_text(lines: &[LogLine]) -> String {
    let mut out = String::new();
    for l in lines {
        let action = match l.action {
            "閲覧" | "ダウンロード" => "R",
            "登録" => "C",
            _ => "E",
        };
        let recorded = (l.at - chrono::Duration::hours(9)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let event = serde_json::json!({
            "resourceType": "AuditEvent",
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
            "subtype": [{"display": l.data_type}],
            "action": action,
            "recorded": recorded,
            "agent": [
                {"who": {"identifier": {"value": l.user_id}}, "requestor": true},
                {"who": {"reference": "Organization/1", "type": "Organization", "display": l.facility}, "requestor": false}
            ],
            "source": {"site": l.system, "observer": {"display": l.disclosing}},
            "entity": [{"what": {"reference": format!("Patient/{}", l.patient_id), "identifier": {"value": l.patient_id}}}]
        });
        out.push_str(&event.to_string());
        out.push('\n');
    }
    out
}
