//! The stdout summary: plain-text tables rendered with `comfy-table`.

use bankrun_metrics::{
    ClassSummary, CometSummary, LiquidationSummary, LossSummary, ReserveSummary, Summary, TxSummary,
};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::format::{compact, count, eth, hours, opt_hours, pct, tokens_usd, usd};

/// Renders the human-readable summary printed by `bankrun simulate`.
///
/// The result holds a title line and five sections, separated by blank lines: per reserve
/// (peak utilization, hours at ≥ 99 % utilization, peak borrow / supply APR, withdrawals
/// requested / served / reverted as `tokens ($USD)`, the share of the starting supply served
/// in the first 24 h and 96 h, reverted transactions, deficit; then the pool-wide share), per
/// depositor class, liquidations, transactions, and who bears the losses (totals, then one
/// row per loss, source and bearer). Numbers are compact (`$1.23M`, `12.3 %`).
/// The output never contains colours or other terminal escape codes, and ends with a newline.
pub fn summary_table(summary: &Summary) -> String {
    let sections = [
        (
            "Reserves — withdrawals and deficit in tokens ($USD); out 24 h / 96 h: served in the first 24 h / 96 h over the starting supply",
            format!(
                "{}\n{}",
                reserve_table(&summary.reserves),
                withdrawn_line(summary)
            ),
        ),
        (
            "Depositor classes",
            class_table(&summary.classes).to_string(),
        ),
        (
            "Liquidations",
            liquidation_table(&summary.liquidations).to_string(),
        ),
        ("Transactions", tx_table(&summary.transactions).to_string()),
        ("Who bears the losses", loss_text(&summary.losses)),
    ];
    let comets = (!summary.comets.is_empty()).then(|| {
        (
            "Compound III markets (the same world; prices from their own feeds)",
            comet_table(&summary.comets).to_string(),
        )
    });
    let mut out = format!(
        "Scenario {} (seed {}) — start {}, {} blocks, {}\n",
        summary.scenario,
        summary.seed,
        summary.start,
        count(summary.blocks),
        hours(summary.hours)
    );
    for (title, table) in sections.into_iter().chain(comets) {
        out.push('\n');
        out.push_str(title);
        out.push('\n');
        out.push_str(&table);
        out.push('\n');
    }
    out
}

/// Cell texts of one Compound III market row: shared by the stdout table and the report.
pub(crate) fn comet_cells(c: &CometSummary) -> Vec<String> {
    let lows: Vec<String> = (c.collateral_price_low.iter())
        .map(|(s, low)| format!("{s} {}", pct(*low)))
        .collect();
    vec![
        c.name.clone(),
        c.base.clone(),
        format!(
            "{} → {}",
            pct(c.initial_utilization),
            pct(c.peak_utilization)
        ),
        hours(c.hours_at_or_above_99pct),
        pct(c.peak_borrow_apr),
        pct(c.peak_supply_apr),
        format!(
            "{} → {}",
            compact(c.supplied_start),
            compact(c.supplied_end)
        ),
        count(c.absorbs),
        format!(
            "{} → {}",
            compact(c.reserves_start),
            compact(c.reserves_end)
        ),
        count(c.underwater_accounts_at_end),
        usd(c.latent_bad_debt_usd),
        lows.join(", "),
    ]
}

/// Column headers matching [`comet_cells`].
pub(crate) const COMET_HEADER: [&str; 12] = [
    "Market",
    "Base",
    "Util. start → peak",
    "Hours ≥ 99 %",
    "Peak borrow APR",
    "Peak supply APR",
    "Supplied start → end",
    "Absorbs",
    "Reserves start → end",
    "Underwater at end",
    "Latent bad debt",
    "Lowest collateral price read",
];

fn comet_table(comets: &[CometSummary]) -> Table {
    let mut t = new_table(&COMET_HEADER);
    for c in comets {
        t.add_row(comet_cells(c));
    }
    t
}

/// The pool-wide outflow line under the reserve table.
pub(crate) fn withdrawn_line(s: &Summary) -> String {
    format!(
        "Deposits withdrawn from all reserves: {} in the first 24 h, {} in the first 96 h (share of the starting supply, both at the starting prices)",
        opt_pct(s.withdrawn_share_24h),
        opt_pct(s.withdrawn_share_96h)
    )
}

/// A percentage, or `—` when undefined (a window shorter than the checkpoint).
fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), pct)
}

/// A table with the house style and the given header; every column but the first is
/// right-aligned (they hold numbers). Every command's stdout tables use it.
pub fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    for column in table.column_iter_mut().skip(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
    table
}

/// Cell texts of one reserve row: shared by the stdout table and the HTML report.
pub(crate) fn reserve_cells(r: &ReserveSummary) -> Vec<String> {
    vec![
        r.symbol.clone(),
        pct(r.peak_utilization),
        opt_hours(r.hours_to_99pct),
        hours(r.hours_at_or_above_99pct),
        pct(r.peak_borrow_apr),
        pct(r.peak_supply_apr),
        tokens_usd(r.withdrawals_requested, r.withdrawals_requested_usd),
        tokens_usd(r.withdrawals_served, r.withdrawals_served_usd),
        opt_pct(r.withdrawn_share_24h),
        opt_pct(r.withdrawn_share_96h),
        tokens_usd(r.withdrawals_reverted, r.withdrawals_reverted_usd),
        count(r.reverted_withdraw_txs),
        tokens_usd(r.deficit, r.deficit_usd),
    ]
}

/// Column headers matching [`reserve_cells`].
pub(crate) const RESERVE_HEADER: [&str; 13] = [
    "Reserve",
    "Peak util.",
    "First ≥ 99 % at",
    "Hours ≥ 99 %",
    "Peak borrow APR",
    "Peak supply APR",
    "Requested",
    "Served",
    "Out 24 h",
    "Out 96 h",
    "Reverted",
    "Reverted txs",
    "Deficit",
];

/// Cell texts of one depositor-class row.
pub(crate) fn class_cells(c: &ClassSummary) -> Vec<String> {
    vec![
        c.class.clone(),
        count(c.depositors),
        usd(c.initial_usd),
        pct(c.share_exited),
        pct(c.share_deciding),
        opt_hours(c.median_hours_to_exit),
        pct(c.share_trapped),
    ]
}

/// Column headers matching [`class_cells`].
pub(crate) const CLASS_HEADER: [&str; 7] = [
    "Class",
    "Depositors",
    "Initial USD",
    "Share exited",
    "Share deciding",
    "Median hours to exit",
    "Share trapped",
];

/// Label / value pairs of the liquidation totals.
pub(crate) fn liquidation_pairs(l: &LiquidationSummary) -> Vec<(&'static str, String)> {
    vec![
        ("Liquidations", count(l.count)),
        ("Debt repaid", usd(l.debt_repaid_usd)),
        ("Collateral seized", usd(l.collateral_seized_usd)),
        ("Deficit created", usd(l.deficit_created_usd)),
        ("Underwater at end", count(l.underwater_accounts_at_end)),
        ("Their debt", usd(l.underwater_debt_usd_at_end)),
        ("Latent bad debt", usd(l.latent_bad_debt_usd_at_end)),
    ]
}

/// Label / value pairs of the transaction totals.
pub(crate) fn tx_pairs(t: &TxSummary) -> Vec<(&'static str, String)> {
    vec![
        ("Submitted", count(t.submitted)),
        ("Included", count(t.included)),
        ("Reverted", count(t.reverted)),
        ("Pending at end", count(t.pending_at_end)),
        ("Gas paid", eth(t.gas_paid_eth)),
    ]
}

fn reserve_table(reserves: &[ReserveSummary]) -> Table {
    let mut table = new_table(&RESERVE_HEADER);
    for r in reserves {
        table.add_row(reserve_cells(r));
    }
    table
}

fn class_table(classes: &[ClassSummary]) -> Table {
    let mut table = new_table(&CLASS_HEADER);
    for c in classes {
        table.add_row(class_cells(c));
    }
    table
}

/// A two-row table: labels as header, values below.
fn pairs_table(pairs: Vec<(&'static str, String)>) -> Table {
    let header: Vec<&str> = pairs.iter().map(|(label, _)| *label).collect();
    let mut table = new_table(&header);
    table.add_row(
        pairs
            .into_iter()
            .map(|(_, value)| value)
            .collect::<Vec<_>>(),
    );
    for column in table.column_iter_mut() {
        column.set_cell_alignment(CellAlignment::Right);
    }
    table
}

fn liquidation_table(l: &LiquidationSummary) -> Table {
    pairs_table(liquidation_pairs(l))
}

fn tx_table(t: &TxSummary) -> Table {
    pairs_table(tx_pairs(t))
}

/// The loss totals, then (if any) one row per loss.
fn loss_text(l: &LossSummary) -> String {
    let mut text = pairs_table(crate::losses::loss_pairs(l)).to_string();
    if !l.rows.is_empty() {
        let mut rows = new_table(&crate::losses::LOSS_HEADER);
        // Reserve, source and bearer are words.
        for column in rows.column_iter_mut().skip(1).take(3) {
            column.set_cell_alignment(CellAlignment::Left);
        }
        for r in &l.rows {
            rows.add_row(crate::losses::loss_cells(r));
        }
        text.push('\n');
        text.push_str(&rows.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_summary_renders_all_sections() {
        let text = summary_table(&Summary::default());
        for title in [
            "Reserves",
            "Depositor classes",
            "Liquidations",
            "Transactions",
        ] {
            assert!(text.contains(title), "missing {title}");
        }
        assert!(!text.contains('\u{1b}'), "no escape codes");
    }
}
