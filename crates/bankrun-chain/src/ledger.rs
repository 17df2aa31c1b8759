//! The token ledger: every account's balance of every token, in the token's smallest unit
//! (wei for 18-decimal tokens), changed only by transfers, mints and burns, so that supply
//! conservation can be checked at any time.
//!
//! A token's supply is `Σ mints − Σ burns`; the ledger keeps it alongside the balances, and
//! [`Ledger::check_conservation`] recomputes `Σ balances` to compare. Protocols and venues
//! hold their tokens under their own [`Holder`] ids (a pool's reserves, a vault's collateral,
//! a treasury), so seized collateral that leaves a protocol must arrive at some holder: it
//! cannot vanish without a burn.
//!
//! Balances are `U256`, as ERC-20 balances are; a transfer or burn above a balance fails with
//! [`LedgerError::InsufficientBalance`] (the ERC-20 "transfer amount exceeds balance" revert).
//! Storage is ordered (`BTreeMap`), so iteration, and anything derived from it, is
//! deterministic.

use std::collections::BTreeMap;

use alloy_primitives::U256;

/// A token, by its index in the world's token table.
pub type TokenId = u32;

/// Who holds a balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    /// An agent (depositor, borrower, liquidator, keeper, arbitrageur, scripted actor), by its
    /// index in the world's agent table.
    Agent(u32),
    /// A protocol's contracts (a lending pool's reserves, a vault engine, a PSM), by protocol
    /// index.
    Protocol(u32),
    /// A venue's inventory (a DEX pool's reserves, a CEX's book), by venue index.
    Venue(u32),
    /// Everything outside the simulated world (a CEX's other side, off-chain redemption).
    External,
}

/// A ledger error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A transfer or burn above the holder's balance.
    #[error("{holder:?} holds {balance} of token {token}, needs {needed}")]
    InsufficientBalance {
        /// Token.
        token: TokenId,
        /// Holder.
        holder: Holder,
        /// Its balance, token units.
        balance: U256,
        /// Amount asked, token units.
        needed: U256,
    },
    /// A mint would overflow the token's supply (2²⁵⁶ − 1).
    #[error("minting {amount} of token {token} overflows its supply")]
    SupplyOverflow {
        /// Token.
        token: TokenId,
        /// Amount asked, token units.
        amount: U256,
    },
    /// `Σ balances ≠ supply` for a token (found by [`Ledger::check_conservation`]).
    #[error("token {token}: balances sum to {balances}, supply is {supply}")]
    NotConserved {
        /// Token.
        token: TokenId,
        /// Σ balances, token units.
        balances: U256,
        /// Σ mints − Σ burns, token units.
        supply: U256,
    },
}

/// Balances of every token, with each token's supply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    balances: BTreeMap<(TokenId, Holder), U256>,
    supply: BTreeMap<TokenId, U256>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// `holder`'s balance of `token`, token units (0 if it never held any).
    pub fn balance(&self, token: TokenId, holder: Holder) -> U256 {
        self.balances
            .get(&(token, holder))
            .copied()
            .unwrap_or(U256::ZERO)
    }

    /// Supply of `token` (Σ mints − Σ burns), token units.
    pub fn supply(&self, token: TokenId) -> U256 {
        self.supply.get(&token).copied().unwrap_or(U256::ZERO)
    }

    /// Creates `amount` of `token` at `to`.
    ///
    /// # Errors
    /// [`LedgerError::SupplyOverflow`].
    pub fn mint(&mut self, token: TokenId, to: Holder, amount: U256) -> Result<(), LedgerError> {
        let supply = self
            .supply(token)
            .checked_add(amount)
            .ok_or(LedgerError::SupplyOverflow { token, amount })?;
        // A balance never exceeds the supply, so this add cannot overflow once the supply's did not.
        let balance = self.balance(token, to) + amount;
        self.supply.insert(token, supply);
        self.set(token, to, balance);
        Ok(())
    }

    /// Destroys `amount` of `token` held by `from`.
    ///
    /// # Errors
    /// [`LedgerError::InsufficientBalance`]; the ledger is unchanged.
    pub fn burn(&mut self, token: TokenId, from: Holder, amount: U256) -> Result<(), LedgerError> {
        let balance = self.debit_amount(token, from, amount)?;
        self.set(token, from, balance);
        // Σ balances = supply and the holder had `amount`, so the supply has it too.
        let supply = self.supply(token) - amount;
        self.supply.insert(token, supply);
        Ok(())
    }

    /// Moves `amount` of `token` from `from` to `to` (a self-transfer changes nothing).
    ///
    /// # Errors
    /// [`LedgerError::InsufficientBalance`]; the ledger is unchanged.
    pub fn transfer(
        &mut self,
        token: TokenId,
        from: Holder,
        to: Holder,
        amount: U256,
    ) -> Result<(), LedgerError> {
        let left = self.debit_amount(token, from, amount)?;
        if from == to {
            return Ok(());
        }
        self.set(token, from, left);
        let credited = self.balance(token, to) + amount;
        self.set(token, to, credited);
        Ok(())
    }

    /// Tokens with a supply or a balance, ascending.
    pub fn tokens(&self) -> Vec<TokenId> {
        let mut t: Vec<TokenId> = self.supply.keys().copied().collect();
        t.extend(self.balances.keys().map(|(token, _)| *token));
        t.sort_unstable();
        t.dedup();
        t
    }

    /// Holders of `token` with a non-zero balance, ascending, with their balances.
    pub fn holders(&self, token: TokenId) -> Vec<(Holder, U256)> {
        self.balances
            .range((token, Holder::Agent(0))..)
            .take_while(|((t, _), _)| *t == token)
            .map(|((_, h), b)| (*h, *b))
            .collect()
    }

    /// Checks `Σ balances = supply` for every token.
    ///
    /// # Errors
    /// [`LedgerError::NotConserved`] for the first token (ascending id) that fails.
    pub fn check_conservation(&self) -> Result<(), LedgerError> {
        // One ordered pass over the balances (keyed by token first), summing each token's
        // run and comparing it with the token's supply; tokens with a supply and no holder
        // are compared with zero.
        let mut sums: Vec<(TokenId, U256)> = Vec::with_capacity(self.supply.len());
        for (&(token, _), &b) in &self.balances {
            match sums.last_mut() {
                Some((t, sum)) if *t == token => *sum = sum.saturating_add(b),
                _ => sums.push((token, b)),
            }
        }
        let mut held = sums.into_iter().peekable();
        let mut supplies = self.supply.iter().peekable();
        loop {
            let next = match (held.peek(), supplies.peek()) {
                (None, None) => return Ok(()),
                (Some(&(t, _)), None) => t,
                (None, Some(&(&t, _))) => t,
                (Some(&(a, _)), Some(&(&b, _))) => a.min(b),
            };
            let balances = match held.peek() {
                Some(&(t, b)) if t == next => {
                    held.next();
                    b
                }
                _ => U256::ZERO,
            };
            let supply = match supplies.peek() {
                Some(&(&t, &s)) if t == next => {
                    supplies.next();
                    s
                }
                _ => U256::ZERO,
            };
            if balances != supply {
                return Err(LedgerError::NotConserved {
                    token: next,
                    balances,
                    supply,
                });
            }
        }
    }

    /// `from`'s balance after taking `amount`.
    fn debit_amount(
        &self,
        token: TokenId,
        from: Holder,
        amount: U256,
    ) -> Result<U256, LedgerError> {
        let balance = self.balance(token, from);
        balance
            .checked_sub(amount)
            .ok_or(LedgerError::InsufficientBalance {
                token,
                holder: from,
                balance,
                needed: amount,
            })
    }

    /// Stores a balance; zero balances are removed so that [`Ledger::holders`] lists holders.
    fn set(&mut self, token: TokenId, holder: Holder, balance: U256) {
        if balance.is_zero() {
            self.balances.remove(&(token, holder));
        } else {
            self.balances.insert((token, holder), balance);
        }
    }

    /// Test hook: overwrites a balance without touching the supply, to prove that
    /// [`Ledger::check_conservation`] can fail.
    #[cfg(any(test, feature = "test-hooks"))]
    pub fn corrupt_balance(&mut self, token: TokenId, holder: Holder, balance: U256) {
        self.set(token, holder, balance);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Holder = Holder::Agent(1);
    const P: Holder = Holder::Protocol(0);

    fn u(x: u64) -> U256 {
        U256::from(x)
    }

    #[test]
    fn mint_transfer_burn_conserve() {
        let mut l = Ledger::new();
        l.mint(0, A, u(100)).unwrap();
        l.transfer(0, A, P, u(60)).unwrap();
        l.burn(0, P, u(10)).unwrap();
        assert_eq!(l.balance(0, A), u(40));
        assert_eq!(l.balance(0, P), u(50));
        assert_eq!(l.supply(0), u(90));
        assert_eq!(l.holders(0), vec![(A, u(40)), (P, u(50))]);
        l.check_conservation().unwrap();
    }

    #[test]
    fn overdraft_fails_and_changes_nothing() {
        let mut l = Ledger::new();
        l.mint(3, A, u(5)).unwrap();
        let before = l.clone();
        let e = l.transfer(3, A, P, u(6)).unwrap_err();
        assert!(matches!(e, LedgerError::InsufficientBalance { needed, .. } if needed == u(6)));
        assert!(l.burn(3, P, u(1)).is_err());
        assert_eq!(l, before);
    }

    #[test]
    fn self_transfer_needs_the_balance_and_changes_nothing() {
        let mut l = Ledger::new();
        l.mint(0, A, u(5)).unwrap();
        l.transfer(0, A, A, u(5)).unwrap();
        assert_eq!(l.balance(0, A), u(5));
        assert!(l.transfer(0, A, A, u(6)).is_err());
    }

    #[test]
    fn supply_overflow_is_an_error() {
        let mut l = Ledger::new();
        l.mint(0, A, U256::MAX).unwrap();
        assert!(matches!(
            l.mint(0, P, u(1)),
            Err(LedgerError::SupplyOverflow { .. })
        ));
    }

    #[test]
    fn a_corrupted_balance_is_caught() {
        let mut l = Ledger::new();
        l.mint(0, A, u(10)).unwrap();
        l.mint(1, P, u(10)).unwrap();
        l.corrupt_balance(1, P, u(9));
        assert_eq!(
            l.check_conservation(),
            Err(LedgerError::NotConserved {
                token: 1,
                balances: u(9),
                supply: u(10)
            })
        );
    }

    #[test]
    fn holders_of_one_token_only() {
        let mut l = Ledger::new();
        l.mint(0, Holder::External, u(1)).unwrap();
        l.mint(1, A, u(2)).unwrap();
        l.mint(2, Holder::Venue(4), u(3)).unwrap();
        assert_eq!(l.holders(1), vec![(A, u(2))]);
        assert_eq!(l.tokens(), vec![0, 1, 2]);
    }
}
