//! The Terra market module (`bankrun_terra::Market`, exact `sdk.Dec`) as a world protocol:
//! `MsgSwap` between UST and LUNA at the oracle's LUNA price less the spread of its virtual
//! constant-product pool, the EndBlocker's `ReplenishPools`, and governance changes of its
//! parameters ([`crate::call::TerraCall`]).
//!
//! A swap burns the offer from the sender's balance and mints the return: `trunc(out)` to the
//! sender, the fee and the truncated remainder to the oracle module account (the reward
//! pool), which is this protocol's ledger holder. Token supplies in the ledger therefore move
//! with the mint and the burn, as on chain. Reference/protocol-math.md §5.1.
//!
//! The oracle: a feed bound to this protocol's LUNA token posts LUNA's USD price; it is the
//! `uusd` rate (the market module takes UST as the dollar), and the `usdr` rate is that price
//! divided by the scenario's USD per SDR.

use bankrun_aave::U256;
use bankrun_chain::{Holder, TokenId};
use bankrun_terra::{Dec, Denom, Market, MarketParams, OracleRates};

use crate::call::{AgentId, Call, Effect, TerraCall};
use crate::error::WorldError;
use crate::protocol::{Candidate, Env, Protocol, ensure_balance, not_compound, sorted};

/// The market module between `ust` and `luna`.
#[derive(Debug, Clone)]
pub struct TerraMarket {
    name: String,
    market: Market,
    rates: OracleRates,
    ust: TokenId,
    luna: TokenId,
    /// USD per SDR, as a `Dec`.
    sdr_usd: Dec,
}

/// `x` (finite, ≥ 0) as a `Dec`, to 18 decimals (rounded down).
fn dec(x: f64) -> Dec {
    let atto = bankrun_chain::units::f64_to_fixed(x, 18);
    Dec::from_atto(false, atto)
}

impl TerraMarket {
    /// A market module with the May 2022 parameters (Tobin taxes, swap rules) and
    /// `base_pool_sdr` (SDR), `pool_recovery_period` (blocks) and `min_stability_spread`
    /// (fraction); `sdr_usd` is USD per SDR.
    ///
    /// # Errors
    /// [`WorldError::Reverted`] for invalid parameters.
    pub fn new(
        name: &str,
        (ust, luna): (TokenId, TokenId),
        sdr_usd: f64,
        base_pool_sdr: f64,
        pool_recovery_period: u64,
        min_stability_spread: f64,
    ) -> Result<Self, WorldError> {
        let revert = |e| WorldError::reverted(name, e);
        let mut params = MarketParams::columbus5_may_2022();
        params.base_pool = dec(base_pool_sdr * 1e6);
        params.pool_recovery_period = i64::try_from(pool_recovery_period)
            .map_err(|_| revert(bankrun_terra::TerraError::InvalidParams("recovery period")))?;
        params.min_stability_spread = dec(min_stability_spread);
        let market = Market::new(params).map_err(revert)?;
        Ok(TerraMarket {
            name: name.to_string(),
            market,
            rates: OracleRates::new(),
            ust,
            luna,
            sdr_usd: dec(sdr_usd),
        })
    }

    /// The market (read-only).
    pub fn market(&self) -> &Market {
        &self.market
    }

    fn denom(&self, token: TokenId) -> Result<Denom, WorldError> {
        if token == self.ust {
            Ok(Denom::Uusd)
        } else if token == self.luna {
            Ok(Denom::Uluna)
        } else {
            Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("token {token} is not UST or LUNA"),
            })
        }
    }

    fn revert(&self, e: impl std::fmt::Debug) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    /// What a swap of `amount` (micro-units) of `offer` for `ask` would pay the trader now
    /// (`simulateSwap`), micro-units.
    ///
    /// # Errors
    /// The market module's error (no oracle price yet, swaps disabled, …).
    pub fn quote_swap(
        &self,
        offer: TokenId,
        amount: U256,
        ask: TokenId,
    ) -> Result<U256, WorldError> {
        let (o, a) = (self.denom(offer)?, self.denom(ask)?);
        let amount = u128::try_from(amount).map_err(|_| self.revert("amount above u128"))?;
        let out = self
            .market
            .simulate_swap(o, amount, a, &self.rates)
            .map_err(|e| self.revert(e))?;
        Ok(U256::from(out))
    }

    /// `TerraPoolDelta`, SDR (display).
    pub fn pool_delta_sdr(&self) -> f64 {
        self.market.terra_pool_delta().to_f64() / 1e6
    }

    /// The spread a UST → LUNA swap of `sdr` SDR's worth would pay now (fraction; display).
    ///
    /// # Errors
    /// The market module's error (no oracle price yet).
    pub fn spread_of_sdr(&self, sdr: f64) -> Result<f64, WorldError> {
        let ust = (sdr * self.sdr_usd.to_f64() * 1e6) as u128;
        let q = self
            .market
            .quote(Denom::Uusd, ust.max(1), Denom::Uluna, &self.rates)
            .map_err(|e| self.revert(e))?;
        Ok(q.spread.to_f64())
    }

    /// UST burned by swaps so far, micro-units.
    pub fn ust_burned(&self) -> U256 {
        U256::from(self.market.totals().terra_burned)
    }

    /// LUNA minted by swaps so far (to traders and the reward pool), micro-units.
    pub fn luna_minted(&self) -> U256 {
        U256::from(self.market.totals().luna_minted)
    }

    fn swap(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        (token_in, token_out): (TokenId, TokenId),
        amount_in: U256,
        min_out: U256,
    ) -> Result<Effect, WorldError> {
        let (o, a) = (self.denom(token_in)?, self.denom(token_out)?);
        ensure_balance(env, token_in, sender, amount_in)?;
        let amount = u128::try_from(amount_in).map_err(|_| self.revert("amount above u128"))?;
        let mut next = self.market.clone();
        let outcome = next
            .swap(o, amount, a, &self.rates)
            .map_err(|e| self.revert(e))?;
        let out = U256::from(outcome.swap_coin);
        if out < min_out {
            return Err(self.revert("TooMuchSlippage"));
        }
        env.ledger
            .burn(token_in, Holder::Agent(sender), amount_in)?;
        env.ledger.mint(token_out, Holder::Agent(sender), out)?;
        env.ledger
            .mint(token_out, env.holder, U256::from(outcome.fee_coin))?;
        self.market = next;
        Ok(Effect {
            amount: out,
            ..Effect::default()
        })
    }

    fn govern(&mut self, change: TerraCall) -> Result<Effect, WorldError> {
        let r = match change {
            TerraCall::BasePool(sdr) => self.market.set_base_pool(dec(sdr as f64 * 1e6)),
            TerraCall::PoolRecoveryPeriod(blocks) => {
                let b = i64::try_from(blocks).unwrap_or(i64::MAX);
                self.market.set_pool_recovery_period(b)
            }
            TerraCall::MinSpread(ppm) if ppm >= 1_000_000 => {
                self.market.activate_swap_disable_fork();
                Ok(())
            }
            TerraCall::MinSpread(ppm) => self
                .market
                .set_min_stability_spread(dec(f64::from(ppm) / 1e6)),
        };
        r.map_err(|e| self.revert(e))?;
        Ok(Effect::default())
    }
}

impl Protocol for TerraMarket {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        sorted(&[self.ust, self.luna])
    }

    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError> {
        match *call {
            Call::SwapExactIn {
                token_in,
                token_out,
                amount_in,
                min_out,
            } => self.swap(env, sender, (token_in, token_out), amount_in, min_out),
            Call::Terra(change) => self.govern(change),
            Call::Compound(_) => Err(not_compound(&self.name)),
            _ => Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("a {} call on the market module", call.kind().name()),
            }),
        }
    }

    /// `answer`: LUNA's USD price with 8 decimals: the `uusd` rate, and `uusd / sdr_usd` as
    /// the `usdr` rate.
    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        if token != self.luna {
            return Err(self.revert(format!("no oracle rate for token {token}")));
        }
        let uusd = Dec::from_atto(false, U256::from(answer) * U256::from(10_000_000_000u64));
        let usdr = uusd.checked_quo(self.sdr_usd).map_err(|e| self.revert(e))?;
        self.rates.set(Denom::Uusd, uusd);
        self.rates.set(Denom::Usdr, usdr);
        Ok(())
    }

    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        Ok(Vec::new())
    }

    fn deposit_of(&self, _: AgentId, token: TokenId, _: u64) -> Result<U256, WorldError> {
        self.denom(token)?;
        Ok(U256::ZERO)
    }

    fn debt_of(&self, _: AgentId, token: TokenId, _: u64) -> Result<U256, WorldError> {
        self.denom(token)?;
        Ok(U256::ZERO)
    }

    /// `ReplenishPools`, the market EndBlocker, run at the top of the next block (nothing
    /// executes in between).
    fn begin_block(&mut self, _env: &mut Env<'_>) -> Result<(), WorldError> {
        // `replenish_pools` assigns only after both steps succeed: atomic in place.
        self.market.replenish_pools().map_err(|e| self.revert(e))
    }

    /// The reward pool holds exactly the fees and remainders the swaps minted to it.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let t = self.market.totals();
        for (token, minted) in [
            (self.ust, t.terra_to_oracle_pool),
            (self.luna, t.luna_to_oracle_pool),
        ] {
            let held = check.ledger.balance(token, check.holder);
            check.equal(
                &format!("market module reward pool of token {token}"),
                held,
                U256::from(minted),
            );
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
