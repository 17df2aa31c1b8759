//! Terra Classic market module of May 2022: the on-chain UST ⇄ LUNA swap with its
//! virtual constant-product pool, the pool replenishment of the EndBlocker, the
//! governance parameters (Prop 1164) and the v0.5.20 swap halt; and the cosmos-sdk
//! `sdk.Dec` fixed point it computes with.
//!
//! Sources: `classic-terra/core` (formerly `terra-money/core`) at v0.5.18, the
//! release in force in early May 2022 (tree at `25d61133`, the parent of `1302858e`):
//! `x/market/keeper/swap.go` (`ComputeSwap`, `ComputeInternalSwap`, `ApplySwapToPool`,
//! `simulateSwap`), `keeper.go` (`ReplenishPools`), `msg_server.go`
//! (`handleSwapRequest`), `x/market/abci.go` (`EndBlocker`), `x/market/types/params.go`,
//! `x/market/types/msgs.go` (`ValidateBasic`), `x/oracle/keeper/keeper.go`
//! (`GetLunaExchangeRate`, `GetTobinTax`), `x/oracle/types/params.go` (default
//! whitelist); v0.5.20 commit `1302858e` ("make min spread to 100% to disable swap
//! (#760)", 13 May 2022): `app/app.go` (`BeginBlocker`), `types/fork/height.go`,
//! `msg_server.go` (`ErrZeroSwapCoin`). cosmos-sdk v0.44 `types/decimal.go`. Go code,
//! re-written from the rules, not copied.
//!
//! # Units
//! - coin amounts are integer micro-units: 1 LUNA = 1e6 `uluna`, 1 UST = 1e6 `uusd`,
//!   1 SDR = 1e6 `usdr` (`u128`);
//! - [`Dec`] values have 18 decimal places; pool sizes (`BasePool`, `TerraPoolDelta`)
//!   are `Dec` in `usdr` micro-units;
//! - oracle rates are `Dec` amounts of a denom's micro-units per micro-LUNA (equal to
//!   the denom per LUNA, e.g. 80 `uusd`/`uluna` when LUNA = 80 USD);
//! - time in blocks (about 6 s each in May 2022).
//!
//! Every failure is a [`TerraError`]; nothing panics; operations are atomic.

pub mod dec;
mod error;
pub mod market;

pub use alloy_primitives::{I256, U256};
pub use dec::{Dec, DecError};
pub use error::TerraError;
pub use market::{
    Denom, Market, MarketParams, MintBurnTotals, OracleRates, SwapOutcome, SwapQuote,
    compute_internal_swap,
};
