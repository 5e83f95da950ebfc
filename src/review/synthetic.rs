//! A seeded synthetic network for measuring the access-log review: realistic legitimate
//! use in which every view follows a relationship the log shows (the facility registers a
//! patient at first contact, its staff then see the patient), the benign patterns that
//! fool naive rules (a hospital's night work, on-call home-nursing nurses, care managers'
//! month-end reviews, a facility joining mid-year, heavy users, colleagues covering), and
//! known inappropriate access planted in chosen months. Used by the accuracy test
//! (`tests/it/review.rs`) and the benchmark (`examples/review_bench.rs`); never by the
//! product itself. IDs are invented.
//!
//! Longer than most files because it is one recipe: the network, a month of ordinary work
//! per kind of facility, and the nine plants side by side; split, each part would need the
//! others' details to be read.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rust_xlsxwriter::Workbook;

use crate::demo::logs::LogLine;
use crate::domain::Month;

/// What to plant: the review's targets (issue 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// 1–3 patients of another facility, viewed once.
    Curiosity,
    /// One unrelated patient on 3–6 days of the month.
    Stalking,
    /// Two unrelated patients a week through the month.
    SlowDrip,
    /// 35–120 patients within 50 minutes.
    Sweep,
    /// 8–12 users of 3–6 facilities on one patient within two days.
    Swarm,
    /// A facility's staff before its 加入日 or after its 退会日.
    NonMember,
    /// An account silent for more than 180 days, used again.
    Dormant,
    /// 10–25 patients' documents downloaded in one day.
    BulkDownload,
    /// A look at 01:00–04:59 at a facility that works by day.
    OffHours,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 9] = [
        Kind::Curiosity,
        Kind::Stalking,
        Kind::SlowDrip,
        Kind::Sweep,
        Kind::Swarm,
        Kind::NonMember,
        Kind::Dormant,
        Kind::BulkDownload,
        Kind::OffHours,
    ];

    /// The rule that should raise it.
    pub fn rule(self) -> &'static str {
        match self {
            Kind::Curiosity | Kind::SlowDrip => "unexplained",
            Kind::Stalking => "stalking",
            Kind::Sweep => "sweep",
            Kind::Swarm => "swarm",
            Kind::NonMember => "non_member",
            Kind::Dormant => "dormant",
            Kind::BulkDownload => "bulk_download",
            Kind::OffHours => "off_hours",
        }
    }

    /// The recall target.
    pub fn target(self) -> f64 {
        match self {
            Kind::Curiosity | Kind::Stalking | Kind::SlowDrip => 0.8,
            _ => 0.95,
        }
    }
}

/// One planted instance: its kind, its month and the raw user IDs that did it.
#[derive(Debug, Clone)]
pub struct Plant {
    /// What was planted.
    pub kind: Kind,
    /// When.
    pub month: Month,
    /// Who (raw IDs; a swarm has several).
    pub users: Vec<String>,
}

/// A facility of the synthetic network.
#[derive(Debug, Clone)]
pub struct Facility {
    /// Roster name.
    pub name: String,
    /// 種別.
    pub kind: &'static str,
    /// 加入日.
    pub joined_on: NaiveDate,
    /// 退会日.
    pub left_on: Option<NaiveDate>,
    /// Raw user IDs.
    pub users: Vec<String>,
    /// Patients it cares for.
    panel: Vec<u32>,
    /// How it works: which hours, how busy.
    shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// Around the clock (emergency department).
    Er,
    /// 8–20, every day.
    Hospital,
    /// 9–18 on weekdays, Saturday mornings.
    Clinic,
    /// 9–19, Monday to Saturday.
    Pharmacy,
    /// 8–18, and on-call nights now and then.
    Nursing,
    /// 9–17 on weekdays, and a month-end review of 30–45 patients.
    Care,
}

/// The network: facilities, every log line, and what was planted.
#[derive(Debug, Clone)]
pub struct Network {
    /// The roster.
    pub facilities: Vec<Facility>,
    /// The access log, in time order.
    pub lines: Vec<LogLine>,
    /// What was planted.
    pub plants: Vec<Plant>,
    /// Users whose ordinary work looks unusual (night work, on-call, month-end reviews, heavy
    /// use, a new member's onboarding): none may get a case unless planted.
    pub benign: HashSet<String>,
    /// The months of the log.
    pub months: Vec<Month>,
}

/// The size and shape of the network.
#[derive(Debug, Clone)]
pub struct Options {
    /// The seed.
    pub seed: u64,
    /// The first month of the log.
    pub first: Month,
    /// Months in the log.
    pub months: u32,
    /// Months in which instances are planted (each kind, `per_month` instances each).
    pub planted: Vec<Month>,
    /// Instances of each kind per planted month.
    pub per_month: usize,
    /// Scale of legitimate use (1 ≈ 25,000 events a month).
    pub scale: f64,
}

const PATIENTS: u32 = 8_000;
const SYSTEM: &str = "ID-Link";
const DATA: [&str; 5] = ["検査", "処方", "画像", "文書", "病名"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    NaiveDateTime::new(d, NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
}

fn add(
    list: &mut Vec<Facility>,
    name: String,
    kind: &'static str,
    shape: Shape,
    users: usize,
    panel: usize,
    rng: &mut StdRng,
) {
    let n = list.len();
    let mut pool: Vec<u32> = (0..PATIENTS).collect();
    pool.shuffle(rng);
    list.push(Facility {
        name,
        kind,
        joined_on: date(2015, 4, 1),
        left_on: None,
        users: (1..=users).map(|u| format!("S{n:03}-{u:02}")).collect(),
        panel: pool[..panel].to_vec(),
        shape,
    });
}

fn days_in(m: Month) -> u32 {
    (m.plus(1).first_day() - m.first_day()).num_days() as u32
}

/// Builds the network.
pub fn build(o: &Options) -> Network {
    let mut rng = StdRng::seed_from_u64(o.seed);
    let months: Vec<Month> = (0..o.months as i32).map(|i| o.first.plus(i)).collect();
    let start = o.first.first_day();
    let mut facilities = Vec::new();
    let f = &mut facilities;
    add(f, "中央救急病院".into(), "病院", Shape::Er, 30, 2_500, &mut rng);
    for i in 1..=5 {
        add(f, format!("第{i}病院"), "病院", Shape::Hospital, 20 + 4 * i, 900 + 100 * i, &mut rng);
    }
    for i in 1..=30 {
        add(f, format!("クリニック{i:02}"), "診療所", Shape::Clinic, 1 + i % 3, 120 + 5 * i, &mut rng);
    }
    for i in 1..=12 {
        add(f, format!("薬局{i:02}"), "薬局", Shape::Pharmacy, 1 + i % 2, 150 + 10 * i, &mut rng);
    }
    for i in 1..=6 {
        add(f, format!("訪問看護ステーション{i}"), "訪問看護ステーション", Shape::Nursing, 3 + i % 3, 60, &mut rng);
    }
    for i in 1..=6 {
        add(f, format!("居宅介護支援事業所{i}"), "介護施設", Shape::Care, 2 + i % 2, 60, &mut rng);
    }
    // A clinic joining in the first reviewed month (benign onboarding), two members that
    // left before the plants (at the end of the fourth month), and one joining on the
    // 20th of each planted month.
    let joining = facilities.len();
    add(&mut facilities, "新規クリニック".into(), "診療所", Shape::Clinic, 2, 150, &mut rng);
    facilities[joining].joined_on = months.get(6).copied().unwrap_or(o.first).first_day();
    let mut left = Vec::new();
    for i in 1..=2 {
        left.push(facilities.len());
        add(&mut facilities, format!("退会クリニック{i}"), "診療所", Shape::Clinic, 5, 150, &mut rng);
        facilities.last_mut().expect("just added").left_on = months[4].first_day().pred_opt();
    }
    let mut pre_join = Vec::new();
    for (i, m) in o.planted.iter().enumerate() {
        pre_join.push(facilities.len());
        let users = o.per_month.div_ceil(2).max(1);
        add(&mut facilities, format!("加入予定クリニック{}", i + 1), "診療所", Shape::Clinic, users, 150, &mut rng);
        facilities.last_mut().expect("just added").joined_on = date(m.year(), m.month(), 20);
    }
    // Accounts used only in the first month, then silent: the dormant plants return on them.
    let dormant_users: Vec<(usize, String)> = (0..o.planted.len() * o.per_month)
        .map(|i| {
            let f = 1 + i % 5;
            (f, format!("D{f:03}-{i:02}"))
        })
        .collect();

    let mut g = Gen { rng: StdRng::seed_from_u64(o.seed ^ 0x5eed), lines: Vec::new() };
    let mut benign = HashSet::new();
    for (fi, f) in facilities.iter().enumerate() {
        for (ui, u) in f.users.iter().enumerate() {
            let heavy = matches!(f.shape, Shape::Hospital) && ui == 0;
            let tagged = matches!(f.shape, Shape::Er | Shape::Nursing | Shape::Care) || heavy || fi == joining;
            if tagged {
                benign.insert(u.clone());
            }
        }
    }
    for &m in &months {
        for (fi, f) in facilities.iter().enumerate() {
            let first = f.joined_on.max(m.first_day());
            let stop = f.left_on.map_or(m.plus(1).first_day(), |l| l.succ_opt().unwrap().min(m.plus(1).first_day()));
            if first >= stop || (pre_join.contains(&fi) && f.joined_on > m.first_day()) {
                continue;
            }
            for (ui, u) in f.users.iter().enumerate() {
                let heavy = matches!(f.shape, Shape::Hospital) && ui == 0;
                g.ordinary_month(f, u, m, first, stop, heavy, o.scale);
            }
        }
        if m == months[0] {
            for (fi, u) in &dormant_users {
                g.views(&facilities[*fi], u, m.first_day(), 10, 15, 3);
            }
        }
    }

    let mut plants = Vec::new();
    let mut other_pool: Vec<u32> = (PATIENTS..PATIENTS + 100_000).collect();
    other_pool.shuffle(&mut g.rng);
    let mut outsiders = other_pool.into_iter();
    for (pi, &m) in o.planted.iter().enumerate() {
        // Planted users are distinct within the month and never benign ones.
        let mut pool: Vec<(usize, String)> = facilities
            .iter()
            .enumerate()
            .filter(|(fi, f)| f.left_on.is_none() && !pre_join.contains(fi) && f.joined_on < start)
            .flat_map(|(fi, f)| f.users.iter().map(move |u| (fi, u.clone())))
            .filter(|(_, u)| !benign.contains(u))
            .collect();
        pool.shuffle(&mut g.rng);
        let mut take = |pred: &dyn Fn(&Facility) -> bool| -> (usize, String) {
            let i = pool.iter().position(|(fi, _)| pred(&facilities[*fi])).expect("enough planted users");
            pool.remove(i)
        };
        let any = |_: &Facility| true;
        let by_day = |f: &Facility| matches!(f.shape, Shape::Clinic | Shape::Pharmacy);
        for k in 0..o.per_month {
            let day = |g: &mut Gen| date(m.year(), m.month(), 1 + g.rng.random_range(0..days_in(m) - 1));
            // Curiosity: patients of another facility.
            let (fi, u) = take(&any);
            let n = 1 + g.rng.random_range(0..3);
            for _ in 0..n {
                let p = g.stranger(&facilities, fi);
                let d = day(&mut g);
                let t = at(d, 10 + g.rng.random_range(0..6), g.rng.random_range(0..60));
                g.line(t, &facilities[fi], &u, p, "閲覧");
            }
            plants.push(Plant { kind: Kind::Curiosity, month: m, users: vec![u] });
            // Stalking: one outsider on 3–6 days.
            let (fi, u) = take(&any);
            let p = outsiders.next().expect("outsiders");
            let mut days: Vec<u32> = (1..=days_in(m)).collect();
            days.shuffle(&mut g.rng);
            for d in days.iter().take(3 + g.rng.random_range(0..4)) {
                g.line(at(date(m.year(), m.month(), *d), 12, 5), &facilities[fi], &u, p, "閲覧");
            }
            plants.push(Plant { kind: Kind::Stalking, month: m, users: vec![u] });
            // Slow drip: two outsiders a week.
            let (fi, u) = take(&any);
            for week in 0..4 {
                for j in 0..2 {
                    let p = outsiders.next().expect("outsiders");
                    let d = date(m.year(), m.month(), 2 + 7 * week + 2 * j);
                    g.line(at(d, 11 + j, 20), &facilities[fi], &u, p, "閲覧");
                }
            }
            plants.push(Plant { kind: Kind::SlowDrip, month: m, users: vec![u] });
            // Sweep: 35–120 patients within 50 minutes.
            let (fi, u) = take(&any);
            let n = 35 + g.rng.random_range(0..86);
            let d = day(&mut g);
            for i in 0..n {
                let p = if i % 3 == 0 { g.stranger(&facilities, fi) } else { outsiders.next().expect("outsiders") };
                let t = at(d, 14, 0) + chrono::Duration::seconds((i * 3000 / n) as i64);
                g.line(t, &facilities[fi], &u, p, "閲覧");
            }
            plants.push(Plant { kind: Kind::Sweep, month: m, users: vec![u] });
            // Swarm: 8–12 users of 3–6 facilities on one outsider within 48 hours.
            let p = outsiders.next().expect("outsiders");
            let n = 8 + g.rng.random_range(0..5);
            let mut seen: Vec<usize> = Vec::new();
            let mut users = Vec::new();
            let d = date(m.year(), m.month(), 3 + g.rng.random_range(0..20));
            for i in 0..n {
                // Three facilities at least, then anyone.
                let (fi, u) = if seen.len() < 3 {
                    take(&|f: &Facility| !seen.iter().any(|s| facilities[*s].name == f.name))
                } else {
                    take(&any)
                };
                if !seen.contains(&fi) {
                    seen.push(fi);
                }
                let t = at(d, 9, 0) + chrono::Duration::minutes((i * 48 * 60 / n) as i64);
                g.line(t, &facilities[fi], &u, p, "閲覧");
                users.push(u);
            }
            plants.push(Plant { kind: Kind::Swarm, month: m, users });
            // Outside membership: a former member's staff, or a future member's before 加入日.
            let u = if k % 2 == 0 {
                let f = &facilities[left[(k / 2) % left.len()]];
                let u = f.users[(pi * o.per_month + k / 2) % f.users.len()].clone();
                let p = f.panel[g.rng.random_range(0..f.panel.len())];
                let t = at(day(&mut g), 10, 30);
                g.line(t, f, &u, p, "閲覧");
                u
            } else {
                let f = &facilities[pre_join[pi]];
                let u = f.users[(k / 2) % f.users.len()].clone();
                let p = f.panel[g.rng.random_range(0..f.panel.len())];
                g.line(at(date(m.year(), m.month(), 5 + (k as u32 % 10)), 10, 30), f, &u, p, "閲覧");
                u
            };
            plants.push(Plant { kind: Kind::NonMember, month: m, users: vec![u] });
            // Dormant: a first-month account used again.
            let (fi, u) = dormant_users[pi * o.per_month + k].clone();
            g.views(&facilities[fi], &u, date(m.year(), m.month(), 10 + k as u32 % 10), 11, 15, 2);
            plants.push(Plant { kind: Kind::Dormant, month: m, users: vec![u] });
            // Bulk download of the facility's own patients.
            let (fi, u) = take(&any);
            let n = 10 + g.rng.random_range(0..16);
            let d = day(&mut g);
            let f = &facilities[fi];
            let mut panel = f.panel.clone();
            panel.shuffle(&mut g.rng);
            for (i, p) in panel.iter().take(n).enumerate() {
                g.line(at(d, 13 + (i / 10) as u32, (i * 5 % 60) as u32), f, &u, *p, "ダウンロード");
            }
            plants.push(Plant { kind: Kind::BulkDownload, month: m, users: vec![u] });
            // A night look at a day facility, at its own patients.
            let (fi, u) = take(&by_day);
            let f = &facilities[fi];
            let p = f.panel[g.rng.random_range(0..f.panel.len())];
            let t = at(day(&mut g), 1 + g.rng.random_range(0..4), 15);
            g.line(t, f, &u, p, "閲覧");
            plants.push(Plant { kind: Kind::OffHours, month: m, users: vec![u] });
        }
    }
    let lines = with_registrations(&facilities, g.lines);
    Network { facilities, lines, plants, benign, months }
}

/// Sorts the lines and puts the facility's registration (登録) before its first look at each
/// patient of its panel, as the consent flow does; looks at strangers (planted) get none.
fn with_registrations(facilities: &[Facility], mut lines: Vec<LogLine>) -> Vec<LogLine> {
    let panels: std::collections::HashMap<&str, HashSet<u32>> =
        facilities.iter().map(|f| (f.name.as_str(), f.panel.iter().copied().collect())).collect();
    lines.sort_by_key(|l| l.at);
    let mut linked: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::with_capacity(lines.len() * 9 / 8);
    for l in lines {
        let patient: u32 = l.patient_id[1..].parse().expect("P and digits");
        let own = panels.get(l.facility.as_str()).is_some_and(|p| p.contains(&patient));
        // Hospitals mostly look at their own data, but only their own patients' (a stranger's
        // data comes from another hospital); the others look at a hospital's.
        let hospital = l.facility.ends_with("病院");
        let mut l = l;
        l.disclosing = match (own && hospital && patient % 10 < 7, l.facility == "中央救急病院") {
            (true, _) => l.facility.clone(),
            (false, false) => "中央救急病院".into(),
            (false, true) => "第1病院".into(),
        };
        if own && linked.insert((l.facility.clone(), l.patient_id.clone())) {
            out.push(LogLine {
                at: l.at - chrono::Duration::minutes(5),
                action: "登録",
                data_type: "同意",
                ..l.clone()
            });
        }
        out.push(l);
    }
    out.sort_by_key(|l| l.at);
    out
}

struct Gen {
    rng: StdRng,
    lines: Vec<LogLine>,
}

impl Gen {
    /// A log line (registrations are added at the end, [`with_registrations`]).
    fn line(&mut self, t: NaiveDateTime, f: &Facility, user: &str, patient: u32, action: &'static str) {
        let data = DATA[(patient as usize + t.day() as usize) % DATA.len()];
        // Hospitals mostly look at their own data; others at a hospital's.
        // Set with the registrations, which know the panels.
        let disclosing = String::new();
        self.lines.push(LogLine {
            at: t,
            system: SYSTEM,
            user_id: user.to_string(),
            facility: f.name.clone(),
            patient_id: format!("P{patient:07}"),
            disclosing,
            data_type: data,
            action,
        });
    }

    /// A patient registered elsewhere but not at `fi`.
    fn stranger(&mut self, facilities: &[Facility], fi: usize) -> u32 {
        loop {
            let other = &facilities[self.rng.random_range(0..facilities.len())];
            let p = other.panel[self.rng.random_range(0..other.panel.len())];
            if !facilities[fi].panel.contains(&p) {
                return p;
            }
        }
    }

    /// `n` views of own patients on day `d` between `from` and `to` o'clock.
    fn views(&mut self, f: &Facility, user: &str, d: NaiveDate, from: u32, to: u32, n: usize) {
        for _ in 0..n {
            let p = self.patient(f);
            let t = at(d, self.rng.random_range(from..to), self.rng.random_range(0..60));
            self.line(t, f, user, p, "閲覧");
        }
    }

    /// A patient of the facility's panel, a few often and most rarely.
    fn patient(&mut self, f: &Facility) -> u32 {
        let u: f64 = self.rng.random();
        f.panel[((u * u) * f.panel.len() as f64) as usize]
    }

    /// One user's ordinary month at `f` between `first` and `stop` (exclusive).
    #[allow(clippy::too_many_arguments)]
    fn ordinary_month(
        &mut self,
        f: &Facility,
        user: &str,
        m: Month,
        first: NaiveDate,
        stop: NaiveDate,
        heavy: bool,
        scale: f64,
    ) {
        let rate = match f.shape {
            Shape::Er => 90.0,
            Shape::Hospital if heavy => 320.0,
            Shape::Hospital => 60.0,
            Shape::Clinic => 70.0,
            Shape::Pharmacy => 110.0,
            Shape::Nursing => 45.0,
            Shape::Care => 15.0,
        } * scale;
        let n = (rate * (0.85 + 0.3 * self.rng.random::<f64>())) as usize;
        let span = (stop - first).num_days().max(1) as u32;
        let mut rounds: HashSet<NaiveDate> = HashSet::new();
        let mut k = 0;
        while k < n {
            let d = first + chrono::Duration::days(self.rng.random_range(0..span) as i64);
            let weekday = d.weekday().num_days_from_monday();
            let (h, ok) = match f.shape {
                Shape::Er => {
                    let h = self.rng.random_range(0..24);
                    (h, h >= 8 || self.rng.random::<f64>() < 0.6)
                }
                Shape::Hospital => (self.rng.random_range(8..20), true),
                Shape::Clinic => {
                    (self.rng.random_range(9..18), weekday < 5 || (weekday == 5 && self.rng.random::<bool>()))
                }
                Shape::Pharmacy => (self.rng.random_range(9..19), weekday < 6),
                Shape::Nursing => {
                    if self.rng.random::<f64>() < 0.04 {
                        ([19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6][self.rng.random_range(0..12)], true)
                    } else {
                        (self.rng.random_range(8..18), true)
                    }
                }
                Shape::Care => (self.rng.random_range(9..17), weekday < 5),
            };
            if !ok {
                continue;
            }
            k += 1;
            let p = self.patient(f);
            // A heavy user's rounds: a burst of 15–25 patients in an hour, one round a day.
            if heavy && self.rng.random::<f64>() < 0.03 && rounds.insert(d) {
                for i in 0..15 + self.rng.random_range(0..11) {
                    let p = self.patient(f);
                    self.line(at(d, h, 0) + chrono::Duration::minutes(2 * i), f, user, p, "閲覧");
                }
                continue;
            }
            let action = if self.rng.random::<f64>() < 0.05 { "ダウンロード" } else { "閲覧" };
            let t = at(d, h, self.rng.random_range(0..60));
            self.line(t, f, user, p, action);
        }
        // Care managers review 30–45 of their patients at month end, within two hours.
        if f.shape == Shape::Care {
            let last = m.plus(1).first_day().pred_opt().expect("a last day");
            if last >= first && last < stop {
                let mut panel = f.panel.clone();
                panel.shuffle(&mut self.rng);
                let n = 30 + self.rng.random_range(0..16);
                for (i, p) in panel.iter().take(n).enumerate() {
                    self.line(at(last, 14, 0) + chrono::Duration::minutes((i * 120 / n) as i64), f, user, *p, "閲覧");
                }
            }
        }
    }
}

impl Network {
    /// The users active (any event) in `month`.
    pub fn active_users(&self, month: Month) -> usize {
        let mut users = HashSet::new();
        for l in self.lines.iter().filter(|l| Month::of(l.at.date()) == month) {
            users.insert(l.user_id.as_str());
        }
        users.len()
    }

    /// The plants per kind.
    pub fn plants_by_kind(&self) -> BTreeMap<Kind, Vec<&Plant>> {
        let mut out: BTreeMap<Kind, Vec<&Plant>> = BTreeMap::new();
        for p in &self.plants {
            out.entry(p.kind).or_default().push(p);
        }
        out
    }

    /// Writes the roster (with 加入日 and 退会日) as xlsx.
    pub fn write_roster(&self, path: &Path, fiscal_year_label: &str) -> anyhow::Result<()> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, format!("{fiscal_year_label} 試験ネット 参加施設名簿"))?;
        for (c, h) in ["施設名", "種別", "市町", "加入日", "退会日", "年会費"].iter().enumerate() {
            ws.write_string(2, c as u16, *h)?;
        }
        for (i, f) in self.facilities.iter().enumerate() {
            let r = 3 + i as u32;
            ws.write_string(r, 0, &f.name)?;
            ws.write_string(r, 1, f.kind)?;
            ws.write_string(r, 2, "南魚沼市")?;
            ws.write_string(r, 3, f.joined_on.format("%Y/%m/%d").to_string())?;
            if let Some(l) = f.left_on {
                ws.write_string(r, 4, l.format("%Y/%m/%d").to_string())?;
            }
            ws.write_number(r, 5, 36_000.0)?;
        }
        wb.save(path)?;
        Ok(())
    }

    /// The access log as UTF-8 CSV with the Japanese headers real exports use.
    pub fn log_csv(&self) -> String {
        crate::demo::logs::csv_text(&self.lines)
    }
}
