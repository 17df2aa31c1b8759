//! What the real Aave v2 `LendingPool` ([`crate::aave_v2::EvmAaveV2`]) and v3 `Pool`
//! ([`crate::aave::EvmAave`]) have in common in revm: the pool functions with the same
//! ABI in both versions (`withdraw`, `borrow`, `repay`, `liquidationCall`,
//! `getUserAccountData`), the aToken / debt-token views, the underlying wallets, and the
//! funding of the users at deployment.

use crate::artifacts::Artifact;
use crate::evm::{Evm, Outcome};
use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, sol};
use anyhow::Result;
use std::collections::BTreeMap;

sol! {
    /// The pool functions v2 and v3 share (same signatures, same ABI).
    interface ILendingPool {
        function withdraw(address asset, uint256 amount, address to) external returns (uint256);
        function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf) external;
        function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf) external returns (uint256);
        function liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover, bool receiveAToken) external;
        function getUserAccountData(address user) external view returns (uint256 totalCollateral, uint256 totalDebt, uint256 availableBorrows, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor);
    }
    /// aTokens and variable debt tokens (scaled balances).
    interface IScaledToken {
        function scaledBalanceOf(address user) external view returns (uint256);
        function scaledTotalSupply() external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
    }
    /// The underlying test tokens (their `mint` differs between the versions' mocks).
    interface IUnderlying {
        function approve(address spender, uint256 amount) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
    }
}

/// `DataTypes.InterestRateMode` of a borrow / repay / swap (v2 encoding; v3 pools only
/// take [`RateMode::Variable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateMode {
    /// `1`.
    Stable,
    /// `2`.
    Variable,
}

impl RateMode {
    /// The ABI value (1 or 2).
    pub fn abi(self) -> U256 {
        U256::from(match self {
            RateMode::Stable => 1u8,
            RateMode::Variable => 2u8,
        })
    }
}

/// The chain, the pool proxy, the listed underlying tokens and the user EOAs (index =
/// native user id) of a deployed market.
pub type PoolParts<'a> = (&'a mut Evm, Address, &'a [Address], &'a [Address]);

/// A deployed Aave market (v2 or v3) in revm: the calls both versions answer alike.
pub trait LendingPool {
    /// The market's chain, pool, assets and users.
    fn parts(&mut self) -> PoolParts<'_>;

    /// Sends `call` to the pool from user `from`.
    fn pool_call<C: SolCall>(&mut self, from: usize, call: C) -> Result<Outcome> {
        let (evm, pool, _, users) = self.parts();
        evm.call(users[from], pool, call.abi_encode())
    }

    /// `withdraw(asset, amount, user)` from `user`.
    fn withdraw(&mut self, user: usize, asset: usize, amount: U256) -> Result<Outcome> {
        let (_, _, assets, users) = self.parts();
        let call = ILendingPool::withdrawCall {
            asset: assets[asset],
            amount,
            to: users[user],
        };
        self.pool_call(user, call)
    }

    /// `borrow(asset, amount, mode, 0, user)` from `user`.
    fn borrow_with_mode(
        &mut self,
        user: usize,
        asset: usize,
        amount: U256,
        mode: RateMode,
    ) -> Result<Outcome> {
        let (_, _, assets, users) = self.parts();
        let call = ILendingPool::borrowCall {
            asset: assets[asset],
            amount,
            interestRateMode: mode.abi(),
            referralCode: 0,
            onBehalfOf: users[user],
        };
        self.pool_call(user, call)
    }

    /// `repay(asset, amount, mode, on_behalf_of)` from `payer`.
    fn repay_with_mode(
        &mut self,
        payer: usize,
        on_behalf_of: usize,
        asset: usize,
        amount: U256,
        mode: RateMode,
    ) -> Result<Outcome> {
        let (_, _, assets, users) = self.parts();
        let call = ILendingPool::repayCall {
            asset: assets[asset],
            amount,
            interestRateMode: mode.abi(),
            onBehalfOf: users[on_behalf_of],
        };
        self.pool_call(payer, call)
    }

    /// `liquidationCall` of `user`'s position from `liquidator`.
    fn liquidate(
        &mut self,
        liquidator: usize,
        collateral: usize,
        debt: usize,
        user: usize,
        amount: U256,
        receive_a_token: bool,
    ) -> Result<Outcome> {
        let (_, _, assets, users) = self.parts();
        let call = ILendingPool::liquidationCallCall {
            collateralAsset: assets[collateral],
            debtAsset: assets[debt],
            user: users[user],
            debtToCover: amount,
            receiveAToken: receive_a_token,
        };
        self.pool_call(liquidator, call)
    }

    /// `getUserAccountData(user)`: collateral, debt, available borrows (v3: base
    /// currency, v2: ETH), liquidation threshold, LTV, health factor.
    fn account_data(&mut self, user: usize) -> Result<[U256; 6]> {
        let (evm, pool, _, users) = self.parts();
        let d = evm.get(
            pool,
            ILendingPool::getUserAccountDataCall { user: users[user] },
        )?;
        Ok([
            d.totalCollateral,
            d.totalDebt,
            d.availableBorrows,
            d.currentLiquidationThreshold,
            d.ltv,
            d.healthFactor,
        ])
    }

    /// The ERC20 balance of user `user` in the underlying token of reserve `asset`.
    fn wallet(&mut self, user: usize, asset: usize) -> Result<U256> {
        let (evm, _, assets, users) = self.parts();
        erc20_balance(evm, assets[asset], users[user])
    }
}

/// `token.balanceOf(account)`.
pub fn erc20_balance(evm: &mut Evm, token: Address, account: Address) -> Result<U256> {
    evm.get(token, IUnderlying::balanceOfCall { account })
}

/// `user`'s (scaled aToken, scaled debt, aToken `balanceOf`, debt `balanceOf`) at the
/// aToken `a_token` and the variable debt token `v_token`.
pub fn token_balances(
    evm: &mut Evm,
    a_token: Address,
    v_token: Address,
    user: Address,
) -> Result<(U256, U256, U256, U256)> {
    Ok((
        evm.get(a_token, IScaledToken::scaledBalanceOfCall { user })?,
        evm.get(v_token, IScaledToken::scaledBalanceOfCall { user })?,
        evm.get(a_token, IScaledToken::balanceOfCall { account: user })?,
        evm.get(v_token, IScaledToken::balanceOfCall { account: user })?,
    ))
}

/// `scaledTotalSupply()` of an aToken or a variable debt token.
pub fn scaled_total(evm: &mut Evm, token: Address) -> Result<U256> {
    evm.get(token, IScaledToken::scaledTotalSupplyCall {})
}

/// `scaledBalanceOf(user)` of an aToken or a variable debt token.
pub fn scaled_balance(evm: &mut Evm, token: Address, user: Address) -> Result<U256> {
    evm.get(token, IScaledToken::scaledBalanceOfCall { user })
}

/// Deploys the logic libraries `names` in order from `admin`, each linked to those
/// deployed before it (`artifact` loads a library by name); returns name → address.
pub fn deploy_libraries<'a>(
    evm: &mut Evm,
    admin: Address,
    names: impl IntoIterator<Item = &'a str>,
    artifact: impl Fn(&str) -> Result<Artifact>,
) -> Result<BTreeMap<String, Address>> {
    let mut libs = BTreeMap::new();
    for name in names {
        let addr = evm.deploy(admin, artifact(name)?.linked(&libs)?)?;
        libs.insert(name.to_string(), addr);
    }
    Ok(libs)
}

/// Deploys `init` from `admin` and registers the new contract with the addresses
/// provider `provider` through `admin`'s call `register(address)` (`setPoolImpl`,
/// `setPriceOracle`, …); returns the new contract's address.
pub fn deploy_registered<C: SolCall>(
    evm: &mut Evm,
    admin: Address,
    provider: Address,
    init: Vec<u8>,
    register: impl FnOnce(Address) -> C,
) -> Result<Address> {
    let addr = evm.deploy(admin, init)?;
    evm.send(admin, provider, register(addr))?;
    Ok(addr)
}

/// Funds the EOAs `users`: each mints 1e36 wei of every token in `assets` (`mint` builds
/// the mock's mint call for an account and an amount) and approves `pool` for all of it.
pub fn fund_users<M: SolCall>(
    evm: &mut Evm,
    pool: Address,
    assets: &[Address],
    users: &[Address],
    mint: impl Fn(Address, U256) -> M,
) -> Result<()> {
    let fund = U256::from(10u8).pow(U256::from(36u8));
    for &u in users {
        for &t in assets {
            evm.send(u, t, mint(u, fund))?;
            evm.send(
                u,
                t,
                IUnderlying::approveCall {
                    spender: pool,
                    amount: U256::MAX,
                },
            )?;
        }
    }
    Ok(())
}
