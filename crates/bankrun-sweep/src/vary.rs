//! `--vary KEY=SPEC`: what a sweep varies.
//!
//! SPEC is one of
//! * `lo..hi:n` — `n` ≥ 2 evenly spaced levels from `lo` to `hi` (grid design), or, without
//!   `:n`, the continuous range [lo, hi] sampled by the `lhs` / `sobol` designs;
//! * `a,b,c` — a list of levels (numbers, `true`/`false` or strings); a single value `a` sets
//!   the key in every cell;
//! * `normal(mean,sd)`, `lognormal(mu,sigma)`, `uniform(lo,hi)` — a distribution drawn
//!   afresh for every path (parameter uncertainty within a cell, not a cell dimension). It is
//!   written into the cell's scenario as a `[[stochastic.parameters]]` entry, so it is part of
//!   the hashed text.

use bankrun_scenario::DrawDistribution;

use crate::error::{Result, SweepError};
use crate::keys::Val;

/// One `--vary` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// Dotted scenario key.
    pub key: String,
    /// What to do with it.
    pub spec: Spec,
    /// The argument as given (for messages and the manifest).
    pub text: String,
}

/// A `--vary` specification.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// Explicit levels.
    Levels(Vec<Val>),
    /// A numeric range, with `n` grid levels if given.
    Range {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Grid levels (`:n`).
        n: Option<usize>,
    },
    /// A per-path distribution: (kind, first parameter, second parameter).
    Draw(DrawDistribution, f64, f64),
}

fn num(s: &str, arg: &str, what: &str) -> Result<f64> {
    let x: f64 = s.trim().parse().map_err(|_| {
        SweepError::bad(format!(
            "--vary `{arg}`: expected {what} as a number, found `{}`",
            s.trim()
        ))
    })?;
    if !x.is_finite() {
        return Err(SweepError::bad(format!(
            "--vary `{arg}`: expected a finite {what}, found `{}`",
            s.trim()
        )));
    }
    Ok(x)
}

/// Parses one `KEY=SPEC` argument.
///
/// # Errors
/// [`SweepError::BadInput`] naming the argument and what was expected.
pub fn parse(arg: &str) -> Result<Vary> {
    let Some((key, spec)) = arg.split_once('=') else {
        return Err(SweepError::bad(format!(
            "--vary `{arg}`: expected KEY=SPEC (e.g. behaviour.w_news=0.5..2:4), found no `=`"
        )));
    };
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(SweepError::bad(format!(
            "--vary `{arg}`: expected a key before `=`"
        )));
    }
    let spec = spec.trim();
    let bad =
        |what: &str| SweepError::bad(format!("--vary `{arg}`: expected {what}, found `{spec}`"));
    let parsed = if let Some((name, rest)) = spec.split_once('(') {
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| bad("a distribution such as lognormal(0.0,0.5)"))?;
        let parts: Vec<&str> = inner.split(',').collect();
        if parts.len() != 2 {
            return Err(bad("two distribution parameters, e.g. normal(1.0,0.2)"));
        }
        let a = num(parts[0], arg, "first parameter")?;
        let b = num(parts[1], arg, "second parameter")?;
        let kind = match name.trim() {
            "normal" => DrawDistribution::Normal,
            "lognormal" => DrawDistribution::Lognormal,
            "uniform" => DrawDistribution::Uniform,
            _ => {
                return Err(bad(
                    "a distribution normal(mean,sd), lognormal(mu,sigma) or uniform(lo,hi)",
                ));
            }
        };
        match kind {
            DrawDistribution::Uniform if b < a => return Err(bad("uniform(lo,hi) with hi >= lo")),
            DrawDistribution::Normal | DrawDistribution::Lognormal if b < 0.0 => {
                return Err(bad("a standard deviation >= 0"));
            }
            _ => {}
        }
        Spec::Draw(kind, a, b)
    } else if let Some((lo, rest)) = spec.split_once("..") {
        let (hi, n) = match rest.split_once(':') {
            Some((hi, n)) => {
                let n: usize = n
                    .trim()
                    .parse()
                    .map_err(|_| bad("a level count n >= 2 after `:`"))?;
                if n < 2 {
                    return Err(bad("a level count n >= 2 after `:`"));
                }
                (hi, Some(n))
            }
            None => (rest, None),
        };
        let lo = num(lo, arg, "the lower end of lo..hi")?;
        let hi = num(hi, arg, "the upper end of lo..hi")?;
        if hi < lo {
            return Err(bad("a range lo..hi with hi >= lo"));
        }
        Spec::Range { lo, hi, n }
    } else {
        let levels: Vec<Val> = spec.split(',').map(Val::parse).collect();
        if spec.is_empty()
            || levels
                .iter()
                .any(|v| matches!(v, Val::Str(s) if s.is_empty()))
        {
            return Err(bad("a range lo..hi[:n], a list a,b,c or a distribution"));
        }
        Spec::Levels(levels)
    };
    Ok(Vary {
        key,
        spec: parsed,
        text: arg.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let v = parse("market.reserves.WETH.variable_rate_slope2_bps=600..3000:5").unwrap();
        assert_eq!(
            v.spec,
            Spec::Range {
                lo: 600.0,
                hi: 3000.0,
                n: Some(5)
            }
        );
        assert_eq!(
            parse("a.b=1..2").unwrap().spec,
            Spec::Range {
                lo: 1.0,
                hi: 2.0,
                n: None
            }
        );
        assert_eq!(
            parse("a.b=1,2.5,x").unwrap().spec,
            Spec::Levels(vec![Val::Num(1.0), Val::Num(2.5), Val::Str("x".into())])
        );
        assert_eq!(
            parse("behaviour.w_news=lognormal(0.0,0.5)").unwrap().spec,
            Spec::Draw(DrawDistribution::Lognormal, 0.0, 0.5)
        );
        for bad in [
            "a.b",
            "a.b=2..1",
            "a.b=1..2:1",
            "a.b=beta(1,2)",
            "a.b=normal(1)",
            "a.b=",
            "=1",
            "a.b=x..2",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("--vary `"), "{bad}: {e}");
            assert!(e.contains("expected"), "{bad}: {e}");
        }
    }
}
