//! The network-wide publication behind every municipality report ([`Published`]): the
//! flows from each municipality's facilities to each disclosing hospital with their
//! totals, the patients whose information was viewed and the registered patients,
//! protected together by [`suppress::protect`], so comparing two municipalities' reports
//! (or a report with the network totals it shows) gives nothing away. Facility counts come
//! from the roster, which the council publishes, and are shown as they are.

use crate::metrics::municipality::MunicipalityMetrics;
use crate::report::suppress::{self, Counts, Shown, Sum};

/// The name under which facilities outside the listed municipalities are counted.
pub const OTHER: &str = "その他";

/// One municipality's published row.
#[derive(Debug, Clone)]
pub struct Town {
    /// Name (`湯沢町`), or [`OTHER`].
    pub name: String,
    /// Population, when listed.
    pub population: Option<i64>,
    /// Participating facilities located there (roster; public).
    pub participating: i64,
    /// Of those, facilities with any use in the year.
    pub active: i64,
    /// Views by its facilities (the flows' row total).
    pub views: Shown,
    /// Patients whose information its facilities viewed.
    pub patients: Shown,
    /// Registered patients at the year's last month, when counts exist.
    pub registered: Option<Shown>,
    /// Its views as a reader of the published reports can know them: exact when shown,
    /// else the middle of the range the published figures allow.
    pub use_basis: f64,
    /// Participating, disclosing and viewing facilities by kind.
    pub kinds: Vec<(String, i64, i64, i64)>,
}

impl Town {
    /// True for a listed municipality (not [`OTHER`]).
    pub fn is_municipality(&self) -> bool {
        self.name != OTHER
    }
}

/// Everything the municipality reports of one fiscal year publish, protected together.
#[derive(Debug, Clone)]
pub struct Published {
    /// The municipalities in list order, then [`OTHER`] when it has anything.
    pub towns: Vec<Town>,
    /// Disclosing facilities, most viewed first.
    pub hospitals: Vec<String>,
    /// Views `[town][hospital]`.
    pub flows: Vec<Vec<Shown>>,
    /// Views of each hospital's information by all towns.
    pub hospital_views: Vec<Shown>,
    /// All views in the network.
    pub total_views: Shown,
    /// All registered patients, when counts exist.
    pub registered_total: Option<Shown>,
}

impl Published {
    /// Protects the year's figures (network-wide) and lays them out per municipality.
    pub fn of(m: &MunicipalityMetrics) -> Published {
        let u = &m.use_;
        let names: Vec<String> = u.iter().map(|r| r.municipality.clone()).collect();
        let town_of =
            |name: &str| names.iter().position(|n| n == name).or_else(|| names.iter().position(|n| n == OTHER));

        // Hospitals by network views, most first (ties by name, for a stable order).
        let mut per_hospital: Vec<(String, i64)> = Vec::new();
        for f in &m.flows {
            match per_hospital.iter_mut().find(|(n, _)| *n == f.disclosing_facility) {
                Some((_, v)) => *v += f.views,
                None => per_hospital.push((f.disclosing_facility.clone(), f.views)),
            }
        }
        per_hospital.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let hospitals: Vec<String> = per_hospital.into_iter().map(|(n, _)| n).collect();
        let mut cells = vec![vec![0i64; hospitals.len()]; names.len()];
        for f in &m.flows {
            let h = hospitals.iter().position(|n| *n == f.disclosing_facility);
            if let (Some(t), Some(h)) = (town_of(&f.municipality), h) {
                cells[t][h] += f.views;
            }
        }

        let mut counts = Counts::default();
        let grid = counts.add_table(&cells);
        let patients: Vec<usize> = u.iter().map(|r| counts.push(r.patients)).collect();
        // Registered patients: one count per town and their total (rows for places not in
        // the list count as その他, so the total holds nothing unpublished).
        let e = &m.enrollment;
        let registered = (!e.is_empty()).then(|| {
            // One more count than towns: places in neither the list nor その他's row.
            let mut per_town = vec![0i64; names.len() + 1];
            let mut total = 0;
            for r in e {
                match &r.municipality {
                    Some(name) => {
                        let t = names.iter().position(|t| t == name).or_else(|| town_of(OTHER));
                        per_town[t.unwrap_or(names.len())] += r.registered_patients;
                    }
                    None => total = r.registered_patients,
                }
            }
            let parts: Vec<usize> = per_town.iter().map(|v| counts.push(*v)).collect();
            let total = counts.push(total);
            counts.sums.push(Sum { parts: parts.clone(), total });
            (parts, total)
        });

        let shown = suppress::protect(&counts);
        let (lo, hi) = suppress::bounds(&counts, &shown);
        let cols = hospitals.len();
        let margin = &grid[names.len()];
        let fac = &m.facilities;
        let towns = names
            .iter()
            .enumerate()
            .map(|(t, name)| {
                let views = grid[t][cols];
                Town {
                    name: name.clone(),
                    population: u[t].population,
                    participating: u[t].participating_facilities,
                    active: u[t].active_facilities,
                    views: shown[views],
                    patients: shown[patients[t]],
                    registered: registered.as_ref().map(|(parts, _)| shown[parts[t]]),
                    use_basis: match shown[views] {
                        Shown::Count(v) => v as f64,
                        _ => (lo[views] + hi[views]) as f64 / 2.0,
                    },
                    kinds: fac
                        .iter()
                        .filter(|r| r.municipality == *name)
                        .map(|r| (r.kind.clone(), r.participating, r.disclosing, r.viewing))
                        .collect(),
                }
            })
            .collect();
        Published {
            towns,
            flows: (0..names.len()).map(|t| (0..cols).map(|h| shown[grid[t][h]]).collect()).collect(),
            hospital_views: (0..cols).map(|h| shown[margin[h]]).collect(),
            total_views: shown[margin[cols]],
            registered_total: registered.map(|(_, total)| shown[total]),
            hospitals,
        }
    }

    /// The published row of `name`.
    pub fn town(&self, name: &str) -> Option<&Town> {
        self.towns.iter().find(|t| t.name == name)
    }

    /// The listed municipalities (without [`OTHER`]).
    pub fn municipalities(&self) -> impl Iterator<Item = &Town> {
        self.towns.iter().filter(|t| t.is_municipality())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::FiscalYear;
    use crate::metrics::rows::{
        CostPerUse, EnrollmentCoverage, MunicipalityFlow, MunicipalityUse, Stage, SupportBasis,
    };
    use crate::report::suppress::tests::assert_nothing_recovered;

    const TOWNS: [&str; 5] = ["十日町市", "魚沼市", "南魚沼市", "湯沢町", "津南町"];
    const HOSPITALS: [&str; 5] = ["魚沼基幹病院", "十日町病院", "小出病院", "湯沢町保健医療センター", "津南病院"];
    /// Views town × hospital: 湯沢町 and 津南町 are small towns.
    const FLOWS: [[i64; 5]; 5] =
        [[812, 95, 40, 7, 0], [1_460, 33, 210, 12, 3], [305, 640, 18, 0, 25], [6, 0, 2, 0, 0], [14, 9, 0, 3, 1]];
    const PATIENTS: [i64; 5] = [420, 610, 388, 5, 19];
    const REGISTERED: [i64; 5] = [1_200, 950, 1_430, 7, 64];

    pub(crate) fn metrics() -> MunicipalityMetrics {
        let use_ = (0..5)
            .map(|i| MunicipalityUse {
                municipality: TOWNS[i].into(),
                code: Some(format!("1521{i}")),
                population: Some([49_000, 33_000, 53_000, 7_600, 9_000][i]),
                participating_facilities: 10,
                active_facilities: 6,
                views: FLOWS[i].iter().sum(),
                patients: PATIENTS[i],
            })
            .collect();
        let flows = (0..5)
            .flat_map(|i| (0..5).map(move |h| (i, h)))
            .filter(|(i, h)| FLOWS[*i][*h] > 0)
            .map(|(i, h)| MunicipalityFlow {
                municipality: TOWNS[i].into(),
                disclosing_facility: HOSPITALS[h].into(),
                views: FLOWS[i][h],
            })
            .collect();
        let enrolled = |municipality: Option<&str>, registered_patients: i64| EnrollmentCoverage {
            municipality: municipality.map(String::from),
            registered_patients,
            population: None,
            coverage: None,
            shared_patients_12m: None,
            shared_rate: None,
        };
        let mut enrollment: Vec<EnrollmentCoverage> = (0..5).map(|i| enrolled(Some(TOWNS[i]), REGISTERED[i])).collect();
        enrollment.push(enrolled(None, REGISTERED.iter().sum()));
        MunicipalityMetrics {
            fiscal_year: FiscalYear::new(2025),
            use_,
            flows,
            facilities: Vec::new(),
            payments: Vec::new(),
            enrollment,
            cost: CostPerUse {
                fiscal_year: 2025,
                running_cost_yen: Some(14_000_000),
                cost_basis: None,
                cost_basis_year: None,
                server_annual_yen: None,
                system_cost_yen: Some(14_000_000),
                approximate: false,
                months_with_log: 12,
                views_12m: None,
                active_facilities_12m: None,
                registered_patients: None,
                residents: None,
                yen_per_view: None,
                yen_per_active_facility: None,
                yen_per_registered_patient: None,
                yen_per_resident: None,
            },
            support: SupportBasis {
                stage: Some(Stage::Budget),
                expense_yen: None,
                other_income_yen: None,
                fee_income_yen: None,
                required_yen: Some(6_500_000),
            },
            scenarios: Vec::new(),
        }
    }

    #[test]
    fn the_five_reports_together_reveal_no_suppressed_count() {
        let p = Published::of(&metrics());
        // The reader's side, built from what the reports print: the flows with the towns'
        // and hospitals' totals, the patients, the registered patients with their total.
        let mut counts = Counts::default();
        let grid = counts.add_table(&FLOWS.map(|r| r.to_vec()));
        let mut shown = vec![Shown::Count(0); counts.values.len()];
        for (i, town) in p.towns.iter().enumerate() {
            assert_eq!(town.name, TOWNS[i]);
            for h in 0..5 {
                let at = p.hospitals.iter().position(|n| n == HOSPITALS[h]).unwrap();
                shown[grid[i][h]] = p.flows[i][at];
            }
            shown[grid[i][5]] = town.views;
        }
        for h in 0..5 {
            shown[grid[5][h]] = p.hospital_views[p.hospitals.iter().position(|n| n == HOSPITALS[h]).unwrap()];
        }
        shown[grid[5][5]] = p.total_views;
        for (i, town) in p.towns.iter().enumerate() {
            counts.push(PATIENTS[i]);
            shown.push(town.patients);
        }
        let parts: Vec<usize> = (0..5).map(|i| counts.push(REGISTERED[i])).collect();
        shown.extend(p.towns.iter().map(|t| t.registered.unwrap()));
        let total = counts.push(REGISTERED.iter().sum());
        shown.push(p.registered_total.unwrap());
        counts.sums.push(Sum { parts, total });

        // Small counts are never printed as numbers, and the attacker pins nothing.
        for (v, s) in counts.values.iter().zip(&shown) {
            assert!(!matches!(s, Shown::Count(n) if (1..=9).contains(n)), "{v} printed as {s:?}");
            if let Shown::Count(n) = s {
                assert_eq!(n, v);
            }
        }
        assert_eq!(p.towns[3].registered, Some(Shown::Under10), "湯沢町's 7 registered");
        assert!(shown.contains(&Shown::Hidden), "secondary suppression happened");
        assert_nothing_recovered(&counts, &shown);
    }
}
