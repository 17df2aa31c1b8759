//! The Comptroller: markets, collateral factors, account liquidity and liquidation.
//!
//! Source: `compound-protocol@a3214f67:contracts/Comptroller.sol`
//! (`getHypotheticalAccountLiquidityInternal`, `mintAllowed`, `redeemAllowedInternal`,
//! `borrowAllowed`, `liquidateBorrowAllowed`, `liquidateCalculateSeizeTokens`,
//! `isDeprecated`, the admin's `_setCollateralFactor` and the pause guardian's
//! `_setMintPaused`/`_setBorrowPaused`) and `CToken.sol` (`*Internal`/`*Fresh` sequencing,
//! `liquidateBorrowFresh`). Each operation first accrues interest on the markets the
//! contract accrues, then runs the hooks; a revert undoes the accrual as well.
//!
//! Omitted: COMP distribution, pause guardians other than the mint and borrow pauses
//! (transfer, seize), access control of the admin and guardian functions (the caller is
//! trusted), `exitMarket`, `maxAssets`, transfers of cTokens.

use std::collections::BTreeMap;

use crate::exp::{EXP_SCALE, div_exp, mul_exp, mul_exp_add};
use crate::{AccountId, CToken, CompoundError, ComptrollerError, PriceOracle, U256};

/// Market id: index in listing order (a cToken address on-chain).
pub type MarketId = usize;

/// `collateralFactorMaxMantissa` = 0.9e18: the highest collateral factor
/// `_setCollateralFactor` accepts.
pub const COLLATERAL_FACTOR_MAX: U256 = U256::from_limbs([900_000_000_000_000_000, 0, 0, 0]);

/// A listed market and its Comptroller parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    /// The cToken.
    pub ctoken: CToken,
    /// `collateralFactorMantissa` (1e18, ≤ 0.9e18).
    pub collateral_factor: U256,
    /// `borrowCaps[cToken]` (underlying wei; 0 = unlimited).
    pub borrow_cap: U256,
    /// `borrowGuardianPaused[cToken]`.
    pub borrow_paused: bool,
    /// `mintGuardianPaused[cToken]`: `mintAllowed` refuses every mint while set.
    pub mint_paused: bool,
}

/// Result of [`Comptroller::liquidate_borrow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationOutcome {
    /// Underlying wei of the borrowed asset repaid by the liquidator.
    pub repaid: U256,
    /// cToken wei of the collateral seized from the borrower.
    pub seize_tokens: U256,
    /// cToken wei credited to the liquidator (`seize − protocol`).
    pub liquidator_tokens: U256,
    /// cToken wei burnt into reserves (2.8 %).
    pub protocol_tokens: U256,
}

/// The Comptroller with its markets and oracle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comptroller {
    /// Listed markets by id.
    pub markets: Vec<Market>,
    /// `accountAssets`: markets each account entered, in entry order.
    pub account_assets: BTreeMap<AccountId, Vec<MarketId>>,
    /// `closeFactorMantissa` (1e18, in [0.05e18, 0.9e18]).
    pub close_factor: U256,
    /// `liquidationIncentiveMantissa` (1e18, e.g. 1.08e18).
    pub liquidation_incentive: U256,
    /// The price oracle.
    pub oracle: PriceOracle,
}

type Res<T> = Result<T, CompoundError>;

fn reject(e: ComptrollerError) -> CompoundError {
    CompoundError::ComptrollerRejection(e)
}

impl Comptroller {
    /// A Comptroller with `close_factor` and `liquidation_incentive` (1e18 mantissas).
    pub fn new(close_factor: U256, liquidation_incentive: U256, oracle: PriceOracle) -> Self {
        Comptroller {
            markets: Vec::new(),
            account_assets: BTreeMap::new(),
            close_factor,
            liquidation_incentive,
            oracle,
        }
    }

    /// `_supportMarket` + `_setCollateralFactor`: lists `ctoken`; returns its id. The
    /// oracle must have a config at the same id.
    pub fn support_market(&mut self, ctoken: CToken, collateral_factor: U256) -> MarketId {
        self.markets.push(Market {
            ctoken,
            collateral_factor,
            borrow_cap: U256::ZERO,
            borrow_paused: false,
            mint_paused: false,
        });
        self.markets.len() - 1
    }

    fn market(&self, id: MarketId) -> Res<&Market> {
        self.markets.get(id).ok_or(CompoundError::UnknownMarket)
    }

    fn market_mut(&mut self, id: MarketId) -> Res<&mut Market> {
        self.markets.get_mut(id).ok_or(CompoundError::UnknownMarket)
    }

    /// Whether `account` entered market `id` (`accountMembership`).
    pub fn is_member(&self, account: AccountId, id: MarketId) -> bool {
        self.account_assets
            .get(&account)
            .is_some_and(|v| v.contains(&id))
    }

    /// `enterMarkets`: adds each listed market to the account's assets (idempotent).
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`].
    pub fn enter_markets(&mut self, account: AccountId, ids: &[MarketId]) -> Res<()> {
        for &id in ids {
            self.market(id)?;
            if !self.is_member(account, id) {
                self.account_assets.entry(account).or_default().push(id);
            }
        }
        Ok(())
    }

    /// `getHypotheticalAccountLiquidityInternal(account, modify, redeemTokens,
    /// borrowAmount)`: `(liquidity, shortfall)` in USD·1e18. Per entered market:
    /// `tokensToDenom = mul_(mul_(CF, exRate), price)`; `collateral += tokensToDenom·
    /// cTokens/1e18`; `borrows += price·borrowBalance/1e18`; plus the hypothetical
    /// redeem/borrow effects on `modify`. Uses stored (not freshly accrued) values.
    ///
    /// # Errors
    /// [`ComptrollerError::PriceError`] (as a rejection) for a zero price; overflow.
    pub fn hypothetical_liquidity(
        &self,
        account: AccountId,
        modify: Option<MarketId>,
        redeem_tokens: U256,
        borrow_amount: U256,
    ) -> Res<(U256, U256)> {
        let mut collateral = U256::ZERO;
        let mut borrows = U256::ZERO;
        for &id in self
            .account_assets
            .get(&account)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let m = self.market(id)?;
            let (tokens, borrow, rate) = m.ctoken.account_snapshot(account)?;
            let price = self.oracle.get_underlying_price(id)?;
            if price.is_zero() {
                return Err(reject(ComptrollerError::PriceError));
            }
            let to_denom = mul_exp(mul_exp(m.collateral_factor, rate)?, price)?;
            collateral = mul_exp_add(to_denom, tokens, collateral)?;
            borrows = mul_exp_add(price, borrow, borrows)?;
            if modify == Some(id) {
                borrows = mul_exp_add(to_denom, redeem_tokens, borrows)?;
                borrows = mul_exp_add(price, borrow_amount, borrows)?;
            }
        }
        if collateral > borrows {
            Ok((collateral - borrows, U256::ZERO))
        } else {
            Ok((U256::ZERO, borrows - collateral))
        }
    }

    /// `getAccountLiquidity(account)`: `(liquidity, shortfall)` in USD·1e18.
    ///
    /// # Errors
    /// As [`Comptroller::hypothetical_liquidity`].
    pub fn account_liquidity(&self, account: AccountId) -> Res<(U256, U256)> {
        self.hypothetical_liquidity(account, None, U256::ZERO, U256::ZERO)
    }

    /// Runs `f` after accruing `ids` at `block`; undoes the accruals if `f` fails.
    fn with_accrual<T>(
        &mut self,
        ids: &[MarketId],
        block: u64,
        f: impl FnOnce(&mut Self) -> Res<T>,
    ) -> Res<T> {
        let saved: Vec<_> = ids
            .iter()
            .map(|&id| self.market(id).map(|m| m.ctoken.accrual()))
            .collect::<Res<_>>()?;
        let result = ids
            .iter()
            .try_for_each(|&id| self.markets[id].ctoken.accrue_interest(block))
            .and_then(|()| f(self));
        if result.is_err() {
            for (&id, a) in ids.iter().zip(saved) {
                self.markets[id].ctoken.restore(a);
            }
        }
        result
    }

    /// `mintAllowed`: `require(!mintGuardianPaused[cToken], "mint is paused")`. Refused as
    /// [`Comptroller::borrow`] refuses a paused borrow.
    fn mint_allowed(&self, id: MarketId) -> Res<()> {
        if self.market(id)?.mint_paused {
            return Err(CompoundError::InvalidParameter);
        }
        Ok(())
    }

    /// `CToken.mint(amount)` at `block`: accrue, then `mintFresh` (`mintAllowed`, then the
    /// mint). Returns cToken wei.
    ///
    /// # Errors
    /// As [`CToken::accrue_interest`] and [`CToken::mint_fresh`];
    /// [`CompoundError::InvalidParameter`] ("mint is paused") while the market's
    /// [`Market::mint_paused`] is set. State unchanged on error.
    pub fn mint(
        &mut self,
        account: AccountId,
        id: MarketId,
        amount: U256,
        block: u64,
    ) -> Res<U256> {
        self.with_accrual(&[id], block, |c| {
            c.mint_allowed(id)?;
            c.markets[id].ctoken.mint_fresh(account, amount)
        })
    }

    /// `redeemAllowedInternal`: non-members may always redeem; members must not end
    /// with a shortfall.
    fn redeem_allowed(&self, account: AccountId, id: MarketId, tokens: U256) -> Res<()> {
        if !self.is_member(account, id) {
            return Ok(());
        }
        let (_, shortfall) = self.hypothetical_liquidity(account, Some(id), tokens, U256::ZERO)?;
        if shortfall.is_zero() {
            Ok(())
        } else {
            Err(reject(ComptrollerError::InsufficientLiquidity))
        }
    }

    /// `CToken.redeem(tokens)` (`tokens_in > 0`) or `redeemUnderlying(amount)` at
    /// `block`. Returns `(cTokens burnt, underlying wei paid)`.
    ///
    /// # Errors
    /// [`ComptrollerError::InsufficientLiquidity`] rejection,
    /// [`CompoundError::RedeemTransferOutNotPossible`], as [`CToken::redeem_fresh`].
    pub fn redeem(
        &mut self,
        account: AccountId,
        id: MarketId,
        tokens_in: U256,
        amount_in: U256,
        block: u64,
    ) -> Res<(U256, U256)> {
        self.with_accrual(&[id], block, |c| {
            let (tokens, amount) = c.markets[id].ctoken.redeem_amounts(tokens_in, amount_in)?;
            c.redeem_allowed(account, id, tokens)?;
            c.markets[id].ctoken.redeem_fresh(account, tokens, amount)?;
            Ok((tokens, amount))
        })
    }

    /// `borrowAllowed`: not paused, auto-enter the market, non-zero price, borrow cap
    /// (`totalBorrows + amount < cap`), no shortfall after the borrow.
    fn borrow_allowed(&mut self, account: AccountId, id: MarketId, amount: U256) -> Res<()> {
        let m = self.market(id)?;
        if m.borrow_paused {
            return Err(CompoundError::InvalidParameter);
        }
        if !m.borrow_cap.is_zero()
            && crate::exp::add(m.ctoken.total_borrows, amount)? >= m.borrow_cap
        {
            return Err(CompoundError::BorrowCapReached);
        }
        self.enter_markets(account, &[id])?;
        if self.oracle.get_underlying_price(id)?.is_zero() {
            return Err(reject(ComptrollerError::PriceError));
        }
        let (_, shortfall) = self.hypothetical_liquidity(account, Some(id), U256::ZERO, amount)?;
        if shortfall.is_zero() {
            Ok(())
        } else {
            Err(reject(ComptrollerError::InsufficientLiquidity))
        }
    }

    /// `CToken.borrow(amount)` at `block`: accrue, `borrowAllowed` (entering the market
    /// if needed), then `borrowFresh` (underlying wei).
    ///
    /// # Errors
    /// [`ComptrollerError::InsufficientLiquidity`]/[`ComptrollerError::PriceError`]
    /// rejections, [`CompoundError::BorrowCapReached`],
    /// [`CompoundError::BorrowCashNotAvailable`]. State unchanged on error.
    pub fn borrow(
        &mut self,
        account: AccountId,
        id: MarketId,
        amount: U256,
        block: u64,
    ) -> Res<()> {
        let assets_before = self.account_assets.get(&account).cloned();
        let r = self.with_accrual(&[id], block, |c| {
            c.borrow_allowed(account, id, amount)?;
            c.markets[id].ctoken.borrow_fresh(account, amount)
        });
        if r.is_err() {
            match assets_before {
                Some(v) => self.account_assets.insert(account, v),
                None => self.account_assets.remove(&account),
            };
        }
        r
    }

    /// `CToken.repayBorrowBehalf(borrower, amount)` at `block` (`U256::MAX` = all).
    /// Returns the underlying wei repaid.
    ///
    /// # Errors
    /// As [`CToken::repay_borrow_fresh`].
    pub fn repay_borrow(
        &mut self,
        borrower: AccountId,
        id: MarketId,
        amount: U256,
        block: u64,
    ) -> Res<U256> {
        self.with_accrual(&[id], block, |c| {
            c.markets[id].ctoken.repay_borrow_fresh(borrower, amount)
        })
    }

    /// `_setMintPaused(cToken, state)` (pause guardian or admin): sets
    /// `mintGuardianPaused[cToken]`.
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`] ("cannot pause a market that is not listed").
    pub fn set_mint_paused(&mut self, id: MarketId, paused: bool) -> Res<()> {
        self.market_mut(id)?.mint_paused = paused;
        Ok(())
    }

    /// `_setBorrowPaused(cToken, state)` (pause guardian or admin): sets
    /// `borrowGuardianPaused[cToken]`.
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`] ("cannot pause a market that is not listed").
    pub fn set_borrow_paused(&mut self, id: MarketId, paused: bool) -> Res<()> {
        self.market_mut(id)?.borrow_paused = paused;
        Ok(())
    }

    /// `_setCollateralFactor(cToken, newCollateralFactorMantissa)` (admin): at most
    /// [`COLLATERAL_FACTOR_MAX`] (0.9e18); a non-zero factor needs a non-zero oracle price.
    /// The contract returns these failures as error codes without a change; so does this.
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`] (`MARKET_NOT_LISTED`),
    /// [`CompoundError::InvalidParameter`] (`INVALID_COLLATERAL_FACTOR`: above 0.9e18),
    /// [`ComptrollerError::PriceError`] as a rejection (`PRICE_ERROR`: zero price). State
    /// unchanged on error.
    pub fn set_collateral_factor(&mut self, id: MarketId, mantissa: U256) -> Res<()> {
        self.market(id)?;
        if mantissa > COLLATERAL_FACTOR_MAX {
            return Err(CompoundError::InvalidParameter);
        }
        if !mantissa.is_zero() && self.oracle.get_underlying_price(id)?.is_zero() {
            return Err(reject(ComptrollerError::PriceError));
        }
        self.market_mut(id)?.collateral_factor = mantissa;
        Ok(())
    }

    /// `isDeprecated(cToken)`: CF = 0, borrow paused and reserve factor = 1e18.
    pub fn is_deprecated(&self, id: MarketId) -> bool {
        self.markets.get(id).is_some_and(|m| {
            m.collateral_factor.is_zero() && m.borrow_paused && m.ctoken.reserve_factor == EXP_SCALE
        })
    }

    /// `liquidateBorrowAllowed`: shortfall required and `repay ≤ closeFactor·borrow/1e18`
    /// (deprecated markets: `repay ≤ borrow`).
    fn liquidate_allowed(&self, borrower: AccountId, borrowed: MarketId, repay: U256) -> Res<()> {
        let borrow = self
            .market(borrowed)?
            .ctoken
            .borrow_balance_stored(borrower)?;
        if self.is_deprecated(borrowed) {
            return if borrow >= repay {
                Ok(())
            } else {
                Err(CompoundError::RepayMoreThanBorrow)
            };
        }
        let (_, shortfall) = self.account_liquidity(borrower)?;
        if shortfall.is_zero() {
            return Err(reject(ComptrollerError::InsufficientShortfall));
        }
        if repay > mul_exp(self.close_factor, borrow)? {
            return Err(reject(ComptrollerError::TooMuchRepay));
        }
        Ok(())
    }

    /// `liquidateCalculateSeizeTokens(borrowed, collateral, repay)`: collateral cToken
    /// wei for `repay` underlying wei of the borrowed asset:
    /// `repay · div_(mul_(LI, pBorrowed), mul_(pCollateral, exRate)) / 1e18`.
    ///
    /// # Errors
    /// [`CompoundError::SeizeCalculationFailed`] if a price is 0; overflow, division by
    /// zero.
    pub fn liquidate_calculate_seize_tokens(
        &self,
        borrowed: MarketId,
        collateral: MarketId,
        repay: U256,
    ) -> Res<U256> {
        let p_borrowed = self.oracle.get_underlying_price(borrowed)?;
        let p_collateral = self.oracle.get_underlying_price(collateral)?;
        if p_borrowed.is_zero() || p_collateral.is_zero() {
            return Err(CompoundError::SeizeCalculationFailed);
        }
        let rate = self.market(collateral)?.ctoken.exchange_rate_stored()?;
        let numerator = mul_exp(self.liquidation_incentive, p_borrowed)?;
        let denominator = mul_exp(p_collateral, rate)?;
        mul_exp(div_exp(numerator, denominator)?, repay)
    }

    /// `CToken.liquidateBorrow(borrower, repay, cTokenCollateral)` at `block`: accrues
    /// both markets, checks `liquidateBorrowAllowed`, repays `repay` (underlying wei) on
    /// behalf of `borrower`, computes the seize and moves the collateral cTokens
    /// (2.8 % to reserves).
    ///
    /// # Errors
    /// [`CompoundError::LiquidatorIsBorrower`], [`CompoundError::LiquidateCloseAmountIsZero`],
    /// [`CompoundError::LiquidateCloseAmountIsUintMax`], rejections
    /// ([`ComptrollerError::InsufficientShortfall`], [`ComptrollerError::TooMuchRepay`]),
    /// [`CompoundError::SeizeTooMuch`], as the parts. State unchanged on error.
    pub fn liquidate_borrow(
        &mut self,
        liquidator: AccountId,
        borrower: AccountId,
        borrowed: MarketId,
        repay: U256,
        collateral: MarketId,
        block: u64,
    ) -> Res<LiquidationOutcome> {
        self.market(collateral)?;
        let ids: Vec<MarketId> = if borrowed == collateral {
            vec![borrowed]
        } else {
            vec![borrowed, collateral]
        };
        let saved_b = self.market(borrowed)?.ctoken.clone_borrow_state(borrower);
        let saved_cash = self.market(borrowed)?.ctoken.cash;
        let saved_totals = self.market(borrowed)?.ctoken.total_borrows;
        let r = self.with_accrual(&ids, block, |c| {
            c.liquidate_allowed(borrower, borrowed, repay)?;
            if borrower == liquidator {
                return Err(CompoundError::LiquidatorIsBorrower);
            }
            if repay.is_zero() {
                return Err(CompoundError::LiquidateCloseAmountIsZero);
            }
            if repay == U256::MAX {
                return Err(CompoundError::LiquidateCloseAmountIsUintMax);
            }
            let repaid = c
                .market_mut(borrowed)?
                .ctoken
                .repay_borrow_fresh(borrower, repay)?;
            let seize = c.liquidate_calculate_seize_tokens(borrowed, collateral, repaid)?;
            if c.markets[collateral].ctoken.balance_of(borrower) < seize {
                return Err(CompoundError::SeizeTooMuch);
            }
            let (to_liq, protocol) = c.markets[collateral]
                .ctoken
                .seize_internal(liquidator, borrower, seize)?;
            Ok(LiquidationOutcome {
                repaid,
                seize_tokens: seize,
                liquidator_tokens: to_liq,
                protocol_tokens: protocol,
            })
        });
        if r.is_err() {
            let ct = &mut self.markets[borrowed].ctoken;
            ct.restore_borrow_state(borrower, saved_b);
            ct.cash = saved_cash;
            ct.total_borrows = saved_totals;
        }
        r
    }
}

/// Genesis state from a chain snapshot, like a fork: NOT contract functions. A simulation that
/// starts from a recorded book (the subgraph's balances) places the positions directly, as a
/// fork would find them, instead of replaying every `mint` and `borrow` since deployment.
impl Comptroller {
    /// Places `account`'s snapshot position in market `id`: `supply` underlying wei as cTokens
    /// at the market's initial exchange rate (`accountTokens`, `totalSupply`, `cash`), and a
    /// `borrow` of underlying wei at the current borrow index (`accountBorrows`,
    /// `totalBorrows`); enters the market (`borrowAllowed` enters a borrowed market) when
    /// either is positive. Replaces any earlier import of the same account and market.
    /// Call before any accrual (the market's exchange rate must still be the initial one).
    ///
    /// # Errors
    /// [`CompoundError::UnknownMarket`].
    pub fn import_position(
        &mut self,
        account: AccountId,
        id: MarketId,
        supply: U256,
        borrow: U256,
    ) -> Res<()> {
        let ct = &mut self.market_mut(id)?.ctoken;
        if !supply.is_zero() {
            let tokens = supply * EXP_SCALE / ct.initial_exchange_rate;
            ct.account_tokens.insert(account, tokens);
            ct.total_supply += tokens;
            ct.cash += tokens * ct.initial_exchange_rate / EXP_SCALE;
        }
        if !borrow.is_zero() {
            let index = ct.borrow_index;
            ct.account_borrows.insert(
                account,
                crate::ctoken::BorrowSnapshot {
                    principal: borrow,
                    interest_index: index,
                },
            );
            ct.total_borrows += borrow;
        }
        if !(supply.is_zero() && borrow.is_zero()) {
            self.enter_markets(account, &[id])?;
        }
        Ok(())
    }

    /// Gives `account` (the suppliers outside the book) the supply that funds the book's
    /// borrows in every market: cTokens for `totalBorrows` at the initial exchange rate, and
    /// `cash` set so that `cash + totalBorrows` backs every cToken at that rate (the exchange
    /// rate stays exact). Call once, after [`Comptroller::import_position`].
    pub fn import_outside_supply(&mut self, account: AccountId) {
        for m in &mut self.markets {
            let ct = &mut m.ctoken;
            let tokens = ct.total_borrows * EXP_SCALE / ct.initial_exchange_rate;
            ct.account_tokens.insert(account, tokens);
            ct.total_supply += tokens;
            ct.cash = ct.total_supply * ct.initial_exchange_rate / EXP_SCALE - ct.total_borrows;
        }
    }
}

#[cfg(test)]
mod genesis_tests {
    use super::*;
    use crate::{JumpRateModelV2, PriceSource, TokenConfig};

    #[test]
    fn an_imported_book_keeps_the_initial_exchange_rate_and_counts_every_borrow() {
        let mut oracle = PriceOracle::new(EXP_SCALE * U256::from(15) / U256::from(100));
        for _ in 0..2 {
            oracle.push(TokenConfig {
                base_unit: U256::from(1_000_000u64),
                source: PriceSource::FixedUsd(U256::from(1_000_000u64)),
            });
        }
        let mut comp = Comptroller::new(EXP_SCALE / U256::from(2), EXP_SCALE, oracle);
        let x = U256::from(200_000_000_000_000u64); // 0.02 underlying per cToken, 6 → 8 decimals
        for _ in 0..2 {
            let model =
                JumpRateModelV2::from_per_year(U256::ZERO, U256::ZERO, U256::ZERO, EXP_SCALE)
                    .unwrap();
            comp.support_market(
                CToken::new(model, x, U256::ZERO, 0),
                EXP_SCALE * U256::from(8) / U256::from(10),
            );
        }
        // 100 of market 0 supplied against 90 of market 1 borrowed: above the 80 % factor.
        comp.import_position(7, 0, U256::from(100_000_000u64), U256::ZERO)
            .unwrap();
        comp.import_position(7, 1, U256::ZERO, U256::from(90_000_000u64))
            .unwrap();
        comp.import_outside_supply(9);
        for m in &comp.markets {
            assert_eq!(m.ctoken.exchange_rate_stored().unwrap(), x);
        }
        assert_eq!(comp.markets[1].ctoken.cash, U256::ZERO);
        let (_, shortfall) = comp.account_liquidity(7).unwrap();
        assert_eq!(
            shortfall,
            U256::from(10_000_000u64) * EXP_SCALE / U256::from(1_000_000u64)
        );
        assert!(comp.import_position(7, 5, U256::ZERO, U256::ZERO).is_err());
    }
}
