//! The market module: oracle-priced swaps between LUNA and the Terra stablecoins with a
//! virtual constant-product pool that sets the spread on Terra⇄LUNA swaps.
//!
//! Sources (`classic-terra/core`, v0.5.18 tree `25d61133` unless noted):
//! - `x/market/keeper/swap.go`: `ComputeInternalSwap` ([`compute_internal_swap`]),
//!   `ComputeSwap` ([`Market::compute_swap`], [`Market::quote`]), `ApplySwapToPool`
//!   ([`Market::apply_swap_to_pool`]), `simulateSwap` ([`Market::simulate_swap`]);
//! - `x/market/keeper/msg_server.go`: `handleSwapRequest` ([`Market::swap`]);
//! - `x/market/keeper/keeper.go` `ReplenishPools`, called by `x/market/abci.go`
//!   `EndBlocker` ([`Market::replenish_pools`]);
//! - `x/market/types/params.go` (defaults and `Validate`), `x/market/types/msgs.go`
//!   (`MsgSwap.ValidateBasic`);
//! - `x/oracle/keeper/keeper.go` (`GetLunaExchangeRate`: 1 for `uluna`; `GetTobinTax`),
//!   `x/oracle/types/params.go` (default whitelist and Tobin taxes);
//! - v0.5.20 commit `1302858e` (13 May 2022): `app/app.go` `BeginBlocker` sets
//!   `MinStabilitySpread = 1` at `SwapDisableForkHeight` (`types/fork/height.go`) and
//!   `handleSwapRequest` returns `ErrZeroSwapCoin` from that height on
//!   ([`Market::activate_swap_disable_fork`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::TerraError;
use crate::dec::{Dec, DecError};

/// Micro-units per unit (`core.MicroUnit` = 1e6): 1 LUNA = 1e6 `uluna`.
pub const MICRO_UNIT: u128 = 1_000_000;

/// Columbus-5 height of the v0.5.20 swap-disable fork (`types/fork/height.go`
/// `SwapDisableForkHeight`), 13 May 2022.
pub const SWAP_DISABLE_FORK_HEIGHT: u64 = 7_607_790;

/// Largest offer amount `MsgSwap.ValidateBasic` accepts, in bits (`BitLen() > 100` is
/// `ErrInvalidCoins`).
pub const MAX_OFFER_BITS: u32 = 100;

/// A coin denomination of the market module (the ones the simulation needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Denom {
    /// `uluna`: micro-LUNA, the staking and collateral token (`core.MicroLunaDenom`).
    Uluna,
    /// `uusd`: micro-UST, TerraUSD (`core.MicroUSDDenom`).
    Uusd,
    /// `usdr`: micro-TerraSDR, the market module's base (accounting) denom
    /// (`core.MicroSDRDenom`).
    Usdr,
    /// `ukrw`: micro-TerraKRW (`core.MicroKRWDenom`).
    Ukrw,
    /// `umnt`: micro-TerraMNT (`core.MicroMNTDenom`; 2 % default Tobin tax).
    Umnt,
}

impl Denom {
    /// The on-chain denom string, e.g. `"uusd"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Denom::Uluna => "uluna",
            Denom::Uusd => "uusd",
            Denom::Usdr => "usdr",
            Denom::Ukrw => "ukrw",
            Denom::Umnt => "umnt",
        }
    }

    /// `true` for `uluna`, `false` for the Terra stablecoins.
    pub fn is_luna(self) -> bool {
        self == Denom::Uluna
    }
}

impl fmt::Display for Denom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown denom string given to [`Denom::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown denom: {0}")]
pub struct UnknownDenom(pub String);

impl FromStr for Denom {
    type Err = UnknownDenom;

    fn from_str(s: &str) -> Result<Denom, UnknownDenom> {
        Ok(match s {
            "uluna" => Denom::Uluna,
            "uusd" => Denom::Uusd,
            "usdr" => Denom::Usdr,
            "ukrw" => Denom::Ukrw,
            "umnt" => Denom::Umnt,
            _ => return Err(UnknownDenom(s.to_string())),
        })
    }
}

/// The oracle's LUNA exchange rates: micro-units of a denom per micro-LUNA (= denom per
/// LUNA), as stored by the oracle module after each vote period
/// (`x/oracle/keeper/keeper.go` `GetLunaExchangeRate`).
///
/// `uluna` always has rate 1 (`GetLunaExchangeRate` short-circuits it); a rate set for
/// it here is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OracleRates {
    rates: BTreeMap<Denom, Dec>,
}

impl OracleRates {
    /// No rates: every swap but `uluna`→`uluna` fails with
    /// [`TerraError::NoEffectivePrice`].
    pub fn new() -> OracleRates {
        OracleRates::default()
    }

    /// Builder form of [`OracleRates::set`].
    #[must_use]
    pub fn with_rate(mut self, denom: Denom, rate: Dec) -> OracleRates {
        self.set(denom, rate);
        self
    }

    /// Sets the rate of `denom` (denom per LUNA, e.g. 80 for `uusd` at 80 USD/LUNA).
    pub fn set(&mut self, denom: Denom, rate: Dec) {
        self.rates.insert(denom, rate);
    }

    /// Removes the rate of `denom` (no oracle quorum: the swap then fails).
    pub fn remove(&mut self, denom: Denom) {
        self.rates.remove(&denom);
    }

    /// `GetLunaExchangeRate(denom)`: 1 for `uluna`, the stored rate otherwise.
    pub fn luna_exchange_rate(&self, denom: Denom) -> Option<Dec> {
        if denom.is_luna() {
            return Some(Dec::ONE);
        }
        self.rates.get(&denom).copied()
    }
}

/// `ComputeInternalSwap(offerCoin, askDenom)`: `offer · askRate / offerRate` at oracle
/// prices, no spread (`Dec` `Mul` then `Quo`, both banker's-rounded). Amounts in
/// micro-units of their denoms.
///
/// Returns `offer_amount` unchanged (without any check) when the denoms are equal.
///
/// # Errors
/// [`TerraError::NoEffectivePrice`] when a rate is missing (offer denom checked
/// first); [`TerraError::InvalidCoins`] when the result is `≤ 0`; a [`DecError`] on
/// overflow or a zero offer rate (an SDK panic).
pub fn compute_internal_swap(
    offer_denom: Denom,
    offer_amount: Dec,
    ask_denom: Denom,
    rates: &OracleRates,
) -> Result<Dec, TerraError> {
    if offer_denom == ask_denom {
        return Ok(offer_amount);
    }
    let offer_rate = rates
        .luna_exchange_rate(offer_denom)
        .ok_or(TerraError::NoEffectivePrice(offer_denom))?;
    let ask_rate = rates
        .luna_exchange_rate(ask_denom)
        .ok_or(TerraError::NoEffectivePrice(ask_denom))?;
    let ret = offer_amount
        .checked_mul(ask_rate)?
        .checked_quo(offer_rate)?;
    if !ret.is_positive() {
        return Err(TerraError::InvalidCoins(
            "internal swap result is not positive",
        ));
    }
    Ok(ret)
}

/// Market module parameters (`x/market/types/params.go`), plus the oracle whitelist's
/// Tobin taxes that `ComputeSwap` reads for Terra⇄Terra swaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketParams {
    /// `BasePool`: the virtual pools' equilibrium size, `Dec` in `usdr` micro-units
    /// (50 M SDR = `5e13`). Must be `≥ 0`.
    pub base_pool: Dec,
    /// `PoolRecoveryPeriod`, in blocks: `TerraPoolDelta` decays by
    /// `1/PoolRecoveryPeriod` per block. Must be `> 0`. (A `uint64` on-chain that
    /// `ReplenishPools` converts to `int64`; `i64` here.)
    pub pool_recovery_period: i64,
    /// `MinStabilitySpread`: the floor of the spread on Terra⇄LUNA swaps, in `[0, 1]`
    /// (0.005 = 0.5 %; 1 disables swaps, see [`Market::activate_swap_disable_fork`]).
    pub min_stability_spread: Dec,
    /// Tobin tax per Terra denom (oracle `Whitelist[].TobinTax`, in `[0, 1]`), the
    /// spread of Terra⇄Terra swaps: the larger of the offer's and the ask's. Not used
    /// for swaps with LUNA.
    pub tobin_tax: BTreeMap<Denom, Dec>,
}

/// The oracle module's default whitelist Tobin taxes (`x/oracle/types/params.go`
/// `DefaultWhitelist`): 0.25 % for `ukrw`, `usdr`, `uusd`; 8 × 0.25 % = 2 % for `umnt`.
fn default_tobin_taxes() -> BTreeMap<Denom, Dec> {
    let quarter_pct = Dec::from_atto_i128(2_500_000_000_000_000); // 0.0025
    let mnt = Dec::from_atto_i128(20_000_000_000_000_000); // 0.02
    BTreeMap::from([
        (Denom::Ukrw, quarter_pct),
        (Denom::Usdr, quarter_pct),
        (Denom::Uusd, quarter_pct),
        (Denom::Umnt, mnt),
    ])
}

/// `n` SDR in `usdr` micro-units as a `Dec`.
fn sdr(n: i128) -> Dec {
    Dec::from_int(n * MICRO_UNIT as i128)
}

impl MarketParams {
    /// `DefaultParams()` (`x/market/types/params.go`): `BasePool` = 1 M SDR (1e12
    /// `usdr`), `PoolRecoveryPeriod` = 14,400 blocks (`core.BlocksPerDay`),
    /// `MinStabilitySpread` = 2 %; with the oracle's default Tobin taxes. The setting
    /// of the Go unit tests.
    pub fn code_default() -> MarketParams {
        MarketParams {
            base_pool: sdr(1_000_000),
            pool_recovery_period: 14_400,
            min_stability_spread: Dec::from_atto_i128(20_000_000_000_000_000),
            tobin_tax: default_tobin_taxes(),
        }
    }

    /// Columbus-5 mainnet in early May 2022: `BasePool` = 50 M SDR,
    /// `PoolRecoveryPeriod` = 36 blocks (Terra governance forum posts
    /// `classic-agora.terra.money/t/…/6837` and `…/6297`), `MinStabilitySpread` = 0.5 %
    /// (lowered by governance in 2020, `agora.terra.money/t/…/261`; not verified
    /// on-chain for May 2022). The Tobin taxes are the code defaults (assumption: the
    /// May 2022 on-chain whitelist is not verified; they only matter for Terra⇄Terra).
    pub fn columbus5_may_2022() -> MarketParams {
        MarketParams {
            base_pool: sdr(50_000_000),
            pool_recovery_period: 36,
            min_stability_spread: Dec::from_atto_i128(5_000_000_000_000_000),
            tobin_tax: default_tobin_taxes(),
        }
    }

    /// `Params.Validate` (market) and the oracle whitelist's Tobin-tax check.
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] for a negative `base_pool`, a non-positive
    /// `pool_recovery_period`, a `min_stability_spread` outside `[0, 1]`, or a Tobin
    /// tax outside `[0, 1]` or set for `uluna`.
    pub fn validate(&self) -> Result<(), TerraError> {
        if self.base_pool.is_negative() {
            return Err(TerraError::InvalidParams(
                "mint base pool should be positive or zero",
            ));
        }
        if self.pool_recovery_period <= 0 {
            return Err(TerraError::InvalidParams(
                "pool recovery period should be positive",
            ));
        }
        if self.min_stability_spread.is_negative() || self.min_stability_spread > Dec::ONE {
            return Err(TerraError::InvalidParams(
                "market minimum stability spread should be a value between [0,1]",
            ));
        }
        for (denom, tax) in &self.tobin_tax {
            if denom.is_luna() {
                return Err(TerraError::InvalidParams(
                    "tobin tax applies to Terra denoms only",
                ));
            }
            if tax.is_negative() || *tax > Dec::ONE {
                return Err(TerraError::InvalidParams(
                    "Whitelist Denom must have TobinTax between [0, 1]",
                ));
            }
        }
        Ok(())
    }
}

/// The intermediate values of `ComputeSwap` (the spread comes from them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapQuote {
    /// The offer valued in `usdr` micro-units at oracle prices
    /// (`ComputeInternalSwap(offer → usdr)`).
    pub base_offer: Dec,
    /// The oracle-price return in ask micro-units, before the spread
    /// (`ComputeInternalSwap(baseOffer → ask)`).
    pub ret: Dec,
    /// The constant-product return in `usdr` micro-units,
    /// `askPool − cp/(offerPool + baseOffer)`; `None` for Terra⇄Terra swaps.
    pub ask_base: Option<Dec>,
    /// The spread charged, a fraction of `ret`: `max((baseOffer − askBase)/baseOffer,
    /// MinStabilitySpread)` for swaps with LUNA, the larger Tobin tax for Terra⇄Terra.
    pub spread: Dec,
}

/// What one successful swap did (`handleSwapRequest`). Amounts in micro-units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapOutcome {
    /// The offered denom.
    pub offer_denom: Denom,
    /// The offered amount, burned from supply.
    pub offer_burned: u128,
    /// The asked denom (minted).
    pub ask_denom: Denom,
    /// The oracle-price return before the spread, ask micro-units.
    pub ret: Dec,
    /// The spread charged (fraction of `ret`).
    pub spread: Dec,
    /// `fee = spread · ret` (0 if the spread is not positive), ask micro-units.
    pub fee: Dec,
    /// `out = ret − fee`, ask micro-units.
    pub out: Dec,
    /// `trunc(out)`: minted and sent to the trader (`swapCoin`).
    pub swap_coin: u128,
    /// `trunc(fee + (out − trunc(out)))`: minted and sent to the oracle module account
    /// (the oracle reward pool), not burned (`feeCoin`).
    pub fee_coin: u128,
    /// `swap_coin + fee_coin`: the ask-denom supply minted. The fractional part of
    /// `fee + (out − trunc(out))` is never minted.
    pub minted: u128,
    /// The change of `TerraPoolDelta`, `usdr` micro-units (`+base(offer)` for
    /// Terra→LUNA, `−base(out)` for LUNA→Terra, 0 for Terra⇄Terra).
    pub pool_delta_change: Dec,
}

/// Running supply changes made by [`Market::swap`], integer micro-units. With them a
/// caller can make the LUNA supply endogenous: `supply = initial + luna_minted −
/// luna_burned`.
///
/// The Terra totals add up the micro-units of every Terra denom swapped (they are UST
/// totals when `uusd` is the only Terra denom used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MintBurnTotals {
    /// `uluna` minted (LUNA asked; includes the fee to the oracle pool).
    pub luna_minted: u128,
    /// `uluna` burned (LUNA offered).
    pub luna_burned: u128,
    /// Terra micro-units minted (Terra asked; includes the fee to the oracle pool).
    pub terra_minted: u128,
    /// Terra micro-units burned (Terra offered).
    pub terra_burned: u128,
    /// Part of `luna_minted` sent to the oracle module account (reward pool).
    pub luna_to_oracle_pool: u128,
    /// Part of `terra_minted` sent to the oracle module account (reward pool).
    pub terra_to_oracle_pool: u128,
}

fn add_u128(a: u128, b: u128) -> Result<u128, TerraError> {
    a.checked_add(b).ok_or(TerraError::Math(DecError::Overflow))
}

/// The market module's state: its parameters, `TerraPoolDelta`, whether the v0.5.20
/// zero-swap-coin rule is active, and the supply totals.
///
/// The virtual pools are `TerraPool = BasePool + TerraPoolDelta` and `LunaPool =
/// BasePool² / TerraPool` (both `usdr` micro-units); Terra→LUNA swaps raise the delta,
/// LUNA→Terra swaps lower it, and [`Market::replenish_pools`] pulls it back to 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    params: MarketParams,
    terra_pool_delta: Dec,
    zero_swap_coin_check: bool,
    totals: MintBurnTotals,
}

impl Market {
    /// A market at equilibrium (`TerraPoolDelta = 0`), v0.5.18 rules.
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] if `params` do not validate.
    pub fn new(params: MarketParams) -> Result<Market, TerraError> {
        params.validate()?;
        Ok(Market {
            params,
            terra_pool_delta: Dec::ZERO,
            zero_swap_coin_check: false,
            totals: MintBurnTotals::default(),
        })
    }

    /// The parameters in force.
    pub fn params(&self) -> &MarketParams {
        &self.params
    }

    /// `GetTerraPoolDelta`: `TerraPool − BasePool`, `usdr` micro-units.
    pub fn terra_pool_delta(&self) -> Dec {
        self.terra_pool_delta
    }

    /// `SetTerraPoolDelta` (genesis / scenario start state).
    pub fn set_terra_pool_delta(&mut self, delta: Dec) {
        self.terra_pool_delta = delta;
    }

    /// The supply totals of all swaps so far.
    pub fn totals(&self) -> &MintBurnTotals {
        &self.totals
    }

    /// Whether the v0.5.20 `ErrZeroSwapCoin` rule is active.
    pub fn zero_swap_coin_check(&self) -> bool {
        self.zero_swap_coin_check
    }

    /// `TerraPool = BasePool + TerraPoolDelta`, `usdr` micro-units.
    ///
    /// # Errors
    /// [`DecError::Overflow`].
    pub fn terra_pool(&self) -> Result<Dec, TerraError> {
        Ok(self.params.base_pool.checked_add(self.terra_pool_delta)?)
    }

    /// `LunaPool = BasePool² / TerraPool`, `usdr` micro-units (as `ComputeSwap`).
    ///
    /// # Errors
    /// [`DecError::DivisionByZero`] when `TerraPool = 0`; [`DecError::Overflow`].
    pub fn luna_pool(&self) -> Result<Dec, TerraError> {
        let bp = self.params.base_pool;
        Ok(bp.checked_mul(bp)?.checked_quo(self.terra_pool()?)?)
    }

    /// `ComputeSwap(offerCoin, askDenom)` with its intermediate values. `offer_amount`
    /// in offer micro-units.
    ///
    /// # Errors
    /// [`TerraError::RecursiveSwap`] if the denoms are equal;
    /// [`TerraError::NoEffectivePrice`], [`TerraError::InvalidCoins`] from
    /// [`compute_internal_swap`]; [`TerraError::NoTobinTax`] (Terra⇄Terra);
    /// a [`DecError`] for an empty or negative-total pool (an SDK panic).
    pub fn quote(
        &self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        rates: &OracleRates,
    ) -> Result<SwapQuote, TerraError> {
        if offer_denom == ask_denom {
            return Err(TerraError::RecursiveSwap(ask_denom));
        }
        let base_offer = compute_internal_swap(
            offer_denom,
            Dec::from_u128(offer_amount),
            Denom::Usdr,
            rates,
        )?;
        let ret = compute_internal_swap(Denom::Usdr, base_offer, ask_denom, rates)?;

        if !offer_denom.is_luna() && !ask_denom.is_luna() {
            let tobin = |d: Denom| {
                self.params
                    .tobin_tax
                    .get(&d)
                    .copied()
                    .ok_or(TerraError::NoTobinTax(d))
            };
            let offer_tax = tobin(offer_denom)?;
            let ask_tax = tobin(ask_denom)?;
            let spread = if ask_tax > offer_tax {
                ask_tax
            } else {
                offer_tax
            };
            return Ok(SwapQuote {
                base_offer,
                ret,
                ask_base: None,
                spread,
            });
        }

        let bp = self.params.base_pool;
        let cp = bp.checked_mul(bp)?;
        let terra_pool = bp.checked_add(self.terra_pool_delta)?;
        let luna_pool = cp.checked_quo(terra_pool)?;
        let (offer_pool, ask_pool) = if offer_denom.is_luna() {
            (luna_pool, terra_pool)
        } else {
            (terra_pool, luna_pool)
        };
        let ask_base =
            ask_pool.checked_sub(cp.checked_quo(offer_pool.checked_add(base_offer)?)?)?;
        let mut spread = base_offer.checked_sub(ask_base)?.checked_quo(base_offer)?;
        if spread < self.params.min_stability_spread {
            spread = self.params.min_stability_spread;
        }
        Ok(SwapQuote {
            base_offer,
            ret,
            ask_base: Some(ask_base),
            spread,
        })
    }

    /// `ComputeSwap(offerCoin, askDenom)`: `(ret, spread)`, with `ret` the oracle-price
    /// return in ask micro-units and `spread` the fraction of it charged.
    ///
    /// # Errors
    /// As [`Market::quote`].
    pub fn compute_swap(
        &self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        rates: &OracleRates,
    ) -> Result<(Dec, Dec), TerraError> {
        let q = self.quote(offer_denom, offer_amount, ask_denom, rates)?;
        Ok((q.ret, q.spread))
    }

    /// `simulateSwap` (the `swap` query): the amount the trader would receive,
    /// `trunc(ret − spread·ret)`, ask micro-units. Reads no state it could change.
    ///
    /// # Errors
    /// [`TerraError::RecursiveSwap`]; [`TerraError::InvalidCoins`] for an offer above
    /// 100 bits; the errors of [`Market::quote`]; [`TerraError::NegativeCoin`] if the
    /// spread exceeds 1.
    pub fn simulate_swap(
        &self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        rates: &OracleRates,
    ) -> Result<u128, TerraError> {
        if offer_denom == ask_denom {
            return Err(TerraError::RecursiveSwap(ask_denom));
        }
        if bit_len(offer_amount) > MAX_OFFER_BITS {
            return Err(TerraError::InvalidCoins("offer amount above 100 bits"));
        }
        let (ret, spread) = self.compute_swap(offer_denom, offer_amount, ask_denom, rates)?;
        let mut out = ret;
        if spread.is_positive() {
            let fee = spread.checked_mul(ret)?;
            if fee.is_positive() {
                out = out.checked_sub(fee)?;
            }
        }
        if out.is_negative() {
            return Err(TerraError::NegativeCoin);
        }
        Ok(out.truncate_u128()?)
    }

    /// The `TerraPoolDelta` that `ApplySwapToPool` would write.
    fn delta_after_swap(
        &self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        ask_amount: Dec,
        rates: &OracleRates,
    ) -> Result<Dec, TerraError> {
        match (offer_denom.is_luna(), ask_denom.is_luna()) {
            (false, true) => {
                let base = compute_internal_swap(
                    offer_denom,
                    Dec::from_u128(offer_amount),
                    Denom::Usdr,
                    rates,
                )?;
                Ok(self.terra_pool_delta.checked_add(base)?)
            }
            (true, false) => {
                let base = compute_internal_swap(ask_denom, ask_amount, Denom::Usdr, rates)?;
                Ok(self.terra_pool_delta.checked_sub(base)?)
            }
            _ => Ok(self.terra_pool_delta),
        }
    }

    /// `ApplySwapToPool(offerCoin, askCoin)`: Terra→LUNA adds the offer's `usdr` value
    /// to `TerraPoolDelta`; LUNA→Terra subtracts the `usdr` value of `ask_amount` (the
    /// return after the spread, ask micro-units); Terra⇄Terra leaves it.
    ///
    /// # Errors
    /// The errors of [`compute_internal_swap`] (e.g. [`TerraError::InvalidCoins`] for a
    /// zero `ask_amount` in a non-`usdr` denom); the delta is then unchanged.
    pub fn apply_swap_to_pool(
        &mut self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        ask_amount: Dec,
        rates: &OracleRates,
    ) -> Result<(), TerraError> {
        self.terra_pool_delta =
            self.delta_after_swap(offer_denom, offer_amount, ask_denom, ask_amount, rates)?;
        Ok(())
    }

    /// `MsgSwap` (`ValidateBasic` then `handleSwapRequest`): swaps `offer_amount`
    /// micro-units of `offer_denom` for `ask_denom` at oracle prices less the spread.
    ///
    /// `fee = spread·ret` (if the spread is positive), `out = ret − fee`;
    /// `ApplySwapToPool`; the offer is burned; `trunc(out)` is minted to the trader and
    /// `trunc(fee + (out − trunc(out)))` to the oracle module account (reward pool).
    /// Updates [`Market::totals`]. Bank balances are not modelled: the caller checks
    /// that the trader holds the offer.
    ///
    /// # Errors
    /// [`TerraError::InvalidCoins`] for a zero offer or one above 100 bits;
    /// [`TerraError::RecursiveSwap`]; the errors of [`Market::quote`] and
    /// [`Market::apply_swap_to_pool`]; [`TerraError::NegativeCoin`];
    /// [`TerraError::ZeroSwapCoin`] when the v0.5.20 rule is active and the trader
    /// would get 0. On error nothing changes.
    pub fn swap(
        &mut self,
        offer_denom: Denom,
        offer_amount: u128,
        ask_denom: Denom,
        rates: &OracleRates,
    ) -> Result<SwapOutcome, TerraError> {
        if offer_amount == 0 || bit_len(offer_amount) > MAX_OFFER_BITS {
            return Err(TerraError::InvalidCoins(
                "offer amount must be positive and at most 100 bits",
            ));
        }
        if offer_denom == ask_denom {
            return Err(TerraError::RecursiveSwap(ask_denom));
        }
        let SwapQuote { ret, spread, .. } =
            self.quote(offer_denom, offer_amount, ask_denom, rates)?;
        let fee = if spread.is_positive() {
            spread.checked_mul(ret)?
        } else {
            Dec::ZERO
        };
        let out = ret.checked_sub(fee)?;
        let new_delta = self.delta_after_swap(offer_denom, offer_amount, ask_denom, out, rates)?;

        // TruncateDecimal: sdk.NewCoin panics on a negative amount.
        if out.is_negative() {
            return Err(TerraError::NegativeCoin);
        }
        let swap_coin = out.truncate_u128()?;
        if self.zero_swap_coin_check && swap_coin == 0 {
            return Err(TerraError::ZeroSwapCoin);
        }
        let remainder = out.checked_sub(out.truncate_dec())?;
        let fee_coin = fee.checked_add(remainder)?.truncate_u128()?;
        let minted = add_u128(swap_coin, fee_coin)?;

        let mut totals = self.totals;
        if offer_denom.is_luna() {
            totals.luna_burned = add_u128(totals.luna_burned, offer_amount)?;
        } else {
            totals.terra_burned = add_u128(totals.terra_burned, offer_amount)?;
        }
        if ask_denom.is_luna() {
            totals.luna_minted = add_u128(totals.luna_minted, minted)?;
            totals.luna_to_oracle_pool = add_u128(totals.luna_to_oracle_pool, fee_coin)?;
        } else {
            totals.terra_minted = add_u128(totals.terra_minted, minted)?;
            totals.terra_to_oracle_pool = add_u128(totals.terra_to_oracle_pool, fee_coin)?;
        }
        let pool_delta_change = new_delta.checked_sub(self.terra_pool_delta)?;

        self.terra_pool_delta = new_delta;
        self.totals = totals;
        Ok(SwapOutcome {
            offer_denom,
            offer_burned: offer_amount,
            ask_denom,
            ret,
            spread,
            fee,
            out,
            swap_coin,
            fee_coin,
            minted,
            pool_delta_change,
        })
    }

    /// `ReplenishPools` (the market `EndBlocker`, once per block):
    /// `delta −= delta.QuoInt64(PoolRecoveryPeriod)`, a decay by `1/PRP` per block
    /// truncated toward zero at 1e-18 `usdr`.
    ///
    /// # Errors
    /// None in practice (the period is validated positive); a [`DecError`] would leave
    /// the delta unchanged.
    pub fn replenish_pools(&mut self) -> Result<(), TerraError> {
        let regression = self
            .terra_pool_delta
            .quo_int64(self.params.pool_recovery_period)?;
        self.terra_pool_delta = self.terra_pool_delta.checked_sub(regression)?;
        Ok(())
    }

    /// Replaces all parameters (a governance parameter-change proposal).
    /// `TerraPoolDelta` is kept.
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`]; nothing changes then.
    pub fn set_params(&mut self, params: MarketParams) -> Result<(), TerraError> {
        params.validate()?;
        self.params = params;
        Ok(())
    }

    fn update_params(&mut self, f: impl FnOnce(&mut MarketParams)) -> Result<(), TerraError> {
        let mut params = self.params.clone();
        f(&mut params);
        self.set_params(params)
    }

    /// Governance: `BasePool`, `usdr` micro-units (`Dec`).
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] if negative.
    pub fn set_base_pool(&mut self, base_pool: Dec) -> Result<(), TerraError> {
        self.update_params(|p| p.base_pool = base_pool)
    }

    /// Governance: `PoolRecoveryPeriod`, blocks.
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] if not positive.
    pub fn set_pool_recovery_period(&mut self, blocks: i64) -> Result<(), TerraError> {
        self.update_params(|p| p.pool_recovery_period = blocks)
    }

    /// Governance: `MinStabilitySpread` (fraction, in `[0, 1]`).
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] if outside `[0, 1]`.
    pub fn set_min_stability_spread(&mut self, spread: Dec) -> Result<(), TerraError> {
        self.update_params(|p| p.min_stability_spread = spread)
    }

    /// Governance (oracle whitelist): the Tobin tax of a Terra denom (fraction).
    ///
    /// # Errors
    /// [`TerraError::InvalidParams`] if outside `[0, 1]` or `denom` is `uluna`.
    pub fn set_tobin_tax(&mut self, denom: Denom, tax: Dec) -> Result<(), TerraError> {
        self.update_params(|p| {
            p.tobin_tax.insert(denom, tax);
        })
    }

    /// Terra Prop 1164 (~12 May 2022): `BasePool` 50 M → 100 M SDR,
    /// `PoolRecoveryPeriod` 36 → 18 blocks (`classic-agora.terra.money/t/…/6837`).
    /// `TerraPoolDelta` is kept.
    ///
    /// # Errors
    /// None in practice (the values are valid).
    pub fn apply_prop_1164(&mut self) -> Result<(), TerraError> {
        self.update_params(|p| {
            p.base_pool = sdr(100_000_000);
            p.pool_recovery_period = 18;
        })
    }

    /// The v0.5.20 swap-disable fork (columbus-5 height [`SWAP_DISABLE_FORK_HEIGHT`],
    /// 13 May 2022): `BeginBlocker` sets `MinStabilitySpread = 1` (100 %), and from then
    /// on `handleSwapRequest` fails with [`TerraError::ZeroSwapCoin`] when the trader
    /// would receive 0. Terra→LUNA and LUNA→`usdr` swaps then fail with
    /// `ZeroSwapCoin`; LUNA→`uusd` fails earlier, in `ApplySwapToPool`, with
    /// [`TerraError::InvalidCoins`] (its zero return has no `usdr` value); Terra⇄Terra
    /// swaps (Tobin tax only) still work.
    pub fn activate_swap_disable_fork(&mut self) {
        self.params.min_stability_spread = Dec::ONE;
        self.zero_swap_coin_check = true;
    }
}

fn bit_len(v: u128) -> u32 {
    u128::BITS - v.leading_zeros()
}
