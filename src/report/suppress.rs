//! Small-cell suppression for what leaves the council (the municipality reports): a count
//! from 1 to 9 is shown as `<10`, and further cells are hidden (secondary suppression)
//! until no hidden count can be worked out from what is published.
//!
//! The published counts are one flat list with the sums a reader sees between them: a
//! table's rows and columns add up to its margins, the same totals appear in several
//! tables, and the five municipalities' rows add up to the network's totals that every
//! report shows. Protecting them together is what stops recovery by differences between
//! tables or between two municipalities' reports.
//!
//! The reader knows the rule: a `<10` cell is 1–9, a hidden cell is 10 or more (zeros are
//! never hidden, so "hidden" reveals that much), a shown cell is exact. The audit works out
//! what those facts and the sums allow — bounds from each sum, tightened until nothing
//! changes, and exact values from combining sums (Gaussian elimination) — and a `<10` cell
//! whose value is pinned, or a hidden cell pinned, gets a partner hidden beside it: the
//! smallest shown count of 10 or more in a sum through it. Repeat until the audit finds
//! nothing. A test plays the attacker with a complete search over every value the cells
//! could take.

/// A published cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Shown as is (0, or 10 and more).
    Count(i64),
    /// 1–9, shown as `<10`.
    Under10,
    /// Hidden so that a `<10` cell cannot be worked out (shown as `＊`).
    Hidden,
}

impl Shown {
    /// The text of the cell (`1,234`, `<10`, `＊`).
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => crate::report::format::count(n),
            Shown::Under10 => "<10".to_string(),
            Shown::Hidden => "＊".to_string(),
        }
    }

    /// The value when shown exactly.
    pub fn value(self) -> Option<i64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// One sum the reader sees: the cells `parts` add up to the cell `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    /// Indices of the cells added.
    pub parts: Vec<usize>,
    /// Index of the cell holding their sum.
    pub total: usize,
}

/// Counts and the sums between them.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// The counts (not negative).
    pub values: Vec<i64>,
    /// The sums a reader sees.
    pub sums: Vec<Sum>,
}

impl Counts {
    /// Adds a table with margins: `cells[r][c]`, each row's total, each column's total and
    /// the grand total. Returns the indices: `[r][c]` for cells, then a row of column
    /// totals, with each row's last entry its row total.
    pub fn add_table(&mut self, cells: &[Vec<i64>]) -> Vec<Vec<usize>> {
        let cols = cells.first().map_or(0, Vec::len);
        let mut at: Vec<Vec<usize>> = Vec::new();
        for row in cells {
            let mut ids: Vec<usize> = row.iter().map(|v| self.push(*v)).collect();
            ids.push(self.push(row.iter().sum()));
            at.push(ids);
        }
        let mut margin: Vec<usize> = (0..cols).map(|c| self.push(cells.iter().map(|r| r[c]).sum())).collect();
        margin.push(self.push(cells.iter().flatten().sum()));
        for ids in &at {
            self.sums.push(Sum { parts: ids[..cols].to_vec(), total: ids[cols] });
        }
        for c in 0..=cols {
            self.sums.push(Sum { parts: at.iter().map(|ids| ids[c]).collect(), total: margin[c] });
        }
        self.sums.push(Sum { parts: margin[..cols].to_vec(), total: margin[cols] });
        at.push(margin);
        at
    }

    /// Adds one count; returns its index.
    pub fn push(&mut self, value: i64) -> usize {
        self.values.push(value);
        self.values.len() - 1
    }

    /// Says that the cells `a` and `b` are the same number published twice (a total that
    /// appears in two tables).
    pub fn same(&mut self, a: usize, b: usize) {
        self.sums.push(Sum { parts: vec![a], total: b });
    }
}

/// What every cell is published as.
pub fn protect(counts: &Counts) -> Vec<Shown> {
    let mut shown: Vec<Shown> =
        counts.values.iter().map(|v| if (1..=9).contains(v) { Shown::Under10 } else { Shown::Count(*v) }).collect();
    // Each round hides one more cell, so this ends.
    while let Some(exposed) = audit(counts, &shown).into_iter().next() {
        // The partner: the smallest shown count of 10 or more in a sum through the exposed
        // cell, else the smallest anywhere.
        let beside: Vec<usize> = counts
            .sums
            .iter()
            .filter(|s| s.total == exposed || s.parts.contains(&exposed))
            .flat_map(|s| s.parts.iter().chain(std::iter::once(&s.total)).copied())
            .collect();
        let partner = (0..shown.len())
            .filter(|i| matches!(shown[*i], Shown::Count(v) if v >= 10))
            .min_by_key(|i| (!beside.contains(i), counts.values[*i], *i));
        match partner {
            Some(i) => shown[i] = Shown::Hidden,
            // Every count of 10 or more is hidden already: nothing left to hide.
            None => break,
        }
    }
    shown
}

/// The cells whose value a reader can work out from what is published although they are
/// not shown, first found first.
pub fn audit(counts: &Counts, shown: &[Shown]) -> Vec<usize> {
    let (lo, hi) = bounds(counts, shown);
    let mut exposed: Vec<usize> =
        (0..shown.len()).filter(|i| shown[*i].value().is_none() && lo[*i] == hi[*i]).collect();
    for i in determined(counts, shown) {
        if !exposed.contains(&i) {
            exposed.push(i);
        }
    }
    exposed
}

/// What each cell can be, from the rule and the sums: bounds tightened sum by sum until
/// nothing changes.
pub fn bounds(counts: &Counts, shown: &[Shown]) -> (Vec<i64>, Vec<i64>) {
    let big: i64 = counts.values.iter().sum::<i64>().max(10) * 2;
    let mut lo: Vec<i64> = shown
        .iter()
        .map(|s| match s {
            Shown::Count(v) => *v,
            Shown::Under10 => 1,
            Shown::Hidden => 10,
        })
        .collect();
    let mut hi: Vec<i64> = shown
        .iter()
        .map(|s| match s {
            Shown::Count(v) => *v,
            Shown::Under10 => 9,
            Shown::Hidden => big,
        })
        .collect();
    tighten(counts, &mut lo, &mut hi);
    (lo, hi)
}

/// Tightens the bounds `lo..=hi` of every cell sum by sum until nothing changes; false when
/// they contradict each other (some cell has no value left).
fn tighten(counts: &Counts, lo: &mut [i64], hi: &mut [i64]) -> bool {
    let mut changed = true;
    while changed {
        changed = false;
        for s in &counts.sums {
            let (sum_lo, sum_hi): (i64, i64) = s.parts.iter().fold((0, 0), |(a, b), p| (a + lo[*p], b + hi[*p]));
            let t = s.total;
            if sum_lo > lo[t] {
                (lo[t], changed) = (sum_lo, true);
            }
            if sum_hi < hi[t] {
                (hi[t], changed) = (sum_hi, true);
            }
            for p in &s.parts {
                let (others_lo, others_hi) = (sum_lo - lo[*p], sum_hi - hi[*p]);
                if lo[t] - others_hi > lo[*p] {
                    (lo[*p], changed) = (lo[t] - others_hi, true);
                }
                if hi[t] - others_lo < hi[*p] {
                    (hi[*p], changed) = (hi[t] - others_lo, true);
                }
            }
            if lo.iter().zip(hi.iter()).any(|(l, h)| l > h) {
                return false;
            }
        }
    }
    true
}

/// Cells not shown whose value follows exactly from combining sums (the reader subtracts
/// one sum from another): Gaussian elimination over the unknown cells.
fn determined(counts: &Counts, shown: &[Shown]) -> Vec<usize> {
    let unknown: Vec<usize> = (0..shown.len()).filter(|i| shown[*i].value().is_none()).collect();
    let column = |i: usize| unknown.iter().position(|u| *u == i);
    // One row per sum: coefficients of the unknowns (parts +1, total −1).
    let mut rows: Vec<Vec<f64>> = counts
        .sums
        .iter()
        .map(|s| {
            let mut row = vec![0.0; unknown.len()];
            for p in &s.parts {
                if let Some(c) = column(*p) {
                    row[c] += 1.0;
                }
            }
            if let Some(c) = column(s.total) {
                row[c] -= 1.0;
            }
            row
        })
        .filter(|r| r.iter().any(|v| *v != 0.0))
        .collect();
    // Reduced row echelon form; a row with a single non-zero pins that unknown.
    let mut pivot_row = 0;
    for c in 0..unknown.len() {
        let Some(p) = (pivot_row..rows.len()).find(|r| rows[*r][c].abs() > 1e-9) else { continue };
        rows.swap(pivot_row, p);
        let lead = rows[pivot_row][c];
        rows[pivot_row].iter_mut().for_each(|v| *v /= lead);
        for r in 0..rows.len() {
            if r != pivot_row && rows[r][c].abs() > 1e-9 {
                let factor = rows[r][c];
                let pivot = rows[pivot_row].clone();
                rows[r].iter_mut().zip(&pivot).for_each(|(v, p)| *v -= factor * p);
            }
        }
        pivot_row += 1;
    }
    rows.iter()
        .filter_map(|r| {
            let nonzero: Vec<usize> = (0..r.len()).filter(|c| r[*c].abs() > 1e-9).collect();
            (nonzero.len() == 1).then(|| unknown[nonzero[0]])
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The attacker: for every cell not shown, every value the rule allows is tried, and a
    /// complete search (each sum checked as soon as its cells are set) says whether some
    /// way of filling the other cells agrees with everything published. Returns, per
    /// cell, the values that fit.
    fn attack(counts: &Counts, shown: &[Shown]) -> Vec<(usize, Vec<i64>)> {
        let (lo, hi) = bounds(counts, shown);
        (0..shown.len())
            .filter(|i| shown[*i].value().is_none())
            .map(|cell| {
                let fits = (lo[cell]..=hi[cell])
                    .filter(|v| {
                        let (mut lo, mut hi) = (lo.clone(), hi.clone());
                        (lo[cell], hi[cell]) = (*v, *v);
                        search(counts, &mut lo, &mut hi)
                    })
                    .collect();
                (cell, fits)
            })
            .collect()
    }

    /// Whether whole numbers within `lo..=hi` satisfy every sum: bounds tightened, then the
    /// open cell with the fewest values left tried value by value.
    fn search(counts: &Counts, lo: &mut [i64], hi: &mut [i64]) -> bool {
        if !tighten(counts, lo, hi) {
            return false;
        }
        let Some(next) = (0..lo.len()).filter(|i| lo[*i] < hi[*i]).min_by_key(|i| hi[*i] - lo[*i]) else {
            return true;
        };
        (lo[next]..=hi[next]).any(|v| {
            let (mut lo, mut hi) = (lo.to_vec(), hi.to_vec());
            (lo[next], hi[next]) = (v, v);
            search(counts, &mut lo, &mut hi)
        })
    }

    /// Fails when the attacker pins any cell not shown (or the true value does not fit).
    pub(crate) fn assert_nothing_recovered(counts: &Counts, shown: &[Shown]) {
        for (cell, fits) in attack(counts, shown) {
            assert!(fits.contains(&counts.values[cell]), "cell {cell}: the true value must fit");
            assert!(fits.len() >= 2, "cell {cell} ({:?}) recovered: only {fits:?} fits", shown[cell]);
        }
    }

    #[test]
    fn the_attacker_recovers_a_small_cell_when_only_the_1_to_9_rule_is_applied() {
        // The control: without secondary suppression the row total gives the 4 away.
        let mut counts = Counts::default();
        let at = counts.add_table(&[vec![120, 4, 35], vec![80, 60, 12]]);
        let primary_only: Vec<Shown> =
            counts.values.iter().map(|v| if (1..=9).contains(v) { Shown::Under10 } else { Shown::Count(*v) }).collect();
        assert_eq!(attack(&counts, &primary_only), vec![(at[0][1], vec![4])]);
        assert_eq!(audit(&counts, &primary_only), vec![at[0][1]]);
    }

    #[test]
    fn a_lone_small_cell_in_a_row_gets_a_partner_and_the_totals_stay() {
        let mut counts = Counts::default();
        let at = counts.add_table(&[vec![120, 4, 35], vec![80, 60, 12]]);
        let shown = protect(&counts);
        assert_eq!(shown[at[0][1]], Shown::Under10);
        // The row and the column of the 4 each need a second hidden cell; the grand total
        // and the margins stay shown.
        assert_eq!(shown[at[0][2]], Shown::Hidden);
        assert_eq!(shown[at[1][1]], Shown::Hidden);
        assert_eq!(shown[at[1][2]], Shown::Hidden);
        assert_eq!(shown[at[2][3]], Shown::Count(311));
        assert_nothing_recovered(&counts, &shown);
    }

    #[test]
    fn five_municipalities_by_hospital_with_network_totals_reveal_nothing_together() {
        // Views from each municipality's facilities to each disclosing hospital, with the
        // network's totals per hospital that every report shows: the combined view of all
        // five reports. 湯沢町 and 津南町 are small towns.
        let flows = vec![
            vec![812, 95, 40, 7, 0],
            vec![1_460, 33, 210, 12, 3],
            vec![305, 640, 18, 0, 25],
            vec![6, 0, 2, 0, 0],
            vec![14, 9, 0, 3, 1],
        ];
        let mut counts = Counts::default();
        counts.add_table(&flows);
        let shown = protect(&counts);
        assert!(audit(&counts, &shown).is_empty());
        assert_nothing_recovered(&counts, &shown);
        // Seven cells of 1–9 and 湯沢町's own total (8).
        let under10 = shown.iter().filter(|s| **s == Shown::Under10).count();
        assert_eq!(under10, 8, "{shown:?}");
    }

    #[test]
    fn a_total_published_in_two_tables_gives_no_way_round() {
        // Use by facility kind and by data type, both adding up to the same total.
        let mut counts = Counts::default();
        let kinds = counts.add_table(&[vec![640, 5, 48]]);
        let types = counts.add_table(&[vec![400, 290, 3]]);
        counts.same(kinds[0][3], types[0][3]);
        let shown = protect(&counts);
        assert_nothing_recovered(&counts, &shown);
    }

    #[test]
    fn many_random_tables_reveal_nothing_to_the_attacker() {
        // A fixed pseudo-random series: mostly small counts, so suppression is busy.
        let mut seed: u64 = 0x5EED_2026;
        let mut next = |n: i64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as i64) % n
        };
        for _ in 0..300 {
            let (rows, cols) = (1 + next(5) as usize, 2 + next(4) as usize);
            let cells: Vec<Vec<i64>> = (0..rows)
                .map(|_| (0..cols).map(|_| if next(3) == 0 { next(10) } else { next(60) }).collect())
                .collect();
            let mut counts = Counts::default();
            counts.add_table(&cells);
            let shown = protect(&counts);
            assert_nothing_recovered(&counts, &shown);
        }
    }
}
