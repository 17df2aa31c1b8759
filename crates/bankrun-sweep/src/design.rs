//! Sweep designs: the cells (one assignment of every varied key) a sweep runs.
//!
//! * `grid` — the Cartesian product of every key's levels (lists, or `lo..hi:n`), the first
//!   `--vary` varying slowest;
//! * `lhs` — a Latin hypercube of `cells` points: for each key an independent random
//!   permutation of the `cells` strata and a uniform point in each stratum, from the stream
//!   `sweep.design.lhs` of the master seed;
//! * `sobol` — the first `cells` points of an Owen-scrambled Sobol sequence (`sobol_burley`,
//!   dimension = key position, scramble seed = low 32 bits XOR high 32 bits of the master seed).
//!
//! In `lhs` / `sobol` a range maps u ∈ [0, 1) to `lo + u (hi − lo)` and a list to level
//! `floor(u · len)`; integer keys are rounded when written into the scenario.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::error::{Result, SweepError};
use crate::keys::Val;
use crate::vary::{Spec, Vary};

/// A sweep design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Full factorial grid.
    Grid,
    /// Latin hypercube sample.
    Lhs,
    /// Scrambled Sobol sample.
    Sobol,
}

impl Design {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Lhs => "lhs",
            Design::Sobol => "sobol",
        }
    }
}

/// Most cells of a grid design.
const MAX_GRID_CELLS: usize = 1_000_000;

/// One cell: the value of every varied (non-distribution) key, in `--vary` order.
pub type Cell = Vec<(String, Val)>;

/// The cells of a design over the non-distribution `varies`. With no such key, one cell.
///
/// # Errors
/// [`SweepError::BadInput`] when a spec does not suit the design (a grid needs levels, a
/// sampled design takes no `:n`) or the grid is too large.
pub fn cells(
    varies: &[Vary],
    design: Design,
    n_cells: usize,
    master_seed: u64,
) -> Result<Vec<Cell>> {
    let dims: Vec<&Vary> = varies
        .iter()
        .filter(|v| !matches!(v.spec, Spec::Draw(..)))
        .collect();
    if dims.is_empty() {
        return Ok(vec![Vec::new()]);
    }
    match design {
        Design::Grid => {
            // Sized before any level is made: `lo..hi:n` may ask for any n.
            let total = dims.iter().try_fold(1usize, |acc, v| match &v.spec {
                Spec::Levels(l) => acc.checked_mul(l.len()),
                Spec::Range { n: Some(n), .. } => acc.checked_mul(*n),
                Spec::Range { n: None, .. } | Spec::Draw(..) => Some(acc),
            });
            if total.is_none_or(|t| t > MAX_GRID_CELLS) {
                return Err(SweepError::bad(
                    "--vary: expected a grid of at most 1,000,000 cells",
                ));
            }
            let mut levels: Vec<Vec<Val>> = Vec::new();
            for v in &dims {
                levels.push(match &v.spec {
                    Spec::Levels(l) => l.clone(),
                    Spec::Range { lo, hi, n: Some(n) } => (0..*n)
                        .map(|i| Val::Num(lo + (hi - lo) * i as f64 / (*n - 1) as f64))
                        .collect(),
                    Spec::Range { n: None, .. } => {
                        return Err(SweepError::bad(format!(
                            "--vary `{}`: expected grid levels `lo..hi:n` or a list for --design grid, found a range without `:n` (or use --design lhs|sobol)",
                            v.text
                        )));
                    }
                    Spec::Draw(..) => unreachable!("filtered"),
                });
            }
            let mut out: Vec<Cell> = vec![Vec::new()];
            for (v, l) in dims.iter().zip(&levels) {
                let mut next = Vec::with_capacity(out.len() * l.len());
                for c in &out {
                    for x in l {
                        let mut c2 = c.clone();
                        c2.push((v.key.clone(), x.clone()));
                        next.push(c2);
                    }
                }
                out = next;
            }
            Ok(out)
        }
        Design::Lhs | Design::Sobol => {
            if n_cells == 0 {
                return Err(SweepError::bad(
                    "--cells: expected at least 1 cell for --design lhs|sobol",
                ));
            }
            for v in &dims {
                if let Spec::Range { n: Some(_), .. } = v.spec {
                    return Err(SweepError::bad(format!(
                        "--vary `{}`: expected a range `lo..hi` without `:n` for --design {} (levels are for grid)",
                        v.text,
                        design.name()
                    )));
                }
            }
            let d = dims.len();
            // u[i][k]: coordinate k of point i, in [0, 1).
            let mut u = vec![vec![0.0_f64; d]; n_cells];
            if design == Design::Lhs {
                let mut rng = bankrun_chain::rng::stream(master_seed, "sweep.design.lhs");
                #[allow(clippy::needless_range_loop)] // fills column k of every row
                for k in 0..d {
                    let mut perm: Vec<usize> = (0..n_cells).collect();
                    perm.shuffle(&mut rng);
                    for (i, p) in perm.iter().enumerate() {
                        let jitter: f64 = rng.random();
                        u[i][k] = (*p as f64 + jitter) / n_cells as f64; // column k of row i
                    }
                }
            } else {
                if d > sobol_burley::NUM_DIMENSIONS as usize {
                    return Err(SweepError::bad("--design sobol: too many varied keys"));
                }
                let n32 = u32::try_from(n_cells)
                    .map_err(|_| SweepError::bad("--cells: too many for sobol"))?;
                let seed = (master_seed as u32) ^ ((master_seed >> 32) as u32);
                for (i, point) in (0..n32).zip(u.iter_mut()) {
                    for (k, x) in point.iter_mut().enumerate() {
                        *x = f64::from(sobol_burley::sample(i, k as u32, seed));
                    }
                }
            }
            Ok(u.iter()
                .map(|p| {
                    dims.iter()
                        .zip(p)
                        .map(|(v, x)| {
                            let val = match &v.spec {
                                Spec::Range { lo, hi, .. } => Val::Num(lo + x * (hi - lo)),
                                Spec::Levels(l) => {
                                    l[((x * l.len() as f64) as usize).min(l.len() - 1)].clone()
                                }
                                Spec::Draw(..) => unreachable!("filtered"),
                            };
                            (v.key.clone(), val)
                        })
                        .collect()
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vary::parse;

    #[test]
    fn grid_is_row_major() {
        let v = vec![
            parse("a=1,2").unwrap(),
            parse("b=0..1:3").unwrap(),
            parse("c=normal(0,1)").unwrap(),
        ];
        let c = cells(&v, Design::Grid, 0, 1).unwrap();
        assert_eq!(c.len(), 6);
        assert_eq!(
            c[1],
            vec![("a".into(), Val::Num(1.0)), ("b".into(), Val::Num(0.5))]
        );
        assert_eq!(c[3][0].1, Val::Num(2.0));
        assert!(cells(&[parse("a=0..1").unwrap()], Design::Grid, 0, 1).is_err());
    }

    /// Found while writing the `vary` fuzz target: `lo..hi:n` with a huge n made all n levels
    /// (an allocation of terabytes) before the grid's size was checked.
    #[test]
    fn a_grid_too_large_is_refused_before_its_levels_are_made() {
        for v in [
            vec![parse("a=0..1:1000000000000").unwrap()],
            vec![parse("a=0..1:1001").unwrap(), parse("b=0..1:1000").unwrap()],
            vec![
                parse("a=0..1:18446744073709551615").unwrap(),
                parse("b=1,2").unwrap(),
            ],
        ] {
            let e = cells(&v, Design::Grid, 0, 1).unwrap_err().to_string();
            assert!(e.contains("at most 1,000,000 cells"), "{e}");
        }
        let v = [parse("a=0..1:100").unwrap(), parse("b=0..1:100").unwrap()];
        assert_eq!(cells(&v, Design::Grid, 0, 1).unwrap().len(), 10_000);
    }

    #[test]
    fn lhs_has_one_point_per_stratum() {
        let v = vec![parse("a=0..1").unwrap(), parse("b=10..20").unwrap()];
        for design in [Design::Lhs, Design::Sobol] {
            let c = cells(&v, design, 16, 7).unwrap();
            assert_eq!(c, cells(&v, design, 16, 7).unwrap());
            for k in 0..2 {
                let mut strata: Vec<usize> = c
                    .iter()
                    .map(|cell| match cell[k].1 {
                        Val::Num(x) => {
                            let u = if k == 0 { x } else { (x - 10.0) / 10.0 };
                            (u * 16.0) as usize
                        }
                        _ => panic!(),
                    })
                    .collect();
                strata.sort();
                assert_eq!(strata, (0..16).collect::<Vec<_>>(), "{design:?}");
            }
        }
    }
}
