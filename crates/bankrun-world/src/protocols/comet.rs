//! Compound III (`bankrun_compound::comet_market::Comet`, one base asset and its collaterals)
//! as a world protocol.
//!
//! Calls map onto Comet's functions: supply → `supply` (base supplied first repays debt),
//! withdraw → `withdraw`, borrow → `withdraw` of base below zero, repay → `supply` of base up
//! to the debt, liquidate → `absorb([borrower])` then `buyCollateral(collateral, 0, repay)` in
//! one transaction, as liquidation bots send them; if the purchase fails (reserves at target:
//! `NotForSale`) the absorb stands alone and nothing is seized by the caller. Prices are the
//! 8-decimal USD answers posted by the world's feeds (Comet reads Chainlink feeds directly).

use bankrun_aave::U256;
use bankrun_chain::TokenId;
use bankrun_compound::CompoundError;
use bankrun_compound::comet_market::{
    Comet as CometState, CometAsset, CometPriceTable, CometPrices,
};

use crate::call::{AgentId, Call, CompoundCall, Effect};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, not_a_venue, not_aave, not_issuer, not_maker,
    not_terra, pull, push,
};
use bankrun_chain::units::u256_to_f64 as u256_f64;

/// A Comet market with the world tokens of its base (`base`) and collaterals (`collateral[i]`
/// is asset offset `i`).
#[derive(Debug, Clone)]
pub struct Comet {
    name: String,
    comet: CometState,
    base: TokenId,
    collateral: Vec<TokenId>,
    prices: CometPriceTable,
    /// Assets whose price governance holds constant (`CometHoldPrice`): posts are ignored.
    held: Vec<TokenId>,
}

impl Comet {
    /// Wraps `comet`; `collateral[i]` is the world token of asset offset `i`.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if the collateral count differs from the market's.
    pub fn new(
        name: &str,
        comet: CometState,
        base: TokenId,
        collateral: Vec<TokenId>,
    ) -> Result<Self, WorldError> {
        if collateral.len() != usize::from(comet.num_assets()) {
            return Err(WorldError::Unsupported {
                target: name.to_string(),
                what: format!(
                    "{} tokens for {} collateral assets",
                    collateral.len(),
                    comet.num_assets()
                ),
            });
        }
        let prices = CometPriceTable {
            base: U256::ZERO,
            collateral: vec![U256::ZERO; collateral.len()],
        };
        Ok(Comet {
            name: name.to_string(),
            comet,
            base,
            collateral,
            prices,
            held: Vec::new(),
        })
    }

    /// The market's 8-decimal USD price of `token` as it reads it now (held or posted).
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] for a token the market does not list.
    pub fn price(&self, token: TokenId) -> Result<U256, WorldError> {
        let asset = self.asset(token)?;
        self.prices.price(asset).map_err(|e| self.revert(e))
    }

    /// The world token of the base asset.
    pub fn base(&self) -> TokenId {
        self.base
    }

    /// The world tokens of the collateral assets, by offset.
    pub fn collateral(&self) -> &[TokenId] {
        &self.collateral
    }

    /// Governance calls of Compound III; Compound v2's are refused.
    fn admin(&mut self, call: CompoundCall) -> Result<Effect, WorldError> {
        match call {
            CompoundCall::CometPause {
                supply,
                withdraw,
                absorb,
                buy,
            } => self.comet.pause(supply, false, withdraw, absorb, buy),
            CompoundCall::CometHoldPrice { token, hold } => {
                self.asset(token)?;
                self.held.retain(|t| *t != token);
                if hold {
                    self.held.push(token);
                }
            }
            CompoundCall::MintPaused { .. }
            | CompoundCall::BorrowPaused { .. }
            | CompoundCall::CollateralFactor { .. } => {
                return Err(WorldError::Unsupported {
                    target: self.name.clone(),
                    what: "a Compound v2 Comptroller call on a Compound III market".into(),
                });
            }
        }
        Ok(Effect::default())
    }

    /// The market (read-only).
    pub fn market(&self) -> &CometState {
        &self.comet
    }

    fn asset(&self, token: TokenId) -> Result<CometAsset, WorldError> {
        if token == self.base {
            return Ok(CometAsset::Base);
        }
        self.collateral
            .iter()
            .position(|t| *t == token)
            .map(|i| CometAsset::Collateral(i as u8))
            .ok_or_else(|| WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("token {token} is not listed"),
            })
    }

    fn revert(&self, e: CompoundError) -> WorldError {
        WorldError::reverted(&self.name, e)
    }

    fn base_only(&self, token: TokenId, what: &str) -> Result<(), WorldError> {
        if token == self.base {
            Ok(())
        } else {
            Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: format!("{what} of token {token}: only the base asset"),
            })
        }
    }

    fn supply(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token: TokenId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let asset = self.asset(token)?;
        ensure_balance(env, token, sender, amount)?;
        let got = self
            .comet
            .supply(sender, asset, amount, env.now)
            .map_err(|e| self.revert(e))?;
        pull(env, token, sender, got)?;
        Ok(Effect {
            amount: got,
            ..Effect::default()
        })
    }

    fn withdraw(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        token: TokenId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let asset = self.asset(token)?;
        let got = self
            .comet
            .withdraw(sender, asset, amount, env.now, &self.prices)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        push(env, token, sender, got)?;
        Ok(Effect {
            amount: got,
            ..Effect::default()
        })
    }

    fn liquidate(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        borrower: AgentId,
        collateral: TokenId,
        repay: U256,
    ) -> Result<Effect, WorldError> {
        let CometAsset::Collateral(offset) = self.asset(collateral)? else {
            return Err(WorldError::Unsupported {
                target: self.name.clone(),
                what: "seizing the base asset".into(),
            });
        };
        ensure_balance(env, self.base, sender, repay)?;
        let absorbed = self
            .comet
            .absorb(sender, &[borrower], env.now, &self.prices)
            .map_err(|e| WorldError::reverted(&self.name, e))?;
        let debt = absorbed
            .iter()
            .map(|a| a.debt_absorbed)
            .fold(U256::ZERO, |a, b| a + b);
        let spend = self.purchase_size(offset, repay)?;
        let bought = self
            .comet
            .buy_collateral(offset, U256::ZERO, spend, env.now, &self.prices);
        let seized = match bought {
            Ok(amount) if !spend.is_zero() => {
                pull(env, self.base, sender, spend)?;
                push(env, collateral, sender, amount)?;
                Some((collateral, amount))
            }
            // Reserves at target or nothing to buy: the absorb stands, nothing is bought.
            _ => None,
        };
        Ok(Effect {
            amount: if seized.is_some() { spend } else { U256::ZERO },
            seized,
            deficit: debt,
            liquidation: None,
        })
    }
}

impl Comet {
    /// The base to spend on `buyCollateral`: `repay`, or less if the market's reserves of the
    /// collateral cannot fill it (`InsufficientReserves`), as a liquidation bot sizes it from
    /// `quoteCollateral`.
    fn purchase_size(&self, offset: u8, repay: U256) -> Result<U256, WorldError> {
        let held = self
            .comet
            .get_collateral_reserves(offset)
            .map_err(|e| self.revert(e))?;
        let quote = |b| {
            self.comet
                .quote_collateral(offset, b, &self.prices)
                .map_err(|e| self.revert(e))
        };
        let per_unit = quote(self.comet.base_scale)?;
        if per_unit.is_zero() {
            return Ok(U256::ZERO);
        }
        let mut spend = repay.min(held * self.comet.base_scale / per_unit);
        // Floor rounding of the probe can overshoot by a wei of collateral: step down.
        while !spend.is_zero() && quote(spend)? > held {
            spend -= (spend / U256::from(1000u64)).max(U256::from(1u8));
        }
        Ok(spend)
    }
}

impl Protocol for Comet {
    fn name(&self) -> &str {
        &self.name
    }

    fn tokens(&self) -> Vec<TokenId> {
        let mut t = self.collateral.clone();
        t.push(self.base);
        t.sort_unstable();
        t
    }

    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError> {
        match *call {
            Call::Supply { token, amount } => self.supply(env, sender, token, amount),
            Call::Withdraw { token, amount } => self.withdraw(env, sender, token, amount),
            Call::Borrow { token, amount } => {
                self.base_only(token, "borrowing")?;
                self.withdraw(env, sender, token, amount)
            }
            Call::Repay { token, amount } => {
                self.base_only(token, "repaying")?;
                let owed = self
                    .comet
                    .borrow_balance_of(sender, env.now)
                    .map_err(|e| self.revert(e))?;
                self.supply(env, sender, token, owed.min(amount))
            }
            Call::Liquidate {
                borrower,
                debt,
                collateral,
                repay,
            } => {
                self.base_only(debt, "repaying")?;
                self.liquidate(env, sender, borrower, collateral, repay)
            }
            Call::SwapExactIn { .. }
            | Call::BuyExactOut { .. }
            | Call::RemoveLiquidity { .. }
            | Call::VenueFile(_) => Err(not_a_venue(&self.name)),
            Call::Terra(_) => Err(not_terra(&self.name)),
            Call::Maker(_) => Err(not_maker(&self.name)),
            Call::Aave(_) => Err(not_aave(&self.name)),
            Call::Compound(c) => self.admin(c),
            Call::Issuer(_) => Err(not_issuer(&self.name)),
        }
    }

    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        let asset = self.asset(token)?;
        if self.held.contains(&token) {
            return Ok(());
        }
        match asset {
            CometAsset::Base => self.prices.base = U256::from(answer),
            CometAsset::Collateral(i) => {
                self.prices.collateral[usize::from(i)] = U256::from(answer)
            }
        }
        Ok(())
    }

    fn candidates(&self, now: u64) -> Result<Vec<Candidate>, WorldError> {
        let mut out = Vec::new();
        for (&account, state) in &self.comet.accounts {
            if state.principal >= 0
                || !self
                    .comet
                    .is_liquidatable(account, &self.prices)
                    .map_err(|e| self.revert(e))?
            {
                continue;
            }
            let owed = self
                .comet
                .borrow_balance_of(account, now)
                .map_err(|e| self.revert(e))?;
            let mut best: Option<(usize, f64)> = None;
            for i in 0..self.collateral.len() {
                let p = self
                    .prices
                    .price(CometAsset::Collateral(i as u8))
                    .map_err(|e| self.revert(e))?;
                let v = u256_f64(self.comet.collateral_balance_of(account, i as u8)) * u256_f64(p);
                if v > 0.0 && best.is_none_or(|(_, b)| v > b) {
                    best = Some((i, v));
                }
            }
            let Some((i, _)) = best else { continue };
            out.push(Candidate {
                borrower: account,
                debt: self.base,
                collateral: self.collateral[i],
                max_repay: owed,
                health: 0.0,
            });
        }
        Ok(out)
    }

    fn deposit_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        match self.asset(token)? {
            CometAsset::Base => self
                .comet
                .balance_of(agent, now)
                .map_err(|e| self.revert(e)),
            CometAsset::Collateral(i) => Ok(self.comet.collateral_balance_of(agent, i)),
        }
    }

    fn debt_of(&self, agent: AgentId, token: TokenId, now: u64) -> Result<U256, WorldError> {
        self.base_only(token, "debt")?;
        self.comet
            .borrow_balance_of(agent, now)
            .map_err(|e| self.revert(e))
    }

    /// The market's totals against its accounts and against the ledger:
    /// - Σ positive principals == `totalSupplyBase`, Σ −negative principals ==
    ///   `totalBorrowBase`;
    /// - per collateral asset, Σ account balances == `totalSupplyAsset`, each account's
    ///   `assetsIn` bit set exactly while its balance is non-zero, and the market's token
    ///   balance ≥ `totalSupplyAsset` (collateral reserves, what absorbs seized and
    ///   `buyCollateral` has not sold, are never negative);
    /// - the ledger balance of the protocol's holder equals what Comet thinks it holds
    ///   (`base_balance`, `collateral_balance[i]`: its `balanceOf(comet)`). Exact: the
    ///   wrapper pulls exactly what `supply` took, pushes exactly what `withdraw` sent and,
    ///   in a liquidation, pulls the base `buyCollateral` added and pushes the collateral it
    ///   sent out; `absorb` moves no token and `withdrawReserves` is not exposed;
    /// - `baseSupplyIndex` and `baseBorrowIndex` never fall (rates are never negative).
    ///
    /// Base reserves (`getReserves` = balance − supply + borrow at present value) may be
    /// negative after absorbs of bad debt, so their sign is not checked.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let c = &self.comet;
        let t = &c.totals;
        let n = self.collateral.len();
        let (mut supply, mut borrow) = (U256::ZERO, U256::ZERO);
        let mut collateral = vec![U256::ZERO; n];
        for (&account, a) in &c.accounts {
            let p = U256::from(a.principal.unsigned_abs());
            if a.principal >= 0 {
                supply += p;
            } else {
                borrow += p;
            }
            for (i, sum) in collateral.iter_mut().enumerate() {
                let held = a.collateral.get(i).copied().unwrap_or(U256::ZERO);
                *sum += held;
                let bit = a.assets_in & (1 << i) != 0;
                check.require(bit != held.is_zero(), || {
                    format!("comet account {account}: assetsIn bit {i} is {bit}, balance {held}")
                });
            }
        }
        check.equal(
            "comet Σ supply principal == totalSupplyBase",
            supply,
            t.total_supply_base,
        );
        check.equal(
            "comet Σ borrow principal == totalBorrowBase",
            borrow,
            t.total_borrow_base,
        );
        for (i, (sum, token)) in collateral.into_iter().zip(&self.collateral).enumerate() {
            let total = t.total_supply_asset.get(i).copied().unwrap_or(U256::ZERO);
            let balance = t.collateral_balance.get(i).copied().unwrap_or(U256::ZERO);
            check.equal(
                &format!("comet asset {i}: Σ account collateral == totalSupplyAsset"),
                sum,
                total,
            );
            check.require(balance >= total, || {
                format!("comet asset {i}: balance {balance} < totalSupplyAsset {total}")
            });
            check.equal(
                &format!("comet asset {i}: ledger (token {token}) == collateral balance"),
                check.ledger.balance(*token, check.holder),
                balance,
            );
        }
        check.equal(
            &format!("comet base: ledger (token {}) == base balance", self.base),
            check.ledger.balance(self.base, check.holder),
            t.base_balance,
        );
        check.never_falls("baseSupplyIndex".into(), t.base_supply_index);
        check.never_falls("baseBorrowIndex".into(), t.base_borrow_index);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariant::InvariantCheck;
    use bankrun_chain::{Holder, Ledger};
    use bankrun_compound::comet_market::{AssetConfig, CometConfiguration};

    const T0: u64 = 1_700_000_000;
    const USDC: TokenId = 0;
    const XYZ: TokenId = 1;
    const H: Holder = Holder::Protocol(0);

    fn e(x: u64, d: u32) -> U256 {
        U256::from(x) * U256::from(10u64).pow(U256::from(d))
    }

    fn comet() -> Comet {
        let pct = |x: u64| e(x, 16);
        let cfg = CometConfiguration {
            base_decimals: 6,
            supply_kink: pct(90),
            supply_per_year_interest_rate_slope_low: pct(3),
            supply_per_year_interest_rate_slope_high: pct(200),
            supply_per_year_interest_rate_base: U256::ZERO,
            borrow_kink: pct(90),
            borrow_per_year_interest_rate_slope_low: e(35, 15),
            borrow_per_year_interest_rate_slope_high: pct(250),
            borrow_per_year_interest_rate_base: e(15, 15),
            store_front_price_factor: pct(50),
            base_borrow_min: e(100, 6),
            target_reserves: e(1_000_000_000, 6),
            asset_configs: vec![AssetConfig {
                decimals: 18,
                borrow_collateral_factor: pct(65),
                liquidate_collateral_factor: pct(70),
                liquidation_factor: pct(93),
                supply_cap: e(1_000_000, 18),
            }],
        };
        Comet::new("comet", CometState::new(&cfg, T0).unwrap(), USDC, vec![XYZ]).unwrap()
    }

    /// A market priced at $1 per USDC and $100 per XYZ, and its ledger: agent 0, minted
    /// `usdc` USDC (whole tokens), supplies 100,000 of them; agent 1, minted 100 XYZ, supplies
    /// them and borrows `borrow` USDC (token units).
    fn opened(usdc: u64, borrow: U256) -> (Comet, Ledger) {
        let mut c = comet();
        c.post_price(USDC, 1_0000_0000, T0).unwrap();
        c.post_price(XYZ, 100_0000_0000, T0).unwrap();
        let mut ledger = Ledger::new();
        ledger.mint(USDC, Holder::Agent(0), e(usdc, 6)).unwrap();
        ledger.mint(XYZ, Holder::Agent(1), e(100, 18)).unwrap();
        let mut env = Env {
            now: T0,
            block: 0,
            ledger: &mut ledger,
            holder: H,
        };
        for (who, token, amount) in [(0, USDC, e(100_000, 6)), (1, XYZ, e(100, 18))] {
            c.execute(&mut env, who, &Call::Supply { token, amount })
                .unwrap();
        }
        let call = Call::Borrow {
            token: USDC,
            amount: borrow,
        };
        c.execute(&mut env, 1, &call).unwrap();
        (c, ledger)
    }

    #[test]
    fn totals_agree_with_accounts_and_ledger_and_a_corruption_is_reported() {
        let (c, mut ledger) = opened(100_000, e(5_000, 6));
        let check = |c: &Comet, l: &Ledger| {
            let mut k = InvariantCheck::new(T0, l, H);
            c.check_invariants(&mut k);
            k.finish()
        };
        let (bad, mono) = check(&c, &ledger);
        assert_eq!(bad, Vec::<String>::new());
        assert_eq!(mono.len(), 2);
        let held = ledger.balance(USDC, H);
        ledger.corrupt_balance(USDC, H, held + U256::from(1u8));
        let (bad, _) = check(&c, &ledger);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("comet base: ledger"), "{bad:?}");
    }

    #[test]
    fn a_compound_v2_guardian_call_is_unsupported() {
        let mut c = comet();
        let mut ledger = Ledger::new();
        let mut env = Env {
            now: T0,
            block: 0,
            ledger: &mut ledger,
            holder: H,
        };
        let call = Call::Compound(crate::call::CompoundCall::MintPaused {
            token: USDC,
            paused: true,
        });
        match c.execute(&mut env, 0, &call) {
            Err(WorldError::Unsupported { target, what }) => {
                assert_eq!(target, "comet");
                assert!(what.contains("Compound v2"), "{what}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Compound's April 2026 response: a held price ignores the feed's posts until released,
    /// and an absorb pause refuses liquidations that the posted price would allow.
    #[test]
    fn a_held_price_ignores_the_feed_and_an_absorb_pause_stops_liquidations() {
        let (mut c, mut ledger) = opened(200_000, e(6_000, 6));
        let mut env = Env {
            now: T0,
            block: 0,
            ledger: &mut ledger,
            holder: H,
        };
        let admin = |hold| Call::Compound(CompoundCall::CometHoldPrice { token: XYZ, hold });
        c.execute(&mut env, 9, &admin(true)).unwrap();
        c.post_price(XYZ, 50_0000_0000, T0).unwrap();
        assert_eq!(c.price(XYZ).unwrap(), U256::from(100_0000_0000u64));
        assert!(
            c.candidates(T0).unwrap().is_empty(),
            "held at $100: healthy"
        );
        c.execute(&mut env, 9, &admin(false)).unwrap();
        c.post_price(XYZ, 50_0000_0000, T0).unwrap();
        assert_eq!(c.price(XYZ).unwrap(), U256::from(50_0000_0000u64));
        assert_eq!(
            c.candidates(T0).unwrap().len(),
            1,
            "at $50 the loan is absorbable"
        );
        let pause = Call::Compound(CompoundCall::CometPause {
            supply: false,
            withdraw: false,
            absorb: true,
            buy: false,
        });
        c.execute(&mut env, 9, &pause).unwrap();
        let liquidate = Call::Liquidate {
            borrower: 1,
            debt: USDC,
            collateral: XYZ,
            repay: e(1_000, 6),
        };
        assert!(
            matches!(
                c.execute(&mut env, 0, &liquidate),
                Err(WorldError::Reverted { .. })
            ),
            "absorb paused"
        );
    }
}
