//! The demo network: the seed's 10 hospitals, 4 lab companies and 5 municipalities
//! (`shared/seed/SUMMARY.md`), plus about 70 clinics, dental clinics, pharmacies,
//! home-nursing stations and care facilities spread over the municipalities by population.
//! Names beyond the seed's are invented.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

/// The five municipalities with populations (rounded, for the demo only).
pub const MUNICIPALITIES: &[(&str, u32)] =
    &[("南魚沼市", 53_000), ("十日町市", 49_000), ("魚沼市", 33_000), ("津南町", 9_000), ("湯沢町", 7_600)];

/// One demo facility.
#[derive(Debug, Clone)]
pub struct DemoFacility {
    /// Name as the roster writes it.
    pub name: String,
    /// 種別.
    pub kind: &'static str,
    /// 所在市町.
    pub municipality: &'static str,
    /// 加入日.
    pub joined_on: NaiveDate,
    /// 画像公開.
    pub publishes_images: bool,
    /// Fee before and from the R7 (FY2025) revision.
    pub fee_old: i64,
    /// Fee from FY2025.
    pub fee_new: i64,
    /// How much it views (0 = a paying member that never uses the network).
    pub view_weight: f64,
    /// How much of what is viewed it discloses.
    pub disclose_weight: f64,
    /// Users with accounts.
    pub users: u32,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date")
}

/// Builds the demo facility list (deterministic for a given rng).
pub fn build(rng: &mut StdRng) -> Vec<DemoFacility> {
    let h24 = date(2012, 10, 1);
    let hospital = |name: &str, muni, publishes, fee_old, fee_new, view, disclose, users| DemoFacility {
        name: name.to_string(),
        kind: "病院",
        municipality: muni,
        joined_on: h24,
        publishes_images: publishes,
        fee_old,
        fee_new,
        view_weight: view,
        disclose_weight: disclose,
        users,
    };
    let mut list = vec![
        hospital("魚沼基幹病院", "南魚沼市", true, 2_300_000, 3_500_000, 14.0, 40.0, 40),
        hospital("十日町病院", "十日町市", true, 950_000, 1_400_000, 8.0, 18.0, 20),
        hospital("松代病院", "十日町市", true, 950_000, 1_400_000, 1.5, 4.0, 6),
        hospital("小出病院", "魚沼市", true, 950_000, 1_400_000, 4.0, 7.0, 12),
        hospital("南魚沼市民病院", "南魚沼市", true, 950_000, 1_400_000, 5.0, 8.0, 14),
        hospital("齋藤記念病院", "南魚沼市", true, 950_000, 1_400_000, 3.0, 6.0, 8),
        hospital("津南病院", "津南町", true, 950_000, 1_400_000, 2.0, 4.0, 6),
        hospital("湯沢町保健医療センター", "湯沢町", true, 950_000, 1_400_000, 1.5, 3.0, 5),
        hospital("五日町病院", "南魚沼市", false, 500_000, 700_000, 1.0, 3.0, 4),
        hospital("ほんだ病院", "魚沼市", false, 500_000, 700_000, 0.8, 3.0, 4),
    ];
    for lab in ["アルプ", "BML", "江東微研", "保健科学"] {
        list.push(DemoFacility {
            name: lab.to_string(),
            kind: "検査会社",
            municipality: "圏域外",
            joined_on: date(2013, 4, 1),
            publishes_images: false,
            fee_old: 600_000,
            fee_new: 800_000,
            view_weight: 0.0,
            disclose_weight: 2.5,
            users: 1,
        });
    }
    const SURNAMES: &[&str] = &[
        "佐藤",
        "星野",
        "桑原",
        "南雲",
        "樋口",
        "井口",
        "森山",
        "富井",
        "目黒",
        "阿部",
        "村山",
        "青木",
        "江口",
        "金子",
        "小野塚",
        "桐生",
        "坂西",
        "岡村",
        "田村",
        "池田",
        "関",
        "髙橋",
        "渡辺",
        "小林",
        "山田",
        "中島",
        "保坂",
        "丸山",
        "宮崎",
        "庭野",
        "若井",
        "根津",
        "大平",
        "島田",
        "広田",
        "笠原",
    ];
    const PLACES: &[(&str, &str)] = &[
        ("六日町", "南魚沼市"),
        ("浦佐", "南魚沼市"),
        ("塩沢", "南魚沼市"),
        ("大和", "南魚沼市"),
        ("石打", "南魚沼市"),
        ("十日町", "十日町市"),
        ("中里", "十日町市"),
        ("川西", "十日町市"),
        ("松之山", "十日町市"),
        ("下条", "十日町市"),
        ("小出", "魚沼市"),
        ("堀之内", "魚沼市"),
        ("広神", "魚沼市"),
        ("守門", "魚沼市"),
        ("津南", "津南町"),
        ("中深見", "津南町"),
        ("湯沢", "湯沢町"),
        ("土樽", "湯沢町"),
    ];
    // (kind, count, old fee, new fee, name pattern)
    let groups: &[(&'static str, usize, i64, i64)] = &[
        ("診療所", 28, 60_000, 90_000),
        ("歯科診療所", 8, 30_000, 45_000),
        ("薬局", 14, 24_000, 36_000),
        ("訪問看護ステーション", 8, 24_000, 36_000),
        ("介護施設", 12, 24_000, 36_000),
    ];
    let mut used = std::collections::HashSet::new();
    for &(kind, count, fee_old, fee_new) in groups {
        for i in 0..count {
            // Draw place and surname again until the name is new: no two members share one.
            let (municipality, name) = loop {
                let municipality = pick_municipality(rng);
                let places: Vec<&str> = PLACES.iter().filter(|(_, m)| *m == municipality).map(|(p, _)| *p).collect();
                let place = places[rng.random_range(0..places.len())];
                let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
                let name = match (kind, i % 3) {
                    ("診療所", 0) => format!("{surname}医院"),
                    ("診療所", 1) => format!("{surname}クリニック"),
                    ("診療所", _) => format!("{place}内科クリニック"),
                    ("歯科診療所", _) => format!("{surname}歯科医院"),
                    ("薬局", 0) => format!("{place}薬局"),
                    ("薬局", _) => format!("あおば薬局 {place}店"),
                    ("訪問看護ステーション", _) => format!("訪問看護ステーション{place}"),
                    (_, 0) => format!("特別養護老人ホーム{place}園"),
                    (_, 1) => format!("{place}デイサービスセンター"),
                    _ => format!("居宅介護支援事業所{place}"),
                };
                if used.insert(name.clone()) {
                    break (municipality, name);
                }
            };
            // A few facilities make most of the use; many paying members rarely or never use it.
            let r: f64 = rng.random();
            let view_weight = if r < 0.30 {
                0.0
            } else if r < 0.62 {
                0.08
            } else if r < 0.92 {
                0.6
            } else {
                3.5
            } * match kind {
                // Dental clinics and care homes look at hospital data less than clinics do.
                "歯科診療所" => 0.3,
                "介護施設" => 0.5,
                _ => 1.0,
            };
            let y = 2013 + rng.random_range(0..12);
            let joined_on = date(y, rng.random_range(1..=12), 1);
            list.push(DemoFacility {
                name,
                kind,
                municipality,
                joined_on,
                publishes_images: false,
                fee_old,
                fee_new,
                view_weight,
                disclose_weight: 0.0,
                users: 1 + rng.random_range(0..4),
            });
        }
    }
    list
}

fn pick_municipality(rng: &mut StdRng) -> &'static str {
    let total: u32 = MUNICIPALITIES.iter().map(|(_, p)| p).sum();
    let mut x = rng.random_range(0..total);
    for (name, pop) in MUNICIPALITIES {
        if x < *pop {
            return name;
        }
        x -= pop;
    }
    MUNICIPALITIES[0].0
}
