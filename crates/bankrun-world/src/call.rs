//! Transactions of the world: a call on one protocol or venue, and what it returns.
//!
//! Every lending protocol answers the same five calls in its own terms (Aave `Pool.supply`,
//! Compound v2 `CToken.mint`, …), so an agent can act on any protocol without knowing which
//! contract stands behind it; every venue answers an exact-input swap. A call returns a
//! [`Receipt`] or a [`Revert`], each with the gas it used.

use bankrun_chain::TokenId;
use bankrun_compound::U256;

/// An agent, by index in the world's agent table; also its account id in every protocol.
pub type AgentId = u32;
/// A protocol, by index in the world's protocol table.
pub type ProtocolId = u32;
/// A venue, by index in the world's venue table.
pub type VenueId = u32;
/// An oracle feed, by index in the registry.
pub type FeedId = u32;

/// What a transaction calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A lending protocol.
    Protocol(ProtocolId),
    /// A trading venue.
    Venue(VenueId),
}

/// A call, with amounts in the token's smallest unit (wei for 18 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Deposit `amount` of `token` (Aave `supply`, Compound v2 `mint`).
    Supply {
        /// Token deposited.
        token: TokenId,
        /// Amount, token units.
        amount: U256,
    },
    /// Take back `amount` of `token` deposited (Aave `withdraw`, Compound v2
    /// `redeemUnderlying`); `U256::MAX` withdraws everything.
    Withdraw {
        /// Token withdrawn.
        token: TokenId,
        /// Amount, token units.
        amount: U256,
    },
    /// Borrow `amount` of `token` (Aave variable-rate `borrow`, Compound v2 `borrow`).
    Borrow {
        /// Token borrowed.
        token: TokenId,
        /// Amount, token units.
        amount: U256,
    },
    /// Repay up to `amount` of the sender's `token` debt (Aave `repay`, Compound v2
    /// `repayBorrow`).
    Repay {
        /// Token repaid.
        token: TokenId,
        /// Amount, token units (at most the debt is taken).
        amount: U256,
    },
    /// Repay `repay` of `borrower`'s `debt` and seize `collateral` (Aave `liquidationCall`
    /// with `receiveAToken = false`, Compound v2 `liquidateBorrow`).
    Liquidate {
        /// Account liquidated.
        borrower: AgentId,
        /// Debt token repaid.
        debt: TokenId,
        /// Collateral token seized.
        collateral: TokenId,
        /// Debt to cover, token units.
        repay: U256,
    },
    /// Sell exactly `amount_in` of `token_in` on a venue for at least `min_out` of `token_out` (Uniswap v2 router `swapExactTokensForTokens`, Curve `exchange`, a market sell).
    SwapExactIn {
        /// Token sold.
        token_in: TokenId,
        /// Token bought.
        token_out: TokenId,
        /// Amount sold, token units.
        amount_in: U256,
        /// Minimum accepted output, token units (slippage limit).
        min_out: U256,
    },
    /// Buy exactly `amount_out` of `token_out` on a venue for at most `max_in` of `token_in`
    /// (Uniswap v2 router `swapTokensForExactTokens`, a market buy of a fixed size).
    BuyExactOut {
        /// Token paid.
        token_in: TokenId,
        /// Token bought.
        token_out: TokenId,
        /// Amount bought, token units.
        amount_out: U256,
        /// Maximum accepted input, token units (slippage limit).
        max_in: U256,
    },
    /// A call of Maker's Liquidations 1.2 contracts (Cat, Flipper, Jug, the joins), which
    /// have no counterpart among the lending calls above.
    Maker(MakerCall),
    /// An Aave v3 call with no counterpart among the lending calls above: e-mode, a
    /// liquidation taking aTokens, a repayment on behalf of another account, the Umbrella's
    /// deficit cover, and the guardian's and governance's `PoolConfigurator` calls.
    Aave(AaveCall),
    /// A governance change of the Terra market module (`x/market` params by proposal).
    Terra(TerraCall),
    /// A Compound v2 pause-guardian or admin call (scripted governance, outside the gas race).
    Compound(CompoundCall),
    /// An issuer's governance ([`crate::protocols::Issuer`]): its exchange rate, a halt of
    /// redemptions, minting on or off (scripted, outside the gas race).
    Issuer(IssuerCall),
    /// Takes exactly `amount` of `token` out of a pool's liquidity, single-sided (Curve
    /// `remove_liquidity_imbalance` with only that coin), paid to the sender from the LP
    /// position the venue holds (the pool's seeded liquidity).
    RemoveLiquidity {
        /// Coin taken out.
        token: TokenId,
        /// Amount, token units.
        amount: U256,
    },
    /// Governance changes a venue's parameter (Maker's `file` on a PSM, `DssAutoLine.setIlk`).
    VenueFile(VenueParam),
}

/// A governance change of a venue's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenueParam {
    /// PSM `file("tin", wad)`: the fee on gem → DAI (wad; 1e16 = 1 %).
    PsmTin(U256),
    /// PSM `file("tout", wad)`: the fee on DAI → gem (wad).
    PsmTout(U256),
    /// `DssAutoLine.setIlk(ilk, line, gap, ttl)` for the PSM's ilk: the debt ceiling follows
    /// the debt plus `gap`, at most `line`, and rises at most once per `ttl` (dss-auto-line
    /// `exec`).
    AutoLine {
        /// Maximum ceiling, rad.
        line: U256,
        /// Gap above the debt, rad (the "daily mint limit" with a 24 h `ttl`).
        gap: U256,
        /// Seconds between increases.
        ttl: u64,
    },
}

/// Governance changes of the Terra market module's parameters (`x/market/types/params.go`;
/// reference/protocol-math.md §5.1, "Parameters").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerraCall {
    /// `BasePool`, whole SDR (Prop 1164: 50M → 100M).
    BasePool(u64),
    /// `PoolRecoveryPeriod`, blocks (Prop 1164: 36 → 18).
    PoolRecoveryPeriod(u64),
    /// `MinStabilitySpread`, parts per million (1,000,000 = 100 %: swaps disabled, classic-core
    /// v0.5.20, 13 May 2022).
    MinSpread(u32),
}

/// A Compound v2 `Comptroller` call of the pause guardian or the admin
/// (`compound-protocol@a3214f67:contracts/Comptroller.sol`, G7). The world does not model access
/// control: only scripted agents (guardian, governance) send them. Each names a market by the
/// world token of its underlying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompoundCall {
    /// `_setMintPaused(cToken, paused)`: the market of `token`; while paused, `mintAllowed`
    /// refuses every mint ("mint is paused").
    MintPaused {
        /// Underlying token of the market.
        token: TokenId,
        /// New `mintGuardianPaused[cToken]`.
        paused: bool,
    },
    /// `_setBorrowPaused(cToken, paused)`: while paused, `borrowAllowed` refuses every borrow.
    BorrowPaused {
        /// Underlying token of the market.
        token: TokenId,
        /// New `borrowGuardianPaused[cToken]`.
        paused: bool,
    },
    /// `_setCollateralFactor(cToken, newCollateralFactorMantissa)`: at most 0.9e18
    /// (`collateralFactorMaxMantissa`).
    CollateralFactor {
        /// Underlying token of the market.
        token: TokenId,
        /// New collateral factor, mantissa (1e18 = 100 %).
        mantissa: U256,
    },
    /// Compound III: `Comet.pause(supplyPaused, transferPaused, withdrawPaused, absorbPaused,
    /// buyPaused)` of the governor or the pause guardian (`comet@d5a30b0:contracts/Comet.sol`);
    /// transfers are not modelled (always unpaused).
    CometPause {
        /// `supplyPaused`.
        supply: bool,
        /// `withdrawPaused`.
        withdraw: bool,
        /// `absorbPaused`: no liquidation.
        absorb: bool,
        /// `buyPaused`: no collateral purchase.
        buy: bool,
    },
    /// Compound III: governance points the price feed of `token` at a constant (the
    /// configurator's `updateAssetPriceFeed` to a constant-price feed, then `deployAndUpgradeTo`,
    /// as Compound did for rsETH in April 2026): with `hold`, the market keeps the price last
    /// posted and ignores the feed's later answers; without, it reads the feed again.
    CometHoldPrice {
        /// The asset (base or collateral).
        token: TokenId,
        /// Hold the last price (`true`) or follow the feed again (`false`).
        hold: bool,
    },
}

/// A governance change of a token issuer's primary market ([`crate::protocols::Issuer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerCall {
    /// The exchange rate: backing per whole token, in whole backing tokens, wad (1e18 = par;
    /// below it, a haircut such as a socialised loss).
    Rate(U256),
    /// Halts (`true`) or resumes (`false`) redemption requests; the queue is still paid.
    Halt(bool),
    /// Turns minting on or off.
    Minting(bool),
}

/// A call on an Aave v3 pool (`Pool`, `PoolConfigurator`; aave-v3-origin v3.6.0). The world
/// does not model access control: only scripted agents (guardian, governance, Umbrella)
/// send the configurator calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AaveCall {
    /// `Pool.setUserEMode(categoryId)`.
    SetUserEMode {
        /// E-mode category (0 = none).
        category: u8,
    },
    /// `Pool.liquidationCall(collateral, debt, user, debtToCover, receiveAToken)`.
    LiquidationCall {
        /// Account liquidated.
        borrower: AgentId,
        /// Debt token repaid.
        debt: TokenId,
        /// Collateral token seized.
        collateral: TokenId,
        /// Debt to cover, token units.
        repay: U256,
        /// Take the collateral as aTokens (left in the pool) instead of the underlying.
        receive_a_token: bool,
    },
    /// `Pool.repay(asset, amount, 2, onBehalfOf)`: the sender pays `on_behalf`'s debt.
    RepayOnBehalf {
        /// Token repaid.
        token: TokenId,
        /// Amount, token units (at most the debt is taken).
        amount: U256,
        /// Account whose debt is repaid.
        on_behalf: AgentId,
    },
    /// `Pool.eliminateReserveDeficit(asset, amount)` (v3.3+, the Umbrella): burns the sender's
    /// aTokens to cover the reserve's deficit.
    EliminateDeficit {
        /// Reserve token.
        token: TokenId,
        /// Amount, token units (at most the deficit is covered).
        amount: U256,
    },
    /// A `PoolConfigurator` call.
    Configure {
        /// Reserve token.
        token: TokenId,
        /// What is set.
        change: AaveConfig,
    },
}

/// A reserve setting changed by the guardian or governance (`PoolConfigurator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AaveConfig {
    /// `setReserveFreeze`.
    Freeze(bool),
    /// `setReservePause(asset, paused, gracePeriod)`: grace period in seconds.
    Pause(bool, u64),
    /// `configureReserveAsCollateral` with a new LTV, bps.
    Ltv(u16),
    /// `setSupplyCap`, whole tokens (0 = none).
    SupplyCap(u64),
    /// `setBorrowCap`, whole tokens (0 = none).
    BorrowCap(u64),
    /// `setReserveInterestRateData`.
    RateData(bankrun_aave::InterestRateData),
}

/// A call on Maker's Liquidations 1.2 system (dss `cat.sol` 1.0.0, `flip.sol`, `jug.sol`,
/// `join.sol`; reference/protocol-math.md §4.1). Vat addresses: vaults by their own number,
/// world agents at [`MAKER_AGENT0`] + agent id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakerCall {
    /// `Cat.bite(ilk, urn)`: starts a Flipper auction of an unsafe vault.
    Bite {
        /// Vat address of the vault.
        urn: u32,
    },
    /// `Flipper.tend(id, lot, bid)`: a higher DAI bid for the whole lot (bid in rad).
    Tend {
        /// Auction id.
        id: u64,
        /// Lot, wad (must equal the auction's).
        lot: U256,
        /// Bid, rad.
        bid: U256,
    },
    /// `Flipper.dent(id, lot, bid)`: less collateral for the full tab (lot in wad).
    Dent {
        /// Auction id.
        id: u64,
        /// Lot, wad.
        lot: U256,
        /// Bid, rad (must equal the tab).
        bid: U256,
    },
    /// `Flipper.deal(id)`: settles a finished auction.
    Deal {
        /// Auction id.
        id: u64,
    },
    /// `Flipper.tick(id)`: restarts an expired auction nobody bid on.
    Tick {
        /// Auction id.
        id: u64,
    },
    /// `Jug.drip(ilk)`: accrues the stability fee into `rate`.
    Drip,
    /// A governance `file` (a spell).
    File(MakerParam),
    /// `GemJoin.exit(usr, wad)`: collateral from the sender's Vat `gem` to its wallet.
    ExitGem {
        /// Amount, wad.
        amount: U256,
    },
    /// `DaiJoin.join(usr, wad)`: ERC-20 DAI from the sender's wallet into its Vat `dai`;
    /// `U256::MAX` joins the whole wallet balance.
    JoinDai {
        /// Amount, wad.
        amount: U256,
    },
}

/// A parameter a Maker spell files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakerParam {
    /// `Flipper.file("ttl")`: bid duration, seconds.
    FlipTtl(u64),
    /// `Flipper.file("tau")`: auction duration, seconds.
    FlipTau(u64),
    /// `Cat.file(ilk, "lump")`: collateral per auction, wad.
    CatLump(U256),
    /// `Jug.file(ilk, "duty")` after a `drip`: per-second stability fee, ray.
    JugDuty(U256),
    /// `Vat.file(ilk, "line")`: debt ceiling, rad.
    VatLine(U256),
}

/// The Vat address of world agent 0 (agent `i` is at `MAKER_AGENT0 + i`), above every vault
/// and system address.
pub const MAKER_AGENT0: u32 = 2_000_000;

impl Call {
    /// The call's kind, for gas schedules and logs.
    pub fn kind(&self) -> CallKind {
        match self {
            Call::Supply { .. } => CallKind::Supply,
            Call::Withdraw { .. } => CallKind::Withdraw,
            Call::Borrow { .. } => CallKind::Borrow,
            Call::Repay { .. } => CallKind::Repay,
            Call::Liquidate { .. } => CallKind::Liquidate,
            Call::SwapExactIn { .. } | Call::BuyExactOut { .. } | Call::RemoveLiquidity { .. } => {
                CallKind::Swap
            }
            Call::Maker(_) => CallKind::Maker,
            Call::Aave(AaveCall::LiquidationCall { .. }) => CallKind::Liquidate,
            Call::Aave(AaveCall::RepayOnBehalf { .. }) => CallKind::Repay,
            Call::Aave(_)
            | Call::Terra(_)
            | Call::Compound(_)
            | Call::Issuer(_)
            | Call::VenueFile(_) => CallKind::Admin,
        }
    }
}

/// The kind of a [`Call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CallKind {
    /// [`Call::Supply`].
    Supply,
    /// [`Call::Withdraw`].
    Withdraw,
    /// [`Call::Borrow`].
    Borrow,
    /// [`Call::Repay`].
    Repay,
    /// [`Call::Liquidate`].
    Liquidate,
    /// [`Call::SwapExactIn`] and [`Call::BuyExactOut`].
    Swap,
    /// [`Call::Maker`] (its gas is the submission's own limit).
    Maker,
    /// An Aave e-mode, deficit or configurator call, a Terra or Compound governance call, a
    /// venue's `file` (scripted, outside the gas race).
    Admin,
}

impl CallKind {
    /// Lower-case name (`supply`, `withdraw`, …).
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Supply => "supply",
            CallKind::Withdraw => "withdraw",
            CallKind::Borrow => "borrow",
            CallKind::Repay => "repay",
            CallKind::Liquidate => "liquidate",
            CallKind::Swap => "swap",
            CallKind::Maker => "maker",
            CallKind::Admin => "admin",
        }
    }
}

/// What a successful call did, token units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    /// The amount the call moved: supplied, withdrawn, borrowed, repaid (for a liquidation,
    /// the debt repaid), or a swap's output.
    pub amount: U256,
    /// Collateral the liquidator received, as `(token, amount)`: the underlying for Aave; for
    /// Compound v2, the seized cTokens' underlying value, left in the protocol as the
    /// liquidator's deposit.
    pub seized: Option<(TokenId, U256)>,
    /// Deficit (bad debt) the call booked, debt-token units (Aave v3.3+ `_burnBadDebt`).
    pub deficit: U256,
    /// A liquidation's details, where the protocol reports them (Aave `liquidationCall`).
    pub liquidation: Option<LiquidationDetail>,
}

/// What an Aave `liquidationCall` did beyond the amounts of [`Effect`]
/// (`LiquidationLogic.executeLiquidationCall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationDetail {
    /// Collateral the liquidator received (aTokens or underlying), collateral-token units.
    pub collateral_to_liquidator: U256,
    /// Protocol fee to the treasury, collateral-token units.
    pub protocol_fee: U256,
    /// The borrower's health factor before, WAD.
    pub health_factor_before: U256,
    /// The liquidator took aTokens.
    pub received_a_token: bool,
}

/// A mined, successful call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Gas used.
    pub gas_used: u64,
    /// What it did.
    pub effect: Effect,
}

/// A mined call that reverted: state unchanged, gas paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revert {
    /// Gas used before the revert.
    pub gas_used: u64,
    /// The revert reason, named as the contract names it.
    pub reason: String,
}

/// Gas used per call kind, on success, and by any revert (assumption: typical Ethereum
/// mainnet gas of these calls, as the single-protocol scenarios' `[chain.gas]` tables use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasSchedule {
    /// Supply / mint.
    pub supply: u64,
    /// Withdraw / redeem.
    pub withdraw: u64,
    /// Borrow.
    pub borrow: u64,
    /// Repay.
    pub repay: u64,
    /// Liquidation.
    pub liquidate: u64,
    /// Swap.
    pub swap: u64,
    /// A reverted call.
    pub reverted: u64,
}

impl Default for GasSchedule {
    fn default() -> Self {
        GasSchedule {
            supply: 200_000,
            withdraw: 250_000,
            borrow: 300_000,
            repay: 200_000,
            liquidate: 450_000,
            swap: 120_000,
            reverted: 60_000,
        }
    }
}

impl GasSchedule {
    /// Gas of a successful `kind` call.
    pub fn of(&self, kind: CallKind) -> u64 {
        match kind {
            CallKind::Supply => self.supply,
            CallKind::Withdraw => self.withdraw,
            CallKind::Borrow => self.borrow,
            CallKind::Repay => self.repay,
            CallKind::Liquidate => self.liquidate,
            CallKind::Swap => self.swap,
            // No fixed table entry: Maker calls carry their scenario's gas limit.
            CallKind::Maker => self.liquidate,
            CallKind::Admin => self.supply,
        }
    }
}
