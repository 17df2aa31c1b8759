//! The depeg library: the mechanisms by which a pegged token loses its peg, as world pieces
//! that any scenario combines in one world (the same ledger, blocks, oracles and agents).
//! Each family lists its pieces; each piece's own docs give its source (contract and
//! function, paper, or event file) and its units.
//!
//! # Fiat-backed redemption with rails and delays
//! The issuer redeems at a rate (par, or a haircut) only while its rails are open, after a
//! settlement delay, within a capacity per day; authorised arbitrageurs close the discount
//! when the rails open (reference/behaviour.md §4.1, "Stablecoin primary-market arbitrage").
//! - [`Issuer`] with [`Rails::weekdays`] and closures, the backing an off-chain `USD` token;
//!   [`IssuerCall`] for a haircut or a halt;
//! - [`RedemptionArbitrageur`]: buys below the redemption price, redeems while the rails are
//!   open;
//! - [`PegHolders`]: holders who exit on the observed price and news (behaviour.md §1.3);
//! - venues where the discount forms: [`Curve`] (3pool, exact StableSwap), [`UniswapV2`],
//!   [`Cex`].
//!
//! Used by: the one-world scenario `usdc-redemption-weekend` and `tests/depeg_library.rs`;
//! `usdc-svb-2023-03` (`bankrun-spiral`) uses the holders and venues but models no primary
//! redemption (closed over its weekend; the Monday reopening is not modelled).
//!
//! # Crypto-backed CDPs with a peg stability module
//! Vaults mint the stablecoin against crypto collateral and are liquidated by auction; the
//! PSM swaps the stablecoin one-for-one with a fiat-backed gem, so the stablecoin follows the
//! gem's depeg (DAI after USDC, March 2023; reference/protocol-math.md §4).
//! - [`Maker`]: the Vat, `Cat`, `Flipper`, `Jug`, `Spotter` (Liquidations 1.2) with
//!   [`FlipKeeper`] bidders and [`MakerSpell`] governance;
//! - [`Psm`]: dss-psm `sellGem` / `buyGem` with `tin`/`tout` and its auto-line;
//! - [`PsmArbitrageur`]: the PSM ↔ pool arbitrage.
//!
//! Used by: `black-thursday-2020-03` (vaults, auctions) and `usdc-svb-2023-03` (PSM).
//!
//! # Seigniorage mint-burn
//! The stablecoin is redeemed by minting its volatile twin at the oracle price, through a
//! virtual constant-product pool whose spread widens with the flow (reference/protocol-math.md
//! §5.1; behaviour.md §5.2).
//! - [`TerraMarket`]: the market module (`MsgSwap`, `ReplenishPools`, governance);
//! - [`PegArbitrageur`]: burns the stablecoin for the twin below the peg and sells the twin;
//! - [`Anchor`]: the savings protocol whose depositors run.
//!
//! Used by: `terra-anchor-2022-05`.
//!
//! # LST / LRT exchange rates, with and without a redemption queue
//! A staking token is worth its exchange rate only through redemption; without it (stETH
//! before Shapella) its price is the market's, and a lender that prices it at the market
//! transmits the discount into liquidations (behaviour.md §2.2, loopers' exit congestion).
//! - [`Issuer`] with [`Rails::always`], the backing ETH, the rate ETH per token, `delay_s` the
//!   queue's wait; `redeem: false` for no redemption; [`IssuerCall::Rate`] for a socialised
//!   loss (rsETH, April 2026);
//! - [`Curve`] with `A_PRECISION` (the stETH/ETH pool), [`DipBuyer`] (patient capital with no
//!   redemption to close the trade), [`RedemptionArbitrageur`] (with one);
//! - lenders' oracles: market-priced (Aave v2, [`crate::protocols::AaveV3`] reading a venue
//!   feed) or exchange-rate priced (Aave's CAPO adapters in `bankrun-oracle`).
//!
//! Used by: `steth-2022-06` (no redemption: a Curve pool and Aave v2).

pub use crate::agents::{
    DipBuyer, FlipKeeper, MakerSpell, PegArbitrageur, PegHolders, PsmArbitrageur,
    RedemptionArbitrageur,
};
pub use crate::call::IssuerCall;
pub use crate::protocols::{Anchor, Issuer, IssuerSpec, Maker, Rails, TerraMarket};
pub use crate::venues::{Cex, Curve, Psm, UniswapV2};
