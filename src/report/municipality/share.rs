//! How the amount asked of the municipalities is split: each one's share from published
//! use, population and an equal part ([`shares`]), and the split in whole thousands of yen
//! that add up ([`allocate`]). Use enters as published (a `<10` or `＊` count as the middle
//! of what a reader can work out for it), so no yen amount can leak a suppressed count.

use super::publish::{Published, Town};
use crate::config::ShareWeights;

/// Each listed municipality's share of the support (0–1, adding up to 1), in the order of
/// [`Published::municipalities`]: `use × w_use + population × w_population + 1/N × w_equal`,
/// the weights scaled to add up to 1. Use is the published views ([`Town::use_basis`]);
/// with no use (or no population) at all, that part is split equally.
pub fn shares(p: &Published, w: &ShareWeights) -> Vec<f64> {
    let towns: Vec<&Town> = p.municipalities().collect();
    let n = towns.len() as f64;
    if towns.is_empty() {
        return Vec::new();
    }
    let part = |values: Vec<f64>| -> Vec<f64> {
        let sum: f64 = values.iter().sum();
        values.iter().map(|v| if sum > 0.0 { v / sum } else { 1.0 / n }).collect()
    };
    let uses = part(towns.iter().map(|t| t.use_basis).collect());
    let people = part(towns.iter().map(|t| t.population.unwrap_or(0) as f64).collect());
    let weights = w.use_weight + w.population_weight + w.equal_weight;
    let weights = if weights > 0.0 { weights } else { 1.0 };
    (0..towns.len())
        .map(|i| (w.use_weight * uses[i] + w.population_weight * people[i] + w.equal_weight / n) / weights)
        .collect()
}

/// Splits `total` yen by `shares` in whole thousands of yen (千円) that add up to `total`
/// rounded to a thousand: each gets the thousands its share floors to, and the thousands
/// left go to the largest remainders.
pub fn allocate(total: i64, shares: &[f64]) -> Vec<i64> {
    let units = (total as f64 / 1000.0).round() as i64;
    let exact: Vec<f64> = shares.iter().map(|s| s * units as f64).collect();
    let mut out: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    let left = units - out.iter().sum::<i64>();
    for i in order.into_iter().take(left.max(0) as usize) {
        out[i] += 1;
    }
    out.into_iter().map(|u| u * 1000).collect()
}

#[cfg(test)]
mod tests {
    use super::super::publish::tests::metrics;
    use super::*;
    use crate::report::suppress::Shown;

    #[test]
    fn shares_follow_the_weights() {
        let p = Published::of(&metrics());
        let only = |u: f64, pop: f64, eq: f64| {
            shares(&p, &ShareWeights { use_weight: u, population_weight: pop, equal_weight: eq })
        };
        assert_eq!(only(0.0, 0.0, 1.0), vec![0.2; 5]);
        // Population only: 49,000 / 151,600 for 十日町市, 7,600 / 151,600 for 湯沢町.
        let by_people = only(0.0, 2.0, 0.0);
        assert!((by_people[0] - 49_000.0 / 151_600.0).abs() < 1e-12);
        assert!((by_people[3] - 7_600.0 / 151_600.0).abs() < 1e-12);
        // Use only, from published views: 南魚沼市's 988 views are shown exactly
        // (305 + 640 + 18 + 0 + 25); its share is 988 over the published basis.
        let by_use = only(1.0, 0.0, 0.0);
        assert_eq!(p.towns[2].views, Shown::Count(988));
        let basis: f64 = p.towns.iter().map(|t| t.use_basis).sum();
        assert!((by_use[2] - 988.0 / basis).abs() < 1e-12);
        assert!((by_use.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn allocation_adds_up_in_thousands() {
        let shares = [0.5, 0.3, 0.2];
        assert_eq!(allocate(6_500_000, &shares), vec![3_250_000, 1_950_000, 1_300_000]);
        // 1,000 thousands split three ways: 333.33 each, the one left goes to the first.
        let third = [1.0 / 3.0; 3];
        assert_eq!(allocate(1_000_000, &third), vec![334_000, 333_000, 333_000]);
        assert_eq!(allocate(1_000_000, &third).iter().sum::<i64>(), 1_000_000);
        assert_eq!(allocate(0, &third), vec![0, 0, 0]);
    }
}
