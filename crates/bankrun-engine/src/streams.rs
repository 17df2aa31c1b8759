//! The population's random streams, one per purpose, each a named stream of
//! [`bankrun_chain::rng`] (so adding a stream never shifts another). The world draws the
//! mempool's tie-breaks (`mempool.ties`) and the gas market's draws (`gas`) from its own.

use bankrun_chain::rng::stream;
use rand_chacha::ChaCha8Rng;

/// The streams the engine uses, one per purpose.
pub struct Streams {
    /// Depositor stakes and private traits at setup.
    pub depositor_setup: ChaCha8Rng,
    /// Borrower book positions at setup.
    pub borrower_setup: ChaCha8Rng,
    /// Depositor decisions, attention and latency during the run.
    pub depositors: ChaCha8Rng,
    /// Borrower decisions and attention during the run.
    pub borrowers: ChaCha8Rng,
    /// Liquidator latency.
    pub liquidators: ChaCha8Rng,
    /// Priority-fee noise.
    pub mempool: ChaCha8Rng,
    /// Mempool tie-breaks (the block builder's draw).
    pub ties: ChaCha8Rng,
    /// Polls of depositors waiting for liquidity (`crate::parked`).
    pub polls: ChaCha8Rng,
}

impl Streams {
    /// All streams for `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            depositor_setup: stream(seed, "depositors.setup"),
            borrower_setup: stream(seed, "borrowers.setup"),
            depositors: stream(seed, "depositors.run"),
            borrowers: stream(seed, "borrowers.run"),
            liquidators: stream(seed, "liquidators.run"),
            mempool: stream(seed, "mempool"),
            ties: stream(seed, "mempool.ties"),
            polls: stream(seed, "depositors.polls"),
        }
    }
}
