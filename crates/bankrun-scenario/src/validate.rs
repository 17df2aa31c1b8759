//! Semantic validation of a deserialised scenario: every rule gives the key path of the
//! offending value, what was expected and what was found.

use std::collections::{BTreeMap, BTreeSet};

use bankrun_chain::time::{format_time, parse_time};

use crate::locate::KeyPath;
use crate::schema::*;
use crate::stakes::{COMPOUND_V2_SUPPLY, EQUAL};

/// Longest simulated window accepted, hours (ten years; keeps time arithmetic far from overflow).
pub const MAX_DURATION_HOURS: f64 = 87_600.0;
/// Aave v3.1+ `MAX_GRACE_PERIOD` (4 h), seconds.
pub const MAX_GRACE_PERIOD_S: u64 = 4 * 3600;
/// Most accounts in one scenario: depositors, borrower positions, liquidators and attack
/// splits together. Each is engine state plus output rows (a few kB in all), so far more
/// would abort on allocation instead of running; the embedded scenarios hold under 20 000.
pub const MAX_ACCOUNTS: u64 = 1_000_000;
/// Largest token decimals accepted (10^36 still fits the engine's integer types).
pub const MAX_DECIMALS: u8 = 36;

/// Most tokens in one scripted event amount: a thousand trillion, far above any token's
/// supply; beyond it the amount in base units (× 10^decimals) leaves the engine's integers.
pub const MAX_EVENT_AMOUNT: f64 = 1e15;

/// A semantic problem: where, what was expected, what was found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub(crate) path: KeyPath,
    pub(crate) expected: String,
    pub(crate) found: String,
}

type R<T = ()> = Result<T, Issue>;

fn issue(path: &KeyPath, expected: impl Into<String>, found: impl Into<String>) -> Issue {
    Issue {
        path: path.clone(),
        expected: expected.into(),
        found: found.into(),
    }
}

/// Formats a float as TOML would spell it (`nan`, `inf`, `-inf`), otherwise shortest form.
pub(crate) fn num(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{v}")
    }
}

fn nonneg(p: &KeyPath, v: f64) -> R {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(issue(p, "a finite number >= 0", num(v)))
    }
}

/// A token amount of a scripted event: finite, ≥ 0 and at most [`MAX_EVENT_AMOUNT`].
fn event_amount(p: &KeyPath, v: f64) -> R {
    nonneg(p, v)?;
    if v <= MAX_EVENT_AMOUNT {
        Ok(())
    } else {
        Err(issue(
            p,
            format!("at most {MAX_EVENT_AMOUNT:e} tokens"),
            num(v),
        ))
    }
}

/// A Guardian reaction time: a positive median of at most a week, a sigma in [0, 3].
fn reaction_ok(p: &KeyPath, r: Option<&crate::schema::ReactionTime>) -> R {
    let Some(r) = r else { return Ok(()) };
    positive(&p.k("median"), r.median)?;
    if r.median > 7.0 * 24.0 * 60.0 {
        return Err(issue(
            &p.k("median"),
            "at most a week (10080 minutes)",
            num(r.median),
        ));
    }
    if !(0.0..=3.0).contains(&r.sigma) {
        return Err(issue(
            &p.k("sigma"),
            "a log-standard deviation in [0, 3]",
            num(r.sigma),
        ));
    }
    Ok(())
}

fn positive(p: &KeyPath, v: f64) -> R {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(issue(p, "a finite number > 0", num(v)))
    }
}

fn probability(p: &KeyPath, v: f64) -> R {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(issue(p, "a probability in [0, 1]", num(v)))
    }
}

fn share(p: &KeyPath, v: f64) -> R {
    if v.is_finite() && v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(issue(p, "a share in (0, 1]", num(v)))
    }
}

/// Adds `count` accounts to the scenario's running `total`; refuses a total above
/// [`MAX_ACCOUNTS`] at the key that crosses it.
fn accounts_ok(p: &KeyPath, count: u32, total: &mut u64) -> R {
    *total += u64::from(count);
    if *total <= MAX_ACCOUNTS {
        return Ok(());
    }
    Err(issue(
        p,
        format!(
            "at most {MAX_ACCOUNTS} accounts in the scenario (depositors, borrowers, \
             liquidators and attack splits together)"
        ),
        format!("{count}, bringing the total to {total}"),
    ))
}

fn le_bps(p: &KeyPath, v: u64, max: u64) -> R {
    if v <= max {
        Ok(())
    } else {
        Err(issue(p, format!("at most {max} bps"), v.to_string()))
    }
}

/// `PercentageMath.percentMul` (half up).
fn percent_mul(value: u64, bps: u64) -> u64 {
    (value * bps + 5_000) / 10_000
}

/// PoolConfigurator rules for (LTV, LT, bonus): `ltv ≤ LT ≤ 10000`; if `LT ≠ 0`: `bonus > 10000`
/// and `percentMul(LT, bonus) ≤ 10000`; if `LT = 0`: `bonus = 0`.
fn collateral_params(p: &KeyPath, ltv: u16, lt: u16, bonus: u16, lt_required: bool) -> R {
    let (ltv, lt, bonus) = (u64::from(ltv), u64::from(lt), u64::from(bonus));
    le_bps(&p.k("liquidation_threshold_bps"), lt, 10_000)?;
    if ltv > lt {
        return Err(issue(
            &p.k("ltv_bps"),
            format!("ltv_bps <= liquidation_threshold_bps ({lt})"),
            ltv.to_string(),
        ));
    }
    if lt == 0 {
        if lt_required {
            return Err(issue(&p.k("liquidation_threshold_bps"), "a value > 0", "0"));
        }
        if bonus != 0 {
            return Err(issue(
                &p.k("liquidation_bonus_bps"),
                "0 when liquidation_threshold_bps is 0 (PoolConfigurator rule)",
                bonus.to_string(),
            ));
        }
        return Ok(());
    }
    if bonus <= 10_000 {
        return Err(issue(
            &p.k("liquidation_bonus_bps"),
            "a bonus > 10000 bps (it includes the principal: 10500 = 5 % bonus)",
            bonus.to_string(),
        ));
    }
    let prod = percent_mul(lt, bonus);
    if prod > 10_000 {
        return Err(issue(
            &p.k("liquidation_bonus_bps"),
            format!(
                "liquidation_threshold_bps x liquidation_bonus_bps / 10000 <= 10000 (PoolConfigurator rule; LT = {lt})"
            ),
            format!("{bonus}, giving {prod}"),
        ));
    }
    Ok(())
}

/// Rate-strategy rules of `DefaultReserveInterestRateStrategyV2`.
/// One `[[comets]]` market: its assets are reserves, its prices named feeds, its factors in
/// Comet's bounds (`CometConfiguration`: borrow < liquidate collateral factor < 1, liquidation
/// factor ≤ 1), its sizes finite and its books' health above 1.
fn comet_ok(
    p: &KeyPath,
    c: &crate::schema::CometMarket,
    sym_ok: &dyn Fn(&KeyPath, &str) -> R,
    price_names: &BTreeSet<&str>,
    accounts: &mut u64,
) -> R {
    let price_ok = |k: &KeyPath, name: &str| -> R {
        if price_names.contains(name) {
            Ok(())
        } else {
            Err(issue(
                k,
                format!("a feed or CAPO name ({})", list(price_names)),
                format!("\"{name}\""),
            ))
        }
    };
    sym_ok(&p.k("base"), &c.base)?;
    price_ok(&p.k("base_price"), &c.base_price)?;
    for (k, v) in [
        ("supply_kink", c.supply_kink),
        ("borrow_kink", c.borrow_kink),
        ("store_front_price_factor", c.store_front_price_factor),
    ] {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            return Err(issue(&p.k(k), "a fraction in [0, 1]", num(v)));
        }
    }
    for (k, v) in [
        ("supply_slope_low", c.supply_slope_low),
        ("supply_slope_high", c.supply_slope_high),
        ("supply_base", c.supply_base),
        ("borrow_slope_low", c.borrow_slope_low),
        ("borrow_slope_high", c.borrow_slope_high),
        ("borrow_base", c.borrow_base),
        ("target_reserves", c.target_reserves),
        ("borrow_min", c.borrow_min),
        ("total_supplied", c.total_supplied),
        ("liquidator_capital", c.liquidator_capital),
    ] {
        nonneg(&p.k(k), v)?;
        event_amount(&p.k(k), v)?;
    }
    if c.collateral.is_empty() {
        return Err(issue(
            &p.k("collateral"),
            "at least one collateral asset",
            "none",
        ));
    }
    for (i, a) in c.collateral.iter().enumerate() {
        let q = p.k("collateral").i(i);
        sym_ok(&q.k("symbol"), &a.symbol)?;
        if a.symbol == c.base {
            return Err(issue(
                &q.k("symbol"),
                "an asset other than the base",
                format!("\"{}\"", a.symbol),
            ));
        }
        price_ok(&q.k("price"), &a.price)?;
        if !(a.borrow_cf > 0.0 && a.borrow_cf < a.liquidate_cf && a.liquidate_cf < 1.0) {
            return Err(issue(
                &q.k("liquidate_cf"),
                "0 < borrow_cf < liquidate_cf < 1 (Comet's BorrowCFTooLarge / LiquidateCFTooLarge)",
                format!(
                    "borrow_cf {}, liquidate_cf {}",
                    num(a.borrow_cf),
                    num(a.liquidate_cf)
                ),
            ));
        }
        if !(a.liquidation_factor > 0.0 && a.liquidation_factor <= 1.0) {
            return Err(issue(
                &q.k("liquidation_factor"),
                "a fraction in (0, 1]",
                num(a.liquidation_factor),
            ));
        }
        nonneg(&q.k("supply_cap"), a.supply_cap)?;
        event_amount(&q.k("supply_cap"), a.supply_cap)?;
    }
    for (i, b) in c.books.iter().enumerate() {
        let q = p.k("books").i(i);
        if !c.collateral.iter().any(|a| a.symbol == b.collateral) {
            return Err(issue(
                &q.k("collateral"),
                format!("a collateral asset of {}", c.name),
                format!("\"{}\"", b.collateral),
            ));
        }
        if b.count == 0 {
            return Err(issue(&q.k("count"), "at least 1 position", "0"));
        }
        accounts_ok(&q.k("count"), b.count, accounts)?;
        positive(&q.k("total_debt"), b.total_debt)?;
        event_amount(&q.k("total_debt"), b.total_debt)?;
        // Comet lends up to borrowCF, and health here is measured at liquidateCF.
        let a = c.collateral.iter().find(|a| a.symbol == b.collateral);
        let floor = a.map_or(1.0, |a| a.liquidate_cf / a.borrow_cf).max(1.0);
        if !(b.hf_min.is_finite() && b.hf_min > floor) {
            return Err(issue(
                &q.k("hf_min"),
                format!(
                    "a health above liquidate_cf / borrow_cf = {} (Comet refuses a borrow beyond borrowCF)",
                    num(floor)
                ),
                num(b.hf_min),
            ));
        }
        if !(b.hf_max.is_finite() && b.hf_max >= b.hf_min) {
            return Err(issue(
                &q.k("hf_max"),
                "a health factor ≥ hf_min",
                num(b.hf_max),
            ));
        }
    }
    Ok(())
}

fn rate_params(p: &KeyPath, optimal: u16, base: u32, s1: u32, s2: u32) -> R {
    if !(100..=9_900).contains(&optimal) {
        return Err(issue(
            &p.k("optimal_usage_ratio_bps"),
            "an optimal usage ratio in [100, 9900] bps",
            optimal.to_string(),
        ));
    }
    if s1 > s2 {
        return Err(issue(
            &p.k("variable_rate_slope1_bps"),
            format!("variable_rate_slope1_bps <= variable_rate_slope2_bps ({s2})"),
            s1.to_string(),
        ));
    }
    let total = u64::from(base) + u64::from(s1) + u64::from(s2);
    if total > 100_000 {
        return Err(issue(
            &p.k("variable_rate_slope2_bps"),
            "base + slope1 + slope2 <= 100000 bps (1000 %)",
            total.to_string(),
        ));
    }
    Ok(())
}

fn time_in(p: &KeyPath, at: &str, start: i64, end: i64) -> R<i64> {
    let t = parse_time(at).map_err(|_| {
        issue(
            p,
            "an RFC 3339 UTC time such as 2026-04-18T17:35:00Z",
            format!("\"{at}\""),
        )
    })?;
    if t < start || t > end {
        return Err(issue(
            p,
            format!(
                "a time within the window [{}, {}]",
                format_time(start),
                format_time(end)
            ),
            format!("\"{at}\""),
        ));
    }
    Ok(t)
}

/// Validated times: (start, end, event times parallel to `events`).
pub(crate) struct Times {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) event_at: Vec<i64>,
}

/// Checks every semantic rule, in file order; returns the first problem.
pub(crate) fn validate(s: &Scenario) -> R<Times> {
    let root = KeyPath::root();

    // [scenario]
    let m = root.k("scenario");
    if s.scenario.name.trim().is_empty() {
        return Err(issue(&m.k("name"), "a non-empty name", "\"\""));
    }
    let start = parse_time(&s.scenario.start).map_err(|_| {
        issue(
            &m.k("start"),
            "an RFC 3339 UTC time such as 2026-04-18T17:00:00Z",
            format!("\"{}\"", s.scenario.start),
        )
    })?;
    let d = s.scenario.duration_hours;
    if !(d.is_finite() && d > 0.0 && d <= MAX_DURATION_HOURS) {
        return Err(issue(
            &m.k("duration_hours"),
            format!("a duration in hours > 0 and <= {MAX_DURATION_HOURS}"),
            num(d),
        ));
    }
    let end = start + (d * 3600.0).floor() as i64;
    if s.scenario.aave_version != "3.6" {
        return Err(issue(
            &m.k("aave_version"),
            "\"3.6\" (the only Aave version implemented)",
            format!("\"{}\"", s.scenario.aave_version),
        ));
    }

    // [chain]
    let c = root.k("chain");
    if s.chain.block_time_s == 0 {
        return Err(issue(&c.k("block_time_s"), "a block time > 0 s", "0"));
    }
    nonneg(&c.k("base_fee_gwei"), s.chain.base_fee_gwei)?;
    let g = &s.chain.gas;
    let gp = c.k("gas");
    for (k, v) in [
        ("supply", g.supply),
        ("withdraw", g.withdraw),
        ("borrow", g.borrow),
        ("repay", g.repay),
        ("liquidation", g.liquidation),
        ("reverted", g.reverted),
    ] {
        if v == 0 {
            return Err(issue(&gp.k(k), "gas > 0", "0"));
        }
    }
    let max_gas = [
        g.supply,
        g.withdraw,
        g.borrow,
        g.repay,
        g.liquidation,
        g.reverted,
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    if s.chain.gas_per_block < max_gas {
        return Err(issue(
            &c.k("gas_per_block"),
            format!(
                "at least the largest per-action gas ({max_gas}), so every action fits in a block"
            ),
            s.chain.gas_per_block.to_string(),
        ));
    }
    if s.chain.mempool_ttl_blocks == 0 {
        return Err(issue(&c.k("mempool_ttl_blocks"), "at least 1 block", "0"));
    }

    // [oracles]
    let o = root.k("oracles");
    let mut feed_names = BTreeSet::new();
    let mut price_names = BTreeSet::new();
    for (i, f) in s.oracles.feeds.iter().enumerate() {
        let p = o.k("feeds").i(i);
        if f.name.trim().is_empty() {
            return Err(issue(&p.k("name"), "a non-empty feed name", "\"\""));
        }
        if !price_names.insert(f.name.as_str()) {
            return Err(issue(
                &p.k("name"),
                "a price-source name not used before",
                format!("duplicate \"{}\"", f.name),
            ));
        }
        feed_names.insert(f.name.as_str());
        match (&f.path, f.constant_usd) {
            (Some(_), Some(_)) => {
                return Err(issue(
                    &p.k("constant_usd"),
                    "exactly one of `path` and `constant_usd`",
                    "both",
                ));
            }
            (None, None) => {
                return Err(issue(
                    &p,
                    "exactly one of `path` and `constant_usd`",
                    "neither",
                ));
            }
            (Some(path), None) if path.trim().is_empty() => {
                return Err(issue(&p.k("path"), "a CSV file path", "\"\""));
            }
            (None, Some(c)) => positive(&p.k("constant_usd"), c)?,
            _ => {}
        }
        if f.heartbeat_s == 0 {
            return Err(issue(&p.k("heartbeat_s"), "a heartbeat > 0 s", "0"));
        }
        le_bps(&p.k("deviation_bps"), u64::from(f.deviation_bps), 10_000)?;
    }
    if !feed_names.contains(s.chain.gas_price_feed.as_str()) {
        return Err(issue(
            &c.k("gas_price_feed"),
            format!(
                "the name of a feed in [[oracles.feeds]] ({})",
                list(&feed_names)
            ),
            format!("\"{}\"", s.chain.gas_price_feed),
        ));
    }
    for (i, a) in s.oracles.capo.iter().enumerate() {
        let p = o.k("capo").i(i);
        if a.name.trim().is_empty() {
            return Err(issue(&p.k("name"), "a non-empty adapter name", "\"\""));
        }
        if !price_names.insert(a.name.as_str()) {
            return Err(issue(
                &p.k("name"),
                "a price-source name not used before",
                format!("duplicate \"{}\"", a.name),
            ));
        }
        if !feed_names.contains(a.base_feed.as_str()) {
            return Err(issue(
                &p.k("base_feed"),
                format!(
                    "the name of a feed in [[oracles.feeds]] ({})",
                    list(&feed_names)
                ),
                format!("\"{}\"", a.base_feed),
            ));
        }
        positive(&p.k("ratio"), a.ratio)?;
        positive(&p.k("snapshot_ratio"), a.snapshot_ratio)?;
    }

    // [market]
    let mk = root.k("market");
    let mut reserves: BTreeMap<&str, &Reserve> = BTreeMap::new();
    if s.market.reserves.is_empty() {
        return Err(issue(
            &mk.k("reserves"),
            "at least one [[market.reserves]]",
            "none",
        ));
    }
    for (i, r) in s.market.reserves.iter().enumerate() {
        let p = mk.k("reserves").i(i);
        if r.symbol.trim().is_empty() {
            return Err(issue(&p.k("symbol"), "a non-empty symbol", "\"\""));
        }
        if reserves.insert(r.symbol.as_str(), r).is_some() {
            return Err(issue(
                &p.k("symbol"),
                "a reserve symbol not used before",
                format!("duplicate \"{}\"", r.symbol),
            ));
        }
        if r.family.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return Err(issue(
                &p.k("family"),
                "a non-empty family name (e.g. \"ETH\", \"USD\") or no key",
                "\"\"",
            ));
        }
        if r.decimals > MAX_DECIMALS {
            return Err(issue(
                &p.k("decimals"),
                format!("at most {MAX_DECIMALS} decimals"),
                r.decimals.to_string(),
            ));
        }
        if !price_names.contains(r.price.as_str()) {
            return Err(issue(
                &p.k("price"),
                format!(
                    "the name of a feed or CAPO adapter ({})",
                    list(&price_names)
                ),
                format!("\"{}\"", r.price),
            ));
        }
        collateral_params(
            &p,
            r.ltv_bps,
            r.liquidation_threshold_bps,
            r.liquidation_bonus_bps,
            false,
        )?;
        le_bps(
            &p.k("liquidation_protocol_fee_bps"),
            u64::from(r.liquidation_protocol_fee_bps),
            10_000,
        )?;
        le_bps(
            &p.k("reserve_factor_bps"),
            u64::from(r.reserve_factor_bps),
            10_000,
        )?;
        rate_params(
            &p,
            r.optimal_usage_ratio_bps,
            r.base_variable_borrow_rate_bps,
            r.variable_rate_slope1_bps,
            r.variable_rate_slope2_bps,
        )?;
        nonneg(&p.k("total_supplied"), r.total_supplied)?;
        nonneg(&p.k("total_borrowed"), r.total_borrowed)?;
        if r.total_borrowed > r.total_supplied {
            return Err(issue(
                &p.k("total_borrowed"),
                format!(
                    "total_borrowed <= total_supplied ({})",
                    num(r.total_supplied)
                ),
                num(r.total_borrowed),
            ));
        }
    }
    let symbols: BTreeSet<&str> = reserves.keys().copied().collect();
    let sym_ok = |p: &KeyPath, sym: &str| -> R {
        if reserves.contains_key(sym) {
            Ok(())
        } else {
            Err(issue(
                p,
                format!("a reserve symbol ({})", list(&symbols)),
                format!("\"{sym}\""),
            ))
        }
    };
    let mut emodes: BTreeMap<u8, &EMode> = BTreeMap::new();
    for (i, e) in s.market.emodes.iter().enumerate() {
        let p = mk.k("emodes").i(i);
        if e.id == 0 {
            return Err(issue(
                &p.k("id"),
                "an e-mode id in 1..=255 (0 means no e-mode)",
                "0",
            ));
        }
        if emodes.insert(e.id, e).is_some() {
            return Err(issue(
                &p.k("id"),
                "an e-mode id not used before",
                format!("duplicate {}", e.id),
            ));
        }
        collateral_params(
            &p,
            e.ltv_bps,
            e.liquidation_threshold_bps,
            e.liquidation_bonus_bps,
            true,
        )?;
        for (j, sym) in e.collateral.iter().enumerate() {
            sym_ok(&p.k("collateral").i(j), sym)?;
        }
        for (j, sym) in e.borrowable.iter().enumerate() {
            sym_ok(&p.k("borrowable").i(j), sym)?;
        }
    }
    let emode_ok = |p: &KeyPath, id: u8| -> R<Option<&EMode>> {
        if id == 0 {
            return Ok(None);
        }
        emodes.get(&id).copied().map(Some).ok_or_else(|| {
            issue(
                p,
                format!(
                    "0 or an e-mode id of [[market.emodes]] ({})",
                    list(&emodes.keys().map(|k| k.to_string()).collect())
                ),
                id.to_string(),
            )
        })
    };
    let in_emode = |p: &KeyPath, e: &EMode, sym: &str, what: &str| -> R {
        let set = if what == "collateral" {
            &e.collateral
        } else {
            &e.borrowable
        };
        if set.iter().any(|x| x == sym) {
            Ok(())
        } else {
            Err(issue(
                p,
                format!("a {what} asset of e-mode {} ({})", e.id, set.join(", ")),
                format!("\"{sym}\""),
            ))
        }
    };

    // [behaviour]
    let b = root.k("behaviour");
    let bh = &s.behaviour;
    for (k, v) in [
        ("w_depeg", bh.w_depeg),
        ("depeg_kink", bh.depeg_kink),
        ("w_utilization", bh.w_utilization),
        ("w_outflow", bh.w_outflow),
        ("w_news", bh.w_news),
        ("w_deficit", bh.w_deficit),
        ("w_yield", bh.w_yield),
    ] {
        nonneg(&b.k(k), v)?;
    }
    positive(&b.k("outflow_window_hours"), bh.outflow_window_hours)?;
    if let Some(c) = &bh.contagion {
        let cp = b.k("contagion");
        for (k, v) in [
            ("same_family", c.same_family),
            ("same_protocol", c.same_protocol),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(issue(&cp.k(k), "a similarity weight in [0, 1]", num(v)));
            }
        }
    }

    // [[depositors]]
    let mut accounts = 0u64;
    let mut share_sum: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, dc) in s.depositors.iter().enumerate() {
        let p = root.k("depositors").i(i);
        sym_ok(&p.k("asset"), &dc.asset)?;
        share(&p.k("share_of_supply"), dc.share_of_supply)?;
        if dc.count == 0 {
            return Err(issue(&p.k("count"), "at least 1 depositor", "0"));
        }
        accounts_ok(&p.k("count"), dc.count, &mut accounts)?;
        if dc.stake_distribution != COMPOUND_V2_SUPPLY && dc.stake_distribution != EQUAL {
            return Err(issue(
                &p.k("stake_distribution"),
                format!("\"{COMPOUND_V2_SUPPLY}\" or \"{EQUAL}\""),
                format!("\"{}\"", dc.stake_distribution),
            ));
        }
        nonneg(&p.k("attention_per_hour"), dc.attention_per_hour)?;
        nonneg(
            &p.k("news_attention_multiplier"),
            dc.news_attention_multiplier,
        )?;
        nonneg(&p.k("latency_blocks"), dc.latency_blocks)?;
        positive(&p.k("threshold_median"), dc.threshold_median)?;
        nonneg(&p.k("threshold_sigma"), dc.threshold_sigma)?;
        positive(&p.k("exit_fraction_a"), dc.exit_fraction_a)?;
        positive(&p.k("exit_fraction_b"), dc.exit_fraction_b)?;
        nonneg(&p.k("noise_sd"), dc.noise_sd)?;
        nonneg(&p.k("priority_fee_gwei"), dc.priority_fee_gwei)?;
        nonneg(&p.k("retry_blocks"), dc.retry_blocks)?;
        let sum = share_sum.entry(dc.asset.as_str()).or_insert(0.0);
        *sum += dc.share_of_supply;
        if *sum > 1.0 + 1e-9 {
            return Err(issue(
                &p.k("share_of_supply"),
                format!("depositor shares of {} summing to at most 1", dc.asset),
                format!("a total of {}", num(*sum)),
            ));
        }
    }

    // [[borrowers]]
    let mut debt_sum: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, bk) in s.borrowers.iter().enumerate() {
        let p = root.k("borrowers").i(i);
        sym_ok(&p.k("collateral"), &bk.collateral)?;
        sym_ok(&p.k("debt"), &bk.debt)?;
        if let Some(e) = emode_ok(&p.k("emode"), bk.emode)? {
            in_emode(&p.k("collateral"), e, &bk.collateral, "collateral")?;
            in_emode(&p.k("debt"), e, &bk.debt, "borrowable")?;
        }
        nonneg(&p.k("total_debt"), bk.total_debt)?;
        accounts_ok(&p.k("count"), bk.count, &mut accounts)?;
        if bk.count == 0 && bk.total_debt > 0.0 {
            return Err(issue(
                &p.k("count"),
                "at least 1 position when total_debt > 0",
                "0",
            ));
        }
        if !(bk.hf_min.is_finite() && bk.hf_min >= 1.0) {
            return Err(issue(
                &p.k("hf_min"),
                "a health factor >= 1",
                num(bk.hf_min),
            ));
        }
        if !(bk.hf_median.is_finite() && bk.hf_median > bk.hf_min) {
            return Err(issue(
                &p.k("hf_median"),
                format!("a health factor > hf_min ({})", num(bk.hf_min)),
                num(bk.hf_median),
            ));
        }
        nonneg(&p.k("hf_sigma"), bk.hf_sigma)?;
        nonneg(&p.k("repay_speed"), bk.repay_speed)?;
        probability(&p.k("active_share"), bk.active_share)?;
        nonneg(&p.k("attention_per_hour"), bk.attention_per_hour)?;
        nonneg(&p.k("priority_fee_gwei"), bk.priority_fee_gwei)?;
        let sum = debt_sum.entry(bk.debt.as_str()).or_insert(0.0);
        *sum += bk.total_debt;
        let borrowed = reserves
            .get(bk.debt.as_str())
            .map_or(0.0, |r| r.total_borrowed);
        if *sum > borrowed * (1.0 + 1e-9) {
            return Err(issue(
                &p.k("total_debt"),
                format!(
                    "borrower books' total debt in {} <= the reserve's total_borrowed ({})",
                    bk.debt,
                    num(borrowed)
                ),
                format!("a total of {}", num(*sum)),
            ));
        }
    }

    // [[liquidators]]
    for (i, l) in s.liquidators.iter().enumerate() {
        let p = root.k("liquidators").i(i);
        accounts_ok(&p.k("count"), l.count, &mut accounts)?;
        nonneg(&p.k("capital_usd"), l.capital_usd)?;
        nonneg(&p.k("min_profit_usd"), l.min_profit_usd)?;
        nonneg(&p.k("hold_hours"), l.hold_hours)?;
        nonneg(&p.k("risk_z"), l.risk_z)?;
        nonneg(&p.k("latency_blocks"), l.latency_blocks)?;
        nonneg(&p.k("priority_fee_gwei"), l.priority_fee_gwei)?;
        for (sym, v) in &l.volatility {
            let vp = p.k("volatility").k(sym);
            sym_ok(&vp, sym)?;
            nonneg(&vp, *v)?;
        }
    }

    // [[comets]]
    let mut comets: BTreeMap<&str, &crate::schema::CometMarket> = BTreeMap::new();
    for (i, c) in s.comets.iter().enumerate() {
        let p = root.k("comets").i(i);
        if c.name.trim().is_empty() {
            return Err(issue(&p.k("name"), "a non-empty name", "\"\""));
        }
        if comets.insert(c.name.as_str(), c).is_some() {
            return Err(issue(
                &p.k("name"),
                "a market name not used before",
                format!("duplicate \"{}\"", c.name),
            ));
        }
        comet_ok(&p, c, &sym_ok, &price_names, &mut accounts)?;
    }
    let comet_names: BTreeSet<&str> = comets.keys().copied().collect();
    let comet_of = |p: &KeyPath, name: &str| -> R<&crate::schema::CometMarket> {
        comets.get(name).copied().ok_or_else(|| {
            issue(
                p,
                format!("the name of a [[comets]] market ({})", list(&comet_names)),
                format!("\"{name}\""),
            )
        })
    };
    let comet_lists = |p: &KeyPath, c: &crate::schema::CometMarket, sym: &str| -> R {
        if sym == c.base || c.collateral.iter().any(|x| x.symbol == sym) {
            return Ok(());
        }
        Err(issue(
            p,
            format!("the base or a collateral asset of {}", c.name),
            format!("\"{sym}\""),
        ))
    };

    // [[events]]
    let mut event_at = Vec::with_capacity(s.events.len());
    for (i, ev) in s.events.iter().enumerate() {
        let p = root.k("events").i(i);
        let t = time_in(&p.k("at"), ev.at(), start, end)?;
        event_at.push(t);
        match ev {
            Event::News {
                intensity,
                half_life_hours,
                source,
                ..
            } => {
                nonneg(&p.k("intensity"), *intensity)?;
                positive(&p.k("half_life_hours"), *half_life_hours)?;
                if let Some(src) = source {
                    sym_ok(&p.k("source"), src)?;
                }
            }
            Event::Attack {
                emode,
                collateral,
                collateral_amount,
                debt,
                debt_amount,
                splits,
                comet,
                ..
            } => {
                sym_ok(&p.k("collateral"), collateral)?;
                sym_ok(&p.k("debt"), debt)?;
                if let Some(name) = comet {
                    let c = comet_of(&p.k("comet"), name)?;
                    if *emode != 0 {
                        return Err(issue(
                            &p.k("emode"),
                            "0 (a Compound III market has no e-mode)",
                            emode.to_string(),
                        ));
                    }
                    if !c.collateral.iter().any(|x| &x.symbol == collateral) {
                        return Err(issue(
                            &p.k("collateral"),
                            format!("a collateral asset of {name}"),
                            format!("\"{collateral}\""),
                        ));
                    }
                    if debt != &c.base {
                        return Err(issue(
                            &p.k("debt"),
                            format!("the base of {name} (\"{}\")", c.base),
                            format!("\"{debt}\""),
                        ));
                    }
                } else if let Some(e) = emode_ok(&p.k("emode"), *emode)? {
                    in_emode(&p.k("collateral"), e, collateral, "collateral")?;
                    in_emode(&p.k("debt"), e, debt, "borrowable")?;
                }
                positive(&p.k("collateral_amount"), *collateral_amount)?;
                event_amount(&p.k("collateral_amount"), *collateral_amount)?;
                event_amount(&p.k("debt_amount"), *debt_amount)?;
                if *splits == 0 {
                    return Err(issue(&p.k("splits"), "at least 1 transaction", "0"));
                }
                accounts_ok(&p.k("splits"), *splits, &mut accounts)?;
            }
            Event::CometPause { comet, .. } => {
                comet_of(&p.k("comet"), comet)?;
            }
            Event::CometPriceFeed { comet, asset, .. } => {
                let c = comet_of(&p.k("comet"), comet)?;
                comet_lists(&p.k("asset"), c, asset)?;
            }
            Event::ExchangeRate { adapter, ratio, .. } => {
                if !s.oracles.capo.iter().any(|a| &a.name == adapter) {
                    let names: BTreeSet<&str> =
                        s.oracles.capo.iter().map(|a| a.name.as_str()).collect();
                    return Err(issue(
                        &p.k("adapter"),
                        format!(
                            "the name of a CAPO adapter in [[oracles.capo]] ({})",
                            list(&names)
                        ),
                        format!("\"{adapter}\""),
                    ));
                }
                positive(&p.k("ratio"), *ratio)?;
            }
            Event::Freeze {
                asset,
                reaction_minutes,
                ..
            } => {
                sym_ok(&p.k("asset"), asset)?;
                reaction_ok(&p.k("reaction_minutes"), reaction_minutes.as_ref())?;
            }
            Event::Pause {
                asset,
                grace_period_s,
                reaction_minutes,
                ..
            } => {
                sym_ok(&p.k("asset"), asset)?;
                reaction_ok(&p.k("reaction_minutes"), reaction_minutes.as_ref())?;
                if *grace_period_s > MAX_GRACE_PERIOD_S {
                    return Err(issue(
                        &p.k("grace_period_s"),
                        format!("at most {MAX_GRACE_PERIOD_S} s (Aave MAX_GRACE_PERIOD, 4 h)"),
                        grace_period_s.to_string(),
                    ));
                }
            }
            Event::Governance {
                delay_hours,
                asset,
                optimal_usage_ratio_bps,
                base_variable_borrow_rate_bps,
                variable_rate_slope1_bps,
                variable_rate_slope2_bps,
                ltv_bps,
                steward,
                ..
            } => {
                nonneg(&p.k("delay_hours"), *delay_hours)?;
                if let Some(b) = steward {
                    let k = p.k("steward");
                    if b.max_change_bps == 0 {
                        return Err(issue(&k.k("max_change_bps"), "a step above 0 bps", "0"));
                    }
                    nonneg(&k.k("min_delay_hours"), b.min_delay_hours)?;
                    if b.min_delay_hours > MAX_DURATION_HOURS {
                        return Err(issue(
                            &k.k("min_delay_hours"),
                            format!("at most {MAX_DURATION_HOURS} hours"),
                            num(b.min_delay_hours),
                        ));
                    }
                }
                if *delay_hours > MAX_DURATION_HOURS {
                    return Err(issue(
                        &p.k("delay_hours"),
                        format!("a delay of at most {MAX_DURATION_HOURS} hours"),
                        num(*delay_hours),
                    ));
                }
                sym_ok(&p.k("asset"), asset)?;
                let r = reserves[asset.as_str()];
                // The reserve's strategy after the change must still be valid; report the key
                // the event sets (or the reserve's key when the event leaves it unchanged).
                let opt = optimal_usage_ratio_bps.unwrap_or(r.optimal_usage_ratio_bps);
                let base = base_variable_borrow_rate_bps.unwrap_or(r.base_variable_borrow_rate_bps);
                let s1 = variable_rate_slope1_bps.unwrap_or(r.variable_rate_slope1_bps);
                let s2 = variable_rate_slope2_bps.unwrap_or(r.variable_rate_slope2_bps);
                if s1 > s2 {
                    return Err(if variable_rate_slope2_bps.is_some() {
                        issue(
                            &p.k("variable_rate_slope2_bps"),
                            format!(
                                "variable_rate_slope2_bps >= {asset}'s variable_rate_slope1_bps ({s1})"
                            ),
                            s2.to_string(),
                        )
                    } else {
                        issue(
                            &p.k("variable_rate_slope1_bps"),
                            format!(
                                "variable_rate_slope1_bps <= {asset}'s variable_rate_slope2_bps ({s2})"
                            ),
                            s1.to_string(),
                        )
                    });
                }
                rate_params(&p, opt, base, s1, s2).map_err(|mut i| {
                    // Blame a key the event sets, not one it leaves to the reserve.
                    let set = [
                        (
                            "variable_rate_slope2_bps",
                            variable_rate_slope2_bps.is_some(),
                        ),
                        (
                            "variable_rate_slope1_bps",
                            variable_rate_slope1_bps.is_some(),
                        ),
                        (
                            "base_variable_borrow_rate_bps",
                            base_variable_borrow_rate_bps.is_some(),
                        ),
                        ("optimal_usage_ratio_bps", optimal_usage_ratio_bps.is_some()),
                    ];
                    let blamed_is_set = set.iter().any(|(k, on)| *on && i.path == p.k(k));
                    if !blamed_is_set && let Some((k, _)) = set.iter().find(|(_, on)| *on) {
                        i.path = p.k(k);
                        i.expected =
                            format!("{} (with {asset}'s other rate parameters)", i.expected);
                    }
                    i
                })?;
                if let Some(ltv) = ltv_bps
                    && *ltv > r.liquidation_threshold_bps
                {
                    return Err(issue(
                        &p.k("ltv_bps"),
                        format!(
                            "ltv_bps <= {asset}'s liquidation_threshold_bps ({})",
                            r.liquidation_threshold_bps
                        ),
                        ltv.to_string(),
                    ));
                }
            }
            Event::RescueSupply { asset, amount, .. }
            | Event::RescueRepay { asset, amount, .. }
            | Event::Withdraw { asset, amount, .. }
            | Event::CoverDeficit { asset, amount, .. } => {
                sym_ok(&p.k("asset"), asset)?;
                event_amount(&p.k("amount"), *amount)?;
            }
        }
    }

    if let Some(st) = &s.stochastic {
        stochastic(st, &feed_names, &root.k("stochastic"))?;
    }
    if let Some(c) = &s.calibration {
        calibration(c, &root.k("calibration"))?;
    }

    Ok(Times {
        start,
        end,
        event_at,
    })
}

/// `[calibration]`: at least one target and one parameter; finite values, sd > 0; each
/// parameter has keys, lo < hi, and bounds > 0 on a log scale. (Whether a metric or a key
/// exists is checked by `bankrun calibrate`, which reads and sets them.)
fn calibration(c: &crate::schema::Calibration, p: &KeyPath) -> R {
    if c.targets.is_empty() {
        return Err(issue(&p.k("targets"), "at least one target", "none"));
    }
    if c.parameters.is_empty() {
        return Err(issue(&p.k("parameters"), "at least one parameter", "none"));
    }
    for (i, t) in c.targets.iter().enumerate() {
        let q = p.k("targets").i(i);
        if t.metric.is_empty() {
            return Err(issue(&q.k("metric"), "a metric name", "\"\""));
        }
        if !t.value.is_finite() {
            return Err(issue(&q.k("value"), "a finite number", num(t.value)));
        }
        positive(&q.k("sd"), t.sd)?;
    }
    for (i, x) in c.parameters.iter().enumerate() {
        let q = p.k("parameters").i(i);
        if x.keys.is_empty() {
            return Err(issue(&q.k("keys"), "at least one scenario key", "[]"));
        }
        if !x.lo.is_finite() {
            return Err(issue(&q.k("lo"), "a finite number", num(x.lo)));
        }
        if !(x.hi.is_finite() && x.hi > x.lo) {
            return Err(issue(
                &q.k("hi"),
                format!("a finite number > lo ({})", num(x.lo)),
                num(x.hi),
            ));
        }
        if x.log {
            positive(&q.k("lo"), x.lo)?;
        }
    }
    Ok(())
}

/// `[stochastic]`: each process names a feed once and has exactly the keys of its model; the
/// correlation matrix is a valid correlation matrix over processes; draws are well-formed.
/// (Whether a draw's key exists is checked by `bankrun sweep`, which applies it.)
fn stochastic(st: &Stochastic, feed_names: &BTreeSet<&str>, p: &KeyPath) -> R {
    if st.step_s == 0 {
        return Err(issue(&p.k("step_s"), "a time step > 0 s", "0"));
    }
    let mut seen = BTreeSet::new();
    for (i, pr) in st.prices.iter().enumerate() {
        let q = p.k("prices").i(i);
        if !feed_names.contains(pr.feed.as_str()) {
            return Err(issue(
                &q.k("feed"),
                format!(
                    "the name of a feed in [[oracles.feeds]] ({})",
                    list(feed_names)
                ),
                format!("\"{}\"", pr.feed),
            ));
        }
        if !seen.insert(pr.feed.as_str()) {
            return Err(issue(
                &q.k("feed"),
                "a feed without another [[stochastic.prices]] entry",
                format!("duplicate \"{}\"", pr.feed),
            ));
        }
        let (required, model): (&[&str], &str) = match pr.model {
            PriceModel::Gbm => (&["mu", "sigma"], "gbm"),
            PriceModel::Merton => (
                &["mu", "sigma", "jump_intensity", "jump_mean", "jump_sd"],
                "merton",
            ),
            PriceModel::Ou => (&["sigma", "theta"], "ou"),
            PriceModel::Regime => (&[], "regime"),
        };
        let optional: &[&str] = if pr.model == PriceModel::Ou {
            &["mean_usd"]
        } else {
            &[]
        };
        let fields = [
            ("mu", pr.mu),
            ("sigma", pr.sigma),
            ("jump_intensity", pr.jump_intensity),
            ("jump_mean", pr.jump_mean),
            ("jump_sd", pr.jump_sd),
            ("theta", pr.theta),
            ("mean_usd", pr.mean_usd),
        ];
        for (k, v) in fields {
            match v {
                None if required.contains(&k) => {
                    return Err(issue(
                        &q.k(k),
                        format!("the key `{k}` (required by model \"{model}\")"),
                        "no such key",
                    ));
                }
                Some(_) if !required.contains(&k) && !optional.contains(&k) => {
                    return Err(issue(
                        &q.k(k),
                        format!(
                            "only the keys of model \"{model}\" ({})",
                            [required, optional].concat().join(", ")
                        ),
                        format!("`{k}`"),
                    ));
                }
                Some(x) => match k {
                    "mu" | "jump_mean" => {
                        if !x.is_finite() {
                            return Err(issue(&q.k(k), "a finite number", num(x)));
                        }
                    }
                    "mean_usd" | "theta" => positive(&q.k(k), x)?,
                    _ => nonneg(&q.k(k), x)?,
                },
                None => {}
            }
        }
        if pr.model == PriceModel::Regime {
            if pr.regimes.len() < 2 {
                return Err(issue(
                    &q.k("regimes"),
                    "at least 2 regimes for model \"regime\"",
                    format!("{}", pr.regimes.len()),
                ));
            }
            for (j, r) in pr.regimes.iter().enumerate() {
                let rq = q.k("regimes").i(j);
                if !r.mu.is_finite() {
                    return Err(issue(&rq.k("mu"), "a finite number", num(r.mu)));
                }
                nonneg(&rq.k("sigma"), r.sigma)?;
                positive(&rq.k("mean_duration_hours"), r.mean_duration_hours)?;
            }
        } else if !pr.regimes.is_empty() {
            return Err(issue(
                &q.k("regimes"),
                format!("no `regimes` for model \"{model}\""),
                "`regimes`",
            ));
        }
    }
    if let Some(c) = &st.correlation {
        let q = p.k("correlation");
        let n = c.feeds.len();
        let mut cseen = BTreeSet::new();
        for (i, f) in c.feeds.iter().enumerate() {
            if !seen.contains(f.as_str()) {
                return Err(issue(
                    &q.k("feeds").i(i),
                    format!(
                        "a feed with a [[stochastic.prices]] entry ({})",
                        list(&seen)
                    ),
                    format!("\"{f}\""),
                ));
            }
            if !cseen.insert(f.as_str()) {
                return Err(issue(
                    &q.k("feeds").i(i),
                    "each feed once",
                    format!("duplicate \"{f}\""),
                ));
            }
        }
        if c.matrix.len() != n {
            return Err(issue(
                &q.k("matrix"),
                format!("a {n}×{n} matrix (one row per feed)"),
                format!("{} rows", c.matrix.len()),
            ));
        }
        for (i, row) in c.matrix.iter().enumerate() {
            if row.len() != n {
                return Err(issue(
                    &q.k("matrix").i(i),
                    format!("a row of {n} numbers"),
                    format!("{} numbers", row.len()),
                ));
            }
            for (j, v) in row.iter().enumerate() {
                let want_diag = i == j;
                let ok = v.is_finite()
                    && (-1.0..=1.0).contains(v)
                    && (!want_diag || *v == 1.0)
                    && (*v - c.matrix[j].get(i).copied().unwrap_or(f64::NAN)).abs() <= 1e-12;
                if !ok {
                    return Err(issue(
                        &q.k("matrix").i(i).i(j),
                        "a symmetric correlation matrix: entries in [-1, 1], 1 on the diagonal",
                        num(*v),
                    ));
                }
            }
        }
        // Positive definite: Cholesky must succeed.
        let mut l = vec![vec![0.0_f64; n]; n];
        for i in 0..n {
            for j in 0..=i {
                let mut sum = c.matrix[i][j];
                sum -= l[i][..j]
                    .iter()
                    .zip(&l[j][..j])
                    .map(|(a, b)| a * b)
                    .sum::<f64>();
                if i == j {
                    if sum <= 1e-12 {
                        return Err(issue(
                            &q.k("matrix"),
                            "a positive definite correlation matrix (Cholesky factorisable)",
                            format!("a matrix that is not (pivot {} of row {i})", num(sum)),
                        ));
                    }
                    l[i][i] = sum.sqrt();
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
    }
    for (i, d) in st.parameters.iter().enumerate() {
        let q = p.k("parameters").i(i);
        if d.key.trim().is_empty() {
            return Err(issue(&q.k("key"), "a dotted scenario key", "\"\""));
        }
        let (needed, dist): (&[&str], &str) = match d.dist {
            DrawDistribution::Normal => (&["mean", "sd"], "normal"),
            DrawDistribution::Lognormal => (&["mu", "sigma"], "lognormal"),
            DrawDistribution::Uniform => (&["lo", "hi"], "uniform"),
        };
        for (k, v) in [
            ("mean", d.mean),
            ("sd", d.sd),
            ("mu", d.mu),
            ("sigma", d.sigma),
            ("lo", d.lo),
            ("hi", d.hi),
        ] {
            match v {
                None if needed.contains(&k) => {
                    return Err(issue(
                        &q.k(k),
                        format!("the key `{k}` (required by dist \"{dist}\")"),
                        "no such key",
                    ));
                }
                Some(_) if !needed.contains(&k) => {
                    return Err(issue(
                        &q.k(k),
                        format!("only the keys of dist \"{dist}\" ({})", needed.join(", ")),
                        format!("`{k}`"),
                    ));
                }
                Some(x) if k == "sd" || k == "sigma" => nonneg(&q.k(k), x)?,
                Some(x) if !x.is_finite() => {
                    return Err(issue(&q.k(k), "a finite number", num(x)));
                }
                _ => {}
            }
        }
        if let (Some(lo), Some(hi)) = (d.lo, d.hi)
            && hi < lo
        {
            return Err(issue(
                &q.k("hi"),
                format!("hi >= lo ({})", num(lo)),
                num(hi),
            ));
        }
    }
    Ok(())
}

fn list<S: AsRef<str>>(names: &BTreeSet<S>) -> String {
    if names.is_empty() {
        return "none defined".into();
    }
    names
        .iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
