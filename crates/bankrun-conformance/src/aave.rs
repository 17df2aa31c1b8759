//! The real Aave v3 market deployed in revm: v3.0.2 from the `@aave/core-v3@1.19.3`
//! artifacts, v3.6 from the solc-js build of `@aave-dao/aave-v3-origin@3.6.0`.
//!
//! Deployment order: PoolAddressesProvider → ACL admin → ACLManager → pool admin →
//! logic libraries (FlashLoanLogic linked to BorrowLogic) → Pool linked to them →
//! `setPoolImpl` (proxy + `initialize`) → ConfiguratorLogic → PoolConfigurator →
//! `setPoolConfiguratorImpl` → test ERC20s → constant-price feeds (13-byte stubs
//! answering every call, so `latestAnswer()`) → AaveOracle → token implementations →
//! rate strategy → `initReserves` → collateral, borrowing, factors, caps, e-mode.

use crate::artifacts::{Artifact, aave_v36, aave_v302};
use crate::evm::{Evm, Outcome, constant_word_code};
use crate::lending_pool::{
    LendingPool, PoolParts, RateMode, deploy_libraries, deploy_registered, erc20_balance,
    fund_users, scaled_balance, scaled_total, token_balances,
};
use alloy_primitives::{Address, U256, address};
use alloy_sol_types::{SolCall, SolValue, sol};
use anyhow::Result;
use bankrun_aave::{ReserveConfig, StableRateParams};

sol! {
    interface IProvider {
        function setACLAdmin(address newAclAdmin) external;
        function setACLManager(address newAclManager) external;
        function setPoolImpl(address newPoolImpl) external;
        function getPool() external view returns (address);
        function setPoolConfiguratorImpl(address newPoolConfiguratorImpl) external;
        function getPoolConfigurator() external view returns (address);
        function setPriceOracle(address newPriceOracle) external;
    }
    interface IAcl {
        function addPoolAdmin(address admin) external;
    }
    interface IErc20 {
        function mint(address account, uint256 value) external returns (bool);
    }
    struct ReserveConfigurationMap { uint256 data; }
    struct ReserveDataLegacy {
        ReserveConfigurationMap configuration;
        uint128 liquidityIndex;
        uint128 currentLiquidityRate;
        uint128 variableBorrowIndex;
        uint128 currentVariableBorrowRate;
        uint128 currentStableBorrowRate;
        uint40 lastUpdateTimestamp;
        uint16 id;
        address aTokenAddress;
        address stableDebtTokenAddress;
        address variableDebtTokenAddress;
        address interestRateStrategyAddress;
        uint128 accruedToTreasury;
        uint128 unbacked;
        uint128 isolationModeTotalDebt;
    }
    interface IPool {
        function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
        function setUserEMode(uint8 categoryId) external;
        function getReserveData(address asset) external view returns (ReserveDataLegacy memory);
        function getVirtualUnderlyingBalance(address asset) external view returns (uint128);
        function getReserveDeficit(address asset) external view returns (uint256);
    }
    interface IConfigurator {
        function configureReserveAsCollateral(address asset, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus) external;
        function setReserveBorrowing(address asset, bool enabled) external;
        function setReserveFactor(address asset, uint256 newReserveFactor) external;
        function setLiquidationProtocolFee(address asset, uint256 newFee) external;
        function setSupplyCap(address asset, uint256 newSupplyCap) external;
        function setBorrowCap(address asset, uint256 newBorrowCap) external;
        function setReserveFreeze(address asset, bool freeze) external;
    }
    interface IConfiguratorV30 {
        struct InitReserveInput {
            address aTokenImpl;
            address stableDebtTokenImpl;
            address variableDebtTokenImpl;
            uint8 underlyingAssetDecimals;
            address interestRateStrategyAddress;
            address underlyingAsset;
            address treasury;
            address incentivesController;
            string aTokenName;
            string aTokenSymbol;
            string variableDebtTokenName;
            string variableDebtTokenSymbol;
            string stableDebtTokenName;
            string stableDebtTokenSymbol;
            bytes params;
        }
        function initReserves(InitReserveInput[] calldata input) external;
        function setEModeCategory(uint8 categoryId, uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, address oracle, string calldata label) external;
        function setAssetEModeCategory(address asset, uint8 newCategoryId) external;
    }
    interface IConfiguratorV36 {
        struct InitReserveInput {
            address aTokenImpl;
            address variableDebtTokenImpl;
            address underlyingAsset;
            string aTokenName;
            string aTokenSymbol;
            string variableDebtTokenName;
            string variableDebtTokenSymbol;
            bytes params;
            bytes interestRateData;
        }
        function initReserves(InitReserveInput[] calldata input) external;
        function setEModeCategory(uint8 categoryId, uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, string calldata label) external;
        function setAssetCollateralInEMode(address asset, uint8 categoryId, bool allowed) external;
        function setAssetBorrowableInEMode(address asset, uint8 categoryId, bool borrowable) external;
    }
}

/// Which real pool to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AaveVersion {
    /// `@aave/core-v3@1.19.3` artifacts (Aave v3.0.2).
    V3_0_2,
    /// `@aave-dao/aave-v3-origin@3.6.0` compiled with solc-js 0.8.27.
    V3_6,
}

/// Listing parameters of one reserve: the native pool's [`ReserveConfig`] (bps, whole-token
/// caps), plus what only the EVM deployment needs.
#[derive(Debug, Clone)]
pub struct ReserveSpec {
    /// The reserve's configuration, shared by the EVM deployment and the native pool.
    pub config: ReserveConfig,
    /// v3.0 stable-rate parameters, bps.
    pub stable: StableRateParams,
    /// Initial price, 8-dp USD.
    pub price: U256,
}

/// An e-mode category: parameters and member reserves (v3.0: the reserves' category;
/// v3.6: both collateral and borrowable bitmaps).
#[derive(Debug, Clone)]
pub struct EModeSpec {
    /// Category id (≥ 1).
    pub id: u8,
    /// LTV, bps.
    pub ltv: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u16,
    /// Liquidation bonus, bps.
    pub liquidation_bonus: u16,
    /// Member reserve indexes.
    pub assets: Vec<usize>,
}

/// Reserve state read from the real pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReserveSnapshot {
    /// `liquidityIndex`.
    pub liquidity_index: U256,
    /// `variableBorrowIndex`.
    pub variable_borrow_index: U256,
    /// `currentLiquidityRate`.
    pub liquidity_rate: U256,
    /// `currentVariableBorrowRate`.
    pub variable_borrow_rate: U256,
    /// `currentStableBorrowRate` (v3.0).
    pub stable_borrow_rate: U256,
    /// `lastUpdateTimestamp`.
    pub last_update: u64,
    /// `accruedToTreasury` (scaled).
    pub accrued_to_treasury: U256,
    /// aToken `scaledTotalSupply`.
    pub scaled_total_supply: U256,
    /// variable debt token `scaledTotalSupply`.
    pub scaled_total_debt: U256,
    /// v3.6: `getVirtualUnderlyingBalance`; v3.0: `underlying.balanceOf(aToken)`.
    pub liquidity: U256,
    /// v3.6 `getReserveDeficit` (0 in v3.0).
    pub deficit: U256,
    /// Treasury's scaled aToken balance.
    pub treasury_scaled: U256,
}

/// A user's position read from the real pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserSnapshot {
    /// Per reserve: (scaled aToken, scaled vToken, aToken balanceOf, vToken balanceOf).
    pub balances: Vec<(U256, U256, U256, U256)>,
    /// `getUserAccountData`: collateral, debt, available borrows, LT, LTV, HF.
    pub account: [U256; 6],
}

/// The deployed market.
pub struct EvmAave {
    /// The chain.
    pub evm: Evm,
    /// Which version.
    pub version: AaveVersion,
    admin: Address,
    pool: Address,
    configurator: Address,
    /// Underlying tokens.
    pub assets: Vec<Address>,
    a_tokens: Vec<Address>,
    v_tokens: Vec<Address>,
    feeds: Vec<Address>,
    treasury: Address,
    /// User EOAs (index = native user id).
    pub users: Vec<Address>,
}

const ADMIN: Address = address!("00000000000000000000000000000000000a0000");
const TREASURY: Address = address!("00000000000000000000000000000000000b0000");

/// Address of user `i`.
pub fn user_address(i: usize) -> Address {
    Address::left_padding_from(&(0x10_0000u64 + i as u64).to_be_bytes())
}

fn feed_address(i: usize) -> Address {
    Address::left_padding_from(&(0xfeed_0000u64 + i as u64).to_be_bytes())
}

/// `n` bps as a RAY fraction (1 bp = 1e23).
pub fn bps_ray(n: u32) -> U256 {
    U256::from(n) * U256::from(10u8).pow(U256::from(23u8))
}

/// Init code followed by ABI-encoded constructor arguments.
pub fn with_args(mut code: Vec<u8>, args: Vec<u8>) -> Vec<u8> {
    code.extend(args);
    code
}

impl EvmAave {
    /// Deploys and configures the market at timestamp `t0`, with `n_users` funded users
    /// (each minted 1e36 wei of every token and approving the pool).
    pub fn deploy(
        version: AaveVersion,
        reserves: &[ReserveSpec],
        emodes: &[EModeSpec],
        n_users: usize,
        t0: u64,
    ) -> Result<Self> {
        let mut evm = Evm::new();
        evm.set_timestamp(t0);
        let a = ADMIN;
        let load = |n30: &str, n36: &str| -> Result<Artifact> {
            match version {
                AaveVersion::V3_0_2 => aave_v302(n30),
                AaveVersion::V3_6 => aave_v36(n36),
            }
        };
        let provider_art = load(
            "protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json",
            "PoolAddressesProvider",
        )?;
        let provider = evm.deploy(
            a,
            with_args(
                provider_art.bytecode.clone(),
                ("bankrun".to_string(), a).abi_encode_params(),
            ),
        )?;
        evm.send(a, provider, IProvider::setACLAdminCall { newAclAdmin: a })?;
        let acl_art = load(
            "protocol/configuration/ACLManager.sol/ACLManager.json",
            "ACLManager",
        )?;
        let acl_init = with_args(acl_art.bytecode, (provider,).abi_encode_params());
        let acl = deploy_registered(&mut evm, a, provider, acl_init, |addr| {
            IProvider::setACLManagerCall {
                newAclManager: addr,
            }
        })?;
        evm.send(a, acl, IAcl::addPoolAdminCall { admin: a })?;

        // Libraries.
        let lib_names: &[&str] = match version {
            AaveVersion::V3_0_2 => &[
                "SupplyLogic",
                "BorrowLogic",
                "LiquidationLogic",
                "EModeLogic",
                "BridgeLogic",
                "PoolLogic",
                "ConfiguratorLogic",
            ],
            AaveVersion::V3_6 => &[
                "SupplyLogic",
                "BorrowLogic",
                "LiquidationLogic",
                "PoolLogic",
                "ConfiguratorLogic",
            ],
        };
        let names = lib_names.iter().copied().chain(["FlashLoanLogic"]);
        let libs = deploy_libraries(&mut evm, a, names, |name| {
            load(
                &format!("protocol/libraries/logic/{name}.sol/{name}.json"),
                name,
            )
        })?;

        // Rate strategy (v3.6: one shared V2 strategy, given to the Pool constructor).
        let strategy_v2 = if version == AaveVersion::V3_6 {
            let art = aave_v36("DefaultReserveInterestRateStrategyV2")?;
            Some(evm.deploy(a, with_args(art.bytecode, (provider,).abi_encode_params()))?)
        } else {
            None
        };
        let pool_art = load("protocol/pool/Pool.sol/Pool.json", "PoolInstance")?;
        let pool_args = match strategy_v2 {
            Some(s) => (provider, s).abi_encode_params(),
            None => (provider,).abi_encode_params(),
        };
        let pool_init = with_args(pool_art.linked(&libs)?, pool_args);
        deploy_registered(&mut evm, a, provider, pool_init, |addr| {
            IProvider::setPoolImplCall { newPoolImpl: addr }
        })?;
        let pool = evm.get(provider, IProvider::getPoolCall {})?;
        let conf_art = load(
            "protocol/pool/PoolConfigurator.sol/PoolConfigurator.json",
            "PoolConfiguratorInstance",
        )?;
        let conf_init = conf_art.linked(&libs)?;
        deploy_registered(&mut evm, a, provider, conf_init, |addr| {
            IProvider::setPoolConfiguratorImplCall {
                newPoolConfiguratorImpl: addr,
            }
        })?;
        let configurator = evm.get(provider, IProvider::getPoolConfiguratorCall {})?;

        // Tokens and price feeds.
        let erc20 = load(
            "mocks/tokens/MintableERC20.sol/MintableERC20.json",
            "MintableERC20",
        )?;
        let mut assets = Vec::new();
        let mut feeds = Vec::new();
        for (i, r) in reserves.iter().enumerate() {
            let args = (
                r.config.symbol.clone(),
                r.config.symbol.clone(),
                U256::from(r.config.decimals),
            )
                .abi_encode_params();
            assets.push(evm.deploy(a, with_args(erc20.bytecode.clone(), args))?);
            let f = feed_address(i);
            evm.set_code(f, constant_word_code(r.price));
            feeds.push(f);
        }
        let oracle_art = load("misc/AaveOracle.sol/AaveOracle.json", "AaveOracle")?;
        let oracle_args = (
            provider,
            assets.clone(),
            feeds.clone(),
            Address::ZERO,
            Address::ZERO,
            U256::from(100_000_000u64),
        );
        let oracle_init = with_args(oracle_art.bytecode, oracle_args.abi_encode_params());
        deploy_registered(&mut evm, a, provider, oracle_init, |addr| {
            IProvider::setPriceOracleCall {
                newPriceOracle: addr,
            }
        })?;

        // Reserves.
        match version {
            AaveVersion::V3_0_2 => {
                let at = aave_v302("protocol/tokenization/AToken.sol/AToken.json")?;
                let st =
                    aave_v302("protocol/tokenization/StableDebtToken.sol/StableDebtToken.json")?;
                let vt = aave_v302(
                    "protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json",
                )?;
                let at = evm.deploy(a, with_args(at.bytecode, (pool,).abi_encode_params()))?;
                let st = evm.deploy(a, with_args(st.bytecode, (pool,).abi_encode_params()))?;
                let vt = evm.deploy(a, with_args(vt.bytecode, (pool,).abi_encode_params()))?;
                let strat_art = aave_v302(
                    "protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json",
                )?;
                let mut inputs = Vec::new();
                for (i, r) in reserves.iter().enumerate() {
                    let d = &r.config.rate;
                    let s = &r.stable;
                    let args = (
                        provider,
                        bps_ray(u32::from(d.optimal_usage_ratio)),
                        bps_ray(d.base_variable_borrow_rate),
                        bps_ray(d.variable_rate_slope1),
                        bps_ray(d.variable_rate_slope2),
                        bps_ray(s.stable_rate_slope1),
                        bps_ray(s.stable_rate_slope2),
                        bps_ray(s.base_stable_rate_offset),
                        bps_ray(s.stable_rate_excess_offset),
                        bps_ray(s.optimal_stable_to_total_debt_ratio),
                    )
                        .abi_encode_params();
                    let strat = evm.deploy(a, with_args(strat_art.bytecode.clone(), args))?;
                    inputs.push(IConfiguratorV30::InitReserveInput {
                        aTokenImpl: at,
                        stableDebtTokenImpl: st,
                        variableDebtTokenImpl: vt,
                        underlyingAssetDecimals: r.config.decimals,
                        interestRateStrategyAddress: strat,
                        underlyingAsset: assets[i],
                        treasury: TREASURY,
                        incentivesController: Address::ZERO,
                        aTokenName: format!("a{}", r.config.symbol),
                        aTokenSymbol: format!("a{}", r.config.symbol),
                        variableDebtTokenName: format!("v{}", r.config.symbol),
                        variableDebtTokenSymbol: format!("v{}", r.config.symbol),
                        stableDebtTokenName: format!("s{}", r.config.symbol),
                        stableDebtTokenSymbol: format!("s{}", r.config.symbol),
                        params: Default::default(),
                    });
                }
                evm.send(
                    a,
                    configurator,
                    IConfiguratorV30::initReservesCall { input: inputs },
                )?;
            }
            AaveVersion::V3_6 => {
                let at = aave_v36("ATokenInstance")?;
                let vt = aave_v36("VariableDebtTokenInstance")?;
                let at = evm.deploy(
                    a,
                    with_args(
                        at.bytecode,
                        (pool, Address::ZERO, TREASURY).abi_encode_params(),
                    ),
                )?;
                let vt = evm.deploy(
                    a,
                    with_args(vt.bytecode, (pool, Address::ZERO).abi_encode_params()),
                )?;
                let mut inputs = Vec::new();
                for (i, r) in reserves.iter().enumerate() {
                    let d = &r.config.rate;
                    let ird = (
                        d.optimal_usage_ratio,
                        d.base_variable_borrow_rate,
                        d.variable_rate_slope1,
                        d.variable_rate_slope2,
                    )
                        .abi_encode();
                    inputs.push(IConfiguratorV36::InitReserveInput {
                        aTokenImpl: at,
                        variableDebtTokenImpl: vt,
                        underlyingAsset: assets[i],
                        aTokenName: format!("a{}", r.config.symbol),
                        aTokenSymbol: format!("a{}", r.config.symbol),
                        variableDebtTokenName: format!("v{}", r.config.symbol),
                        variableDebtTokenSymbol: format!("v{}", r.config.symbol),
                        params: Default::default(),
                        interestRateData: ird.into(),
                    });
                }
                evm.send(
                    a,
                    configurator,
                    IConfiguratorV36::initReservesCall { input: inputs },
                )?;
            }
        }
        let mut a_tokens = Vec::new();
        let mut v_tokens = Vec::new();
        for (i, r) in reserves.iter().enumerate() {
            let asset = assets[i];
            let rd = evm.get(pool, IPool::getReserveDataCall { asset })?;
            a_tokens.push(rd.aTokenAddress);
            v_tokens.push(rd.variableDebtTokenAddress);
            let c = configurator;
            evm.send(
                a,
                c,
                IConfigurator::configureReserveAsCollateralCall {
                    asset,
                    ltv: U256::from(r.config.ltv),
                    liquidationThreshold: U256::from(r.config.liquidation_threshold),
                    liquidationBonus: U256::from(r.config.liquidation_bonus),
                },
            )?;
            evm.send(
                a,
                c,
                IConfigurator::setReserveBorrowingCall {
                    asset,
                    enabled: true,
                },
            )?;
            evm.send(
                a,
                c,
                IConfigurator::setReserveFactorCall {
                    asset,
                    newReserveFactor: U256::from(r.config.reserve_factor),
                },
            )?;
            evm.send(
                a,
                c,
                IConfigurator::setLiquidationProtocolFeeCall {
                    asset,
                    newFee: U256::from(r.config.liquidation_protocol_fee),
                },
            )?;
            evm.send(
                a,
                c,
                IConfigurator::setSupplyCapCall {
                    asset,
                    newSupplyCap: U256::from(r.config.supply_cap),
                },
            )?;
            evm.send(
                a,
                c,
                IConfigurator::setBorrowCapCall {
                    asset,
                    newBorrowCap: U256::from(r.config.borrow_cap),
                },
            )?;
        }
        for e in emodes {
            match version {
                AaveVersion::V3_0_2 => {
                    evm.send(
                        a,
                        configurator,
                        IConfiguratorV30::setEModeCategoryCall {
                            categoryId: e.id,
                            ltv: e.ltv,
                            liquidationThreshold: e.liquidation_threshold,
                            liquidationBonus: e.liquidation_bonus,
                            oracle: Address::ZERO,
                            label: format!("e{}", e.id),
                        },
                    )?;
                    for &i in &e.assets {
                        evm.send(
                            a,
                            configurator,
                            IConfiguratorV30::setAssetEModeCategoryCall {
                                asset: assets[i],
                                newCategoryId: e.id,
                            },
                        )?;
                    }
                }
                AaveVersion::V3_6 => {
                    evm.send(
                        a,
                        configurator,
                        IConfiguratorV36::setEModeCategoryCall {
                            categoryId: e.id,
                            ltv: e.ltv,
                            liquidationThreshold: e.liquidation_threshold,
                            liquidationBonus: e.liquidation_bonus,
                            label: format!("e{}", e.id),
                        },
                    )?;
                    for &i in &e.assets {
                        evm.send(
                            a,
                            configurator,
                            IConfiguratorV36::setAssetCollateralInEModeCall {
                                asset: assets[i],
                                categoryId: e.id,
                                allowed: true,
                            },
                        )?;
                        evm.send(
                            a,
                            configurator,
                            IConfiguratorV36::setAssetBorrowableInEModeCall {
                                asset: assets[i],
                                categoryId: e.id,
                                borrowable: true,
                            },
                        )?;
                    }
                }
            }
        }
        // Users: funded and approving the pool.
        let users: Vec<Address> = (0..n_users).map(user_address).collect();
        fund_users(&mut evm, pool, &assets, &users, |account, value| {
            IErc20::mintCall { account, value }
        })?;
        Ok(EvmAave {
            evm,
            version,
            admin: a,
            pool,
            configurator,
            assets,
            a_tokens,
            v_tokens,
            feeds,
            treasury: TREASURY,
            users,
        })
    }

    fn admin_call<C: SolCall>(&mut self, call: C) -> Result<Outcome> {
        self.evm
            .call(self.admin, self.configurator, call.abi_encode())
    }

    /// `Pool.supply(asset, amount, user, 0)` from `user`.
    pub fn supply(&mut self, user: usize, asset: usize, amount: U256) -> Result<Outcome> {
        let (a, u) = (self.assets[asset], self.users[user]);
        self.pool_call(
            user,
            IPool::supplyCall {
                asset: a,
                amount,
                onBehalfOf: u,
                referralCode: 0,
            },
        )
    }

    /// `Pool.borrow(asset, amount, 2, 0, user)` from `user`.
    pub fn borrow(&mut self, user: usize, asset: usize, amount: U256) -> Result<Outcome> {
        self.borrow_with_mode(user, asset, amount, RateMode::Variable)
    }

    /// `Pool.repay(asset, amount, 2, user)` from `user`.
    pub fn repay(&mut self, user: usize, asset: usize, amount: U256) -> Result<Outcome> {
        self.repay_with_mode(user, user, asset, amount, RateMode::Variable)
    }

    /// `Pool.setUserEMode(category)` from `user`.
    pub fn set_user_emode(&mut self, user: usize, category: u8) -> Result<Outcome> {
        self.pool_call(
            user,
            IPool::setUserEModeCall {
                categoryId: category,
            },
        )
    }

    /// Replaces the price feed's answer (8-dp USD).
    pub fn set_price(&mut self, asset: usize, price: U256) {
        self.evm
            .set_code(self.feeds[asset], constant_word_code(price));
    }

    /// `PoolConfigurator.setSupplyCap`.
    pub fn set_supply_cap(&mut self, asset: usize, cap: u64) -> Result<Outcome> {
        let asset = self.assets[asset];
        self.admin_call(IConfigurator::setSupplyCapCall {
            asset,
            newSupplyCap: U256::from(cap),
        })
    }

    /// `PoolConfigurator.setBorrowCap`.
    pub fn set_borrow_cap(&mut self, asset: usize, cap: u64) -> Result<Outcome> {
        let asset = self.assets[asset];
        self.admin_call(IConfigurator::setBorrowCapCall {
            asset,
            newBorrowCap: U256::from(cap),
        })
    }

    /// `PoolConfigurator.setReserveFreeze`.
    pub fn set_freeze(&mut self, asset: usize, freeze: bool) -> Result<Outcome> {
        let asset = self.assets[asset];
        self.admin_call(IConfigurator::setReserveFreezeCall { asset, freeze })
    }

    /// Reads a reserve's state.
    pub fn reserve(&mut self, i: usize) -> Result<ReserveSnapshot> {
        let asset = self.assets[i];
        let rd = self
            .evm
            .get(self.pool, IPool::getReserveDataCall { asset })?;
        let (at, vt) = (self.a_tokens[i], self.v_tokens[i]);
        let scaled_total_supply = scaled_total(&mut self.evm, at)?;
        let scaled_total_debt = scaled_total(&mut self.evm, vt)?;
        let treasury_scaled = scaled_balance(&mut self.evm, at, self.treasury)?;
        let (liquidity, deficit) = match self.version {
            AaveVersion::V3_0_2 => (erc20_balance(&mut self.evm, asset, at)?, U256::ZERO),
            AaveVersion::V3_6 => (
                U256::from(
                    self.evm
                        .get(self.pool, IPool::getVirtualUnderlyingBalanceCall { asset })?,
                ),
                self.evm
                    .get(self.pool, IPool::getReserveDeficitCall { asset })?,
            ),
        };
        Ok(ReserveSnapshot {
            liquidity_index: U256::from(rd.liquidityIndex),
            variable_borrow_index: U256::from(rd.variableBorrowIndex),
            liquidity_rate: U256::from(rd.currentLiquidityRate),
            variable_borrow_rate: U256::from(rd.currentVariableBorrowRate),
            stable_borrow_rate: U256::from(rd.currentStableBorrowRate),
            last_update: rd.lastUpdateTimestamp.to::<u64>(),
            accrued_to_treasury: U256::from(rd.accruedToTreasury),
            scaled_total_supply,
            scaled_total_debt,
            liquidity,
            deficit,
            treasury_scaled,
        })
    }

    /// Reads a user's balances in every reserve and `getUserAccountData`.
    pub fn user(&mut self, u: usize) -> Result<UserSnapshot> {
        let user = self.users[u];
        let mut balances = Vec::new();
        for i in 0..self.assets.len() {
            let (at, vt) = (self.a_tokens[i], self.v_tokens[i]);
            balances.push(token_balances(&mut self.evm, at, vt, user)?);
        }
        let account = self.account_data(u)?;
        Ok(UserSnapshot { balances, account })
    }
}

impl LendingPool for EvmAave {
    fn parts(&mut self) -> PoolParts<'_> {
        (&mut self.evm, self.pool, &self.assets, &self.users)
    }
}
