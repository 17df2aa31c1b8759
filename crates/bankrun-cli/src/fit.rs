//! `bankrun fit`: estimate a price process from a price CSV.

use std::path::PathBuf;

use bankrun_sweep::fit::{self, FitModel};

use crate::Failure;

/// Arguments of `bankrun fit`.
#[derive(clap::Args)]
pub struct FitArgs {
    /// Price CSV: header row, time in the first column (unix s, RFC 3339 or YYYY-MM-DD).
    prices: PathBuf,
    /// Process to fit.
    #[arg(long, value_enum)]
    model: ModelArg,
    /// Price column (default: `price_usd`, else the first column starting with `price`).
    #[arg(long)]
    column: Option<String>,
    /// Feed name written into the TOML.
    #[arg(long, default_value = "ETH")]
    feed: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelArg {
    Gbm,
    Merton,
    Ou,
    Regime,
}

/// Runs `bankrun fit`.
pub fn run(a: FitArgs) -> Result<(), Failure> {
    let file = a.prices.display().to_string();
    let text = std::fs::read_to_string(&a.prices).map_err(|e| {
        Failure::BadInput(format!("{file}: expected a readable CSV file, found {e}"))
    })?;
    let bad = |e: bankrun_sweep::SweepError| Failure::BadInput(e.to_string());
    let series = fit::read_series(&text, &file, a.column.as_deref()).map_err(bad)?;
    let model = match a.model {
        ModelArg::Gbm => FitModel::Gbm,
        ModelArg::Merton => FitModel::Merton,
        ModelArg::Ou => FitModel::Ou,
        ModelArg::Regime => FitModel::Regime,
    };
    let f = fit::fit(&series, model).map_err(bad)?;
    crate::stdout::print(&fit::to_toml(&f, &series, &file, &a.feed))?;
    Ok(())
}
