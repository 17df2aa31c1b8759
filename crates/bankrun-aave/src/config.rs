//! Reserve configuration and the `PoolConfigurator` validation rules.

use crate::error::PoolError;
use crate::rate_strategy::validate_interest_rate_data;
use bankrun_math::U256;
use bankrun_math::percentage::percent_mul;

/// Maximum number of reserves (`ReserveConfiguration.MAX_RESERVES_COUNT`).
pub const MAX_RESERVES_COUNT: usize = 128;
/// Maximum supply/borrow cap in whole tokens (`MAX_VALID_SUPPLY_CAP`, 36 bits).
pub const MAX_VALID_CAP: u64 = 68_719_476_735;
/// Maximum liquidation grace period after unpausing, seconds
/// (`PoolConfigurator.MAX_GRACE_PERIOD = 4 hours`).
pub const MAX_GRACE_PERIOD: u64 = 4 * 3600;
/// 100 % in bps.
pub const BPS: u16 = 10_000;

/// Per-reserve parameters of `DefaultReserveInterestRateStrategyV2`, all in bps
/// (1e4 = 100 %). Mirrors `IDefaultInterestRateStrategyV2.InterestRateData`
/// (aave-v3-origin v3.6.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InterestRateData {
    /// Optimal usage ratio, bps, in `[100, 9900]`.
    pub optimal_usage_ratio: u16,
    /// Base variable borrow rate, bps (annual).
    pub base_variable_borrow_rate: u32,
    /// Slope below the optimal ratio, bps (annual).
    pub variable_rate_slope1: u32,
    /// Slope above the optimal ratio, bps (annual); must be ≥ slope1.
    pub variable_rate_slope2: u32,
}

/// Configuration of a reserve, as set through `PoolConfigurator` (aave-v3-origin
/// v3.6.0). Percentages are bps; caps are whole tokens (0 = no cap).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReserveConfig {
    /// Token symbol (informational).
    pub symbol: String,
    /// Token decimals (`assetUnit = 10**decimals`). Must be in `6..=77`.
    pub decimals: u8,
    /// Loan-to-value, bps. While the reserve is frozen this is the *effective* LTV
    /// (0); the configured value waits in `ReserveData::pending_ltv`.
    pub ltv: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u16,
    /// Liquidation bonus, bps (e.g. 10500 = 5 % bonus). Must be > 10000 when LT ≠ 0.
    pub liquidation_bonus: u16,
    /// Reserve factor, bps: share of borrow interest accrued to the treasury.
    pub reserve_factor: u16,
    /// Liquidation protocol fee, bps of the liquidation bonus, paid to the treasury.
    pub liquidation_protocol_fee: u16,
    /// Supply cap, whole tokens, 0 = none.
    pub supply_cap: u64,
    /// Borrow cap, whole tokens, 0 = none.
    pub borrow_cap: u64,
    /// Borrowing enabled outside e-mode.
    pub borrowing_enabled: bool,
    /// Frozen flag: no supply/borrow, LTV forced to 0 (v3.6 `setReserveFreeze`).
    pub frozen: bool,
    /// Paused flag: no user action at all.
    pub paused: bool,
    /// Interest-rate parameters (V2 strategy).
    pub rate: InterestRateData,
}

impl ReserveConfig {
    /// `10**decimals` as U256 (token unit, wei per whole token).
    #[inline]
    pub fn asset_unit(&self) -> U256 {
        // Every health-factor computation divides by it: u128's power (up to 10^38) is a few
        // multiplications, the U256 power a loop of wide ones (a fifth of an invariant check's
        // time in a profile).
        match 10u128.checked_pow(u32::from(self.decimals)) {
            Some(u) => U256::from(u),
            None => U256::from(10u8).pow(U256::from(self.decimals)),
        }
    }
}

/// The LTV / LT / bonus invariants of `PoolConfigurator.configureReserveAsCollateral`:
/// `ltv ≤ LT`; if `LT ≠ 0`: `bonus > 10000` and `percentMul(LT, bonus) ≤ 10000`;
/// if `LT == 0`: `bonus == 0` (the no-supplier requirement is checked by the pool).
///
/// Errors: [`PoolError::InvalidReserveParams`].
pub fn validate_collateral_params(ltv: u16, lt: u16, bonus: u16) -> Result<(), PoolError> {
    if ltv > lt {
        return Err(PoolError::InvalidReserveParams);
    }
    if lt != 0 {
        let lt_bonus = percent_mul(U256::from(lt), U256::from(bonus))?;
        if bonus <= BPS || lt_bonus > U256::from(BPS) {
            return Err(PoolError::InvalidReserveParams);
        }
    } else if bonus != 0 {
        return Err(PoolError::InvalidReserveParams);
    }
    Ok(())
}

/// Validates a full [`ReserveConfig`] for listing: decimals (`ConfiguratorLogic`
/// requires > 5; > 77 rejected because `10**decimals` overflows), collateral params,
/// reserve factor and protocol fee ≤ 10000 bps, caps ≤ 2^36 − 1, rate data.
///
/// Errors: [`PoolError::InvalidDecimals`], [`PoolError::InvalidReserveParams`],
/// [`PoolError::InvalidReserveFactor`], [`PoolError::InvalidLiquidationProtocolFee`],
/// [`PoolError::InvalidSupplyCap`], [`PoolError::InvalidBorrowCap`] and the rate errors
/// of [`validate_interest_rate_data`].
pub fn validate_reserve_config(cfg: &ReserveConfig) -> Result<(), PoolError> {
    if cfg.decimals <= 5 || cfg.decimals > 77 {
        return Err(PoolError::InvalidDecimals);
    }
    validate_collateral_params(cfg.ltv, cfg.liquidation_threshold, cfg.liquidation_bonus)?;
    if cfg.reserve_factor > BPS {
        return Err(PoolError::InvalidReserveFactor);
    }
    if cfg.liquidation_protocol_fee > BPS {
        return Err(PoolError::InvalidLiquidationProtocolFee);
    }
    if cfg.supply_cap > MAX_VALID_CAP {
        return Err(PoolError::InvalidSupplyCap);
    }
    if cfg.borrow_cap > MAX_VALID_CAP {
        return Err(PoolError::InvalidBorrowCap);
    }
    validate_interest_rate_data(&cfg.rate)
}

/// Aave protocol version whose semantics the pool reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProtocolVersion {
    /// `@aave/protocol-v2@1.0.1`, the Ethereum `LendingPool` (solc 0.6.12), as specified
    /// in protocol-math-aave-v2-uniswap-v3.md part A. Switches: prices in ETH wei per
    /// whole token (18-decimal base), v2 compounded interest (§A.4), `updateState` with
    /// immediate treasury minting (§A.5), the v2 rate strategy with a governance base
    /// stable rate (§A.6), stable-rate debt (§A.7), half-up scaled balances (§A.8),
    /// `balanceDecreaseAllowed` (§A.9), v2 validation and error codes (§A.10), the
    /// `LendingPoolCollateralManager` liquidation (§A.11), global pause (§A.12). No
    /// caps (ignored), no e-mode, no per-reserve pause, no deficit. See [`crate::v2`].
    V2,
    /// aave-v3-core v1.19.3 = Aave v3.0.2 (the conformance reference for v3.0). Switches:
    /// V1 rate strategy (immutable parameters, stable-rate outputs), liquidity = the
    /// aToken's underlying balance (kept in `virtual_underlying_balance`, no donations
    /// modelled), v3.0 compounded-interest formula, half-up scaled-balance rounding,
    /// 50 % / 100 % close factor at HF 0.95, no deficit, `percentDiv` in liquidation,
    /// pre-borrow validation, freeze without LTV change, e-mode by reserve category
    /// (stored as identical collateral / borrowable bitmaps, no price source).
    V3_0,
    /// aave-v3-origin v3.6.0 (Ethereum Core, 2026).
    #[default]
    V3_6,
}

impl ProtocolVersion {
    /// The `calculateCompoundedInterest` formula of this version.
    #[inline]
    pub fn interest_formula(self) -> bankrun_math::InterestFormula {
        match self {
            ProtocolVersion::V2 => bankrun_math::InterestFormula::V2,
            ProtocolVersion::V3_0 => bankrun_math::InterestFormula::V3_0,
            ProtocolVersion::V3_6 => bankrun_math::InterestFormula::V3_4,
        }
    }

    /// The scaled-balance rounding family (half-up for v2 and v3.0, v3.5+ `TokenMath` for
    /// v3.6).
    #[inline]
    pub fn token_rounding(self) -> bankrun_math::TokenRounding {
        match self {
            ProtocolVersion::V2 | ProtocolVersion::V3_0 => bankrun_math::TokenRounding::HalfUp,
            ProtocolVersion::V3_6 => bankrun_math::TokenRounding::Directional,
        }
    }

    /// True for the v3.0 semantics.
    #[inline]
    pub fn is_v3_0(self) -> bool {
        self == ProtocolVersion::V3_0
    }

    /// True for the Aave v2 semantics.
    #[inline]
    pub fn is_v2(self) -> bool {
        self == ProtocolVersion::V2
    }
}

/// The stable-rate immutables of the v3.0 `DefaultReserveInterestRateStrategy`, in bps
/// (annual rates; ratios of 1e4 = 100 %). Ignored by v3.6 pools. The variable part of
/// the v3.0 strategy is taken from [`ReserveConfig::rate`] (converted bps → RAY).
///
/// A v2 pool reads only `stable_rate_slope1` and `stable_rate_slope2` (its base stable
/// rate comes from [`crate::Pool::set_market_borrow_rate`]; protocol-math-aave-v2-uniswap-v3.md
/// §A.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StableRateParams {
    /// `_stableRateSlope1`, bps.
    pub stable_rate_slope1: u32,
    /// `_stableRateSlope2`, bps.
    pub stable_rate_slope2: u32,
    /// `_baseStableRateOffset`, bps.
    pub base_stable_rate_offset: u32,
    /// `_stableRateExcessOffset`, bps.
    pub stable_rate_excess_offset: u32,
    /// `OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO`, bps.
    pub optimal_stable_to_total_debt_ratio: u32,
}
