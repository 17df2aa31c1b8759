//! Inputs of the Compound v2 runner ([`crate::compound_world`]): the book snapshot, the
//! price paths per market, and the stress ramp.
//!
//! The book is the subgraph snapshot (`data/lending/compound_v2_book_2023-05.csv`), placed at
//! the start of the price window (the snapshot's block is not recorded: an assumption).

use std::collections::BTreeMap;

use bankrun_chain::prices::{CsvFormat, PricePath, read_csv};
use bankrun_chain::time::parse_time;

use crate::error::SpiralError;
use crate::spec::Loaded;

/// One account's position per market (whole underlying units).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookRow {
    /// Supply (underlying units).
    pub supply: f64,
    /// Borrow (underlying units).
    pub borrow: f64,
}

/// The book: `account → market index → row`, accounts dense from 0.
pub type Book = BTreeMap<u32, BTreeMap<usize, BookRow>>;

/// Reads the book CSV against the markets.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn read_book(l: &Loaded) -> Result<Book, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let (o, text) = l.read_data("book", &c.book)?;
    let mut book = Book::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let ln = n + 1;
        if f.len() != 4 {
            return Err(SpiralError::bad(
                &o,
                ln,
                "row",
                "expected account,market,supply,borrow",
            ));
        }
        let a: u32 = f[0]
            .parse()
            .map_err(|_| SpiralError::bad(&o, ln, "account", "not an integer"))?;
        let m = c
            .markets
            .iter()
            .position(|m| m.name == f[1])
            .ok_or_else(|| {
                SpiralError::bad(
                    &o,
                    ln,
                    "market",
                    format!("{:?} is not a market of the scenario", f[1]),
                )
            })?;
        let num = |s: &str, k: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| SpiralError::bad(&o, ln, k, format!("bad amount {s:?}")))
        };
        let row = book.entry(a).or_default().entry(m).or_default();
        row.supply += num(f[2], "supply")?;
        row.borrow += num(f[3], "borrow")?;
    }
    Ok(book)
}

/// Price paths per market (USD per unit), `None` for fixed prices.
///
/// # Errors
/// Located [`SpiralError::BadInput`].
pub fn price_paths(l: &Loaded) -> Result<Vec<Option<PricePath>>, SpiralError> {
    let c = l
        .spec
        .compound
        .as_ref()
        .ok_or_else(|| l.err("protocol", "no [compound]"))?;
    let (o, text) = l.read_data("prices", &c.prices)?;
    let header: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .collect();
    c.markets
        .iter()
        .enumerate()
        .map(|(i, m)| match &m.price_column {
            // Named at the scenario's key: the price file is right, the reference is not.
            Some(col) if !header.contains(&col.as_str()) => Err(l.err_in(
                "compound.markets",
                i,
                "price_column",
                format!(
                    "a column of {o}'s header ({}), found {col:?}",
                    header.join(",")
                ),
            )),
            Some(col) => Ok(Some(
                read_csv(&text, &o, &CsvFormat::columns(&[col.as_str()]))?.remove(0),
            )),
            None => Ok(None),
        })
        .collect()
}

/// The stress multiplier of volatile prices at `t` (1 on the real path).
pub fn stress_factor(l: &Loaded, stressed: bool, t: i64) -> f64 {
    match (&l.spec.stress, stressed) {
        (Some(s), true) => {
            let t0 = parse_time(&s.start).unwrap_or(i64::MAX);
            let w = ((t - t0) as f64 / (s.ramp_hours * 3600.0).max(1.0)).clamp(0.0, 1.0);
            1.0 - s.drop * w
        }
        _ => 1.0,
    }
}
