//! The real Aave v2 market (`@aave/protocol-v2@1.0.1`, solc 0.6.12 Hardhat artifacts)
//! deployed in revm.
//!
//! Deployment order (`protocol-math-aave-v2-uniswap-v3.md` §A.2):
//! `LendingPoolAddressesProvider("bankrun")` (owner = admin) → `setPoolAdmin` /
//! `setEmergencyAdmin` → libraries `ReserveLogic`, `GenericLogic`, `ValidationLogic`
//! (linked to GenericLogic) → `LendingPool` implementation linked to ReserveLogic and
//! ValidationLogic → `setLendingPoolImpl` (proxy + `initialize`) →
//! `LendingPoolConfigurator` → `setLendingPoolConfiguratorImpl` →
//! `LendingPoolCollateralManager` → `setLendingPoolCollateralManager` → `PriceOracle` and
//! `LendingRateOracle` mocks → per asset `MintableERC20`,
//! `DefaultReserveInterestRateStrategy`, `AToken` / `StableDebtToken` /
//! `VariableDebtToken` implementations (constructed with the pool proxy), `initReserve`
//! → `configureReserveAsCollateral`, `enableBorrowingOnReserve`, `setReserveFactor`, the
//! asset price and the market borrow rate.
//!
//! Prices are ETH wei per whole token (18-decimal base); `getUserAccountData` is
//! ETH-denominated. Every revert of this version is an `Error(string)`.

pub use crate::aave::bps_ray;
use crate::aave::{user_address, with_args};
use crate::artifacts::aave_v2;
use crate::evm::{Evm, Outcome, constant_word_code, describe_revert};
pub use crate::lending_pool::RateMode;
use crate::lending_pool::{
    LendingPool, PoolParts, deploy_libraries, deploy_registered, erc20_balance, fund_users,
    scaled_balance, scaled_total, token_balances,
};
use crate::market::reserve_config;
use alloy_primitives::{Address, U256, address};
use alloy_sol_types::{SolCall, SolValue, sol};
use anyhow::{Context as _, Result, anyhow};
use bankrun_aave::{ReserveConfig, StableRateParams};

sol! {
    interface IProviderV2 {
        function setPoolAdmin(address admin) external;
        function setEmergencyAdmin(address admin) external;
        function setLendingPoolImpl(address pool) external;
        function getLendingPool() external view returns (address);
        function setLendingPoolConfiguratorImpl(address configurator) external;
        function getLendingPoolConfigurator() external view returns (address);
        function setLendingPoolCollateralManager(address manager) external;
        function setPriceOracle(address priceOracle) external;
        function setLendingRateOracle(address lendingRateOracle) external;
    }
    interface IConfiguratorV2 {
        function initReserve(address aTokenImpl, address stableDebtTokenImpl, address variableDebtTokenImpl, uint8 underlyingAssetDecimals, address interestRateStrategyAddress) external;
        function configureReserveAsCollateral(address asset, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus) external;
        function enableBorrowingOnReserve(address asset, bool stableBorrowRateEnabled) external;
        function setReserveFactor(address asset, uint256 reserveFactor) external;
        function freezeReserve(address asset) external;
        function unfreezeReserve(address asset) external;
        function setPoolPause(bool val) external;
    }
    interface IPriceOracleV2 {
        function setAssetPrice(address asset, uint256 price) external;
        function getAssetPrice(address asset) external view returns (uint256);
    }
    interface ILendingRateOracleV2 {
        function setMarketBorrowRate(address asset, uint256 rate) external;
        function getMarketBorrowRate(address asset) external view returns (uint256);
    }
    interface IMintableV2 {
        function mint(uint256 value) external returns (bool);
    }
    interface IStableDebtV2 {
        function getSupplyData() external view returns (uint256, uint256, uint256, uint40);
        function getUserStableRate(address user) external view returns (uint256);
        function getUserLastUpdated(address user) external view returns (uint40);
        function principalBalanceOf(address user) external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
    }
    interface IStrategyV2 {
        function calculateInterestRates(address reserve, uint256 availableLiquidity, uint256 totalStableDebt, uint256 totalVariableDebt, uint256 averageStableBorrowRate, uint256 reserveFactor) external view returns (uint256, uint256, uint256);
    }
    struct ReserveConfigurationMapV2 { uint256 data; }
    struct ReserveDataV2 {
        ReserveConfigurationMapV2 configuration;
        uint128 liquidityIndex;
        uint128 variableBorrowIndex;
        uint128 currentLiquidityRate;
        uint128 currentVariableBorrowRate;
        uint128 currentStableBorrowRate;
        uint40 lastUpdateTimestamp;
        address aTokenAddress;
        address stableDebtTokenAddress;
        address variableDebtTokenAddress;
        address interestRateStrategyAddress;
        uint8 id;
    }
    interface ILendingPoolV2 {
        function deposit(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
        function swapBorrowRateMode(address asset, uint256 rateMode) external;
        function rebalanceStableBorrowRate(address asset, address user) external;
        function setUserUseReserveAsCollateral(address asset, bool useAsCollateral) external;
        function getReserveData(address asset) external view returns (ReserveDataV2 memory);
        function getUserConfiguration(address user) external view returns (uint256);
        function getReserveNormalizedIncome(address asset) external view returns (uint256);
        function getReserveNormalizedVariableDebt(address asset) external view returns (uint256);
        function paused() external view returns (bool);
    }
}

/// Listing parameters of one v2 reserve.
///
/// `config` carries decimals, LTV / LT / bonus, reserve factor, `borrowing_enabled`,
/// `frozen` and the variable part of the strategy (`rate`: optimal utilisation, base,
/// slope 1, slope 2, bps); caps, protocol fee and pause have no v2 counterpart and must
/// be zero / false.
#[derive(Debug, Clone)]
pub struct ReserveSpecV2 {
    /// The shared reserve configuration.
    pub config: ReserveConfig,
    /// Stable slopes of the strategy, bps (`stable_rate_slope1`, `stable_rate_slope2`;
    /// the v3.0-only fields are unused and zero).
    pub stable: StableRateParams,
    /// `enableBorrowingOnReserve(asset, stableBorrowRateEnabled)`.
    pub stable_borrowing: bool,
    /// `LendingRateOracle.setMarketBorrowRate(asset, ·)`, RAY (the stable base rate).
    pub market_borrow_rate: U256,
    /// Initial price, ETH wei per whole token.
    pub price: U256,
}

/// A v2 reserve: `symbol`, `decimals`, price (ETH wei per whole token), `(ltv, lt,
/// bonus)` bps, reserve factor bps, variable strategy `(optimal, base, slope1, slope2)`
/// bps, stable slopes `(slope1, slope2)` bps, market borrow rate bps, stable borrowing.
#[allow(clippy::too_many_arguments)]
pub fn spec_v2(
    symbol: &str,
    decimals: u8,
    price: U256,
    factors: (u16, u16, u16),
    reserve_factor: u16,
    rate: (u16, u32, u32, u32),
    (ss1, ss2): (u32, u32),
    market_rate_bps: u32,
    stable_borrowing: bool,
) -> ReserveSpecV2 {
    ReserveSpecV2 {
        config: reserve_config(symbol, decimals, factors, reserve_factor, rate),
        stable: StableRateParams {
            stable_rate_slope1: ss1,
            stable_rate_slope2: ss2,
            ..Default::default()
        },
        stable_borrowing,
        market_borrow_rate: bps_ray(market_rate_bps),
        price,
    }
}

/// ETH wei per whole USDC / DAI at ETH = $2,000.
pub const USD_IN_WEI: u64 = 500_000_000_000_000;

/// The differential market: WETH (18 dp, price 1 ETH), USDC (6 dp) and DAI (18 dp),
/// with Aave v2 Ethereum-market-like parameters (strategies of the v2 mainnet WETH,
/// USDC and DAI reserves, stable borrowing enabled everywhere, reserve factor 10 %).
pub fn default_reserves_v2() -> Vec<ReserveSpecV2> {
    let e18 = U256::from(10u8).pow(U256::from(18u8));
    vec![
        spec_v2(
            "WETH",
            18,
            e18,
            (8000, 8250, 10500),
            1000,
            (6500, 0, 800, 10000),
            (1000, 10000),
            300,
            true,
        ),
        spec_v2(
            "USDC",
            6,
            U256::from(USD_IN_WEI),
            (8000, 8500, 10500),
            1000,
            (9000, 0, 400, 6000),
            (200, 6000),
            350,
            true,
        ),
        spec_v2(
            "DAI",
            18,
            U256::from(USD_IN_WEI + USD_IN_WEI / 100),
            (7500, 8000, 10500),
            1000,
            (8000, 0, 400, 7500),
            (200, 7500),
            350,
            true,
        ),
    ]
}

/// Reserve state read from the real v2 pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReserveSnapshotV2 {
    /// `liquidityIndex`.
    pub liquidity_index: U256,
    /// `variableBorrowIndex`.
    pub variable_borrow_index: U256,
    /// `currentLiquidityRate`.
    pub liquidity_rate: U256,
    /// `currentVariableBorrowRate`.
    pub variable_borrow_rate: U256,
    /// `currentStableBorrowRate`.
    pub stable_borrow_rate: U256,
    /// `lastUpdateTimestamp`.
    pub last_update: u64,
    /// aToken `scaledTotalSupply` (users + treasury).
    pub scaled_total_supply: U256,
    /// Variable debt token `scaledTotalSupply`.
    pub scaled_total_variable_debt: U256,
    /// The treasury's scaled aToken balance.
    pub treasury_scaled: U256,
    /// `underlying.balanceOf(aToken)`: the available liquidity.
    pub liquidity: U256,
    /// `StableDebtToken.getSupplyData()`: principal supply.
    pub stable_principal_supply: U256,
    /// `getSupplyData()`: total supply compounded to now.
    pub stable_total_supply: U256,
    /// `getSupplyData()`: average stable rate.
    pub stable_avg_rate: U256,
    /// `getSupplyData()`: timestamp of the total supply.
    pub stable_supply_timestamp: u64,
}

/// A user's position in one reserve, read from the real v2 pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserReserveV2 {
    /// aToken `scaledBalanceOf`.
    pub scaled_a: U256,
    /// Variable debt `scaledBalanceOf`.
    pub scaled_variable: U256,
    /// aToken `balanceOf`.
    pub a_balance: U256,
    /// Variable debt `balanceOf`.
    pub variable_balance: U256,
    /// Stable debt `principalBalanceOf`.
    pub stable_principal: U256,
    /// `getUserStableRate`.
    pub stable_rate: U256,
    /// `getUserLastUpdated`.
    pub stable_timestamp: u64,
    /// Stable debt `balanceOf` (compounded to now).
    pub stable_balance: U256,
}

/// A user read from the real v2 pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserSnapshotV2 {
    /// Per reserve.
    pub reserves: Vec<UserReserveV2>,
    /// Reserves used as collateral (bit i = reserve i; from `getUserConfiguration` bit 2i+1).
    pub collateral_bitmap: u128,
    /// Reserves borrowed (bit i = reserve i; from `getUserConfiguration` bit 2i).
    pub borrowing_bitmap: u128,
    /// `getUserAccountData`: collateral ETH, debt ETH, available borrows ETH, LT, LTV, HF.
    pub account: [U256; 6],
}

/// The deployed v2 market.
pub struct EvmAaveV2 {
    /// The chain.
    pub evm: Evm,
    admin: Address,
    provider: Address,
    pool: Address,
    configurator: Address,
    price_oracle: Address,
    rate_oracle: Address,
    /// Underlying tokens.
    pub assets: Vec<Address>,
    /// aToken proxies.
    pub a_tokens: Vec<Address>,
    /// Stable debt token proxies.
    pub s_tokens: Vec<Address>,
    /// Variable debt token proxies.
    pub v_tokens: Vec<Address>,
    /// Rate strategies.
    pub strategies: Vec<Address>,
    treasury: Address,
    /// User EOAs (index = native user id).
    pub users: Vec<Address>,
}

const ADMIN: Address = address!("00000000000000000000000000000000000a0002");
/// The treasury of every reserve (the aTokens' `RESERVE_TREASURY_ADDRESS`).
pub const TREASURY_V2: Address = address!("00000000000000000000000000000000000b0002");

fn load(rel: &str) -> Result<crate::artifacts::Artifact> {
    aave_v2(rel)
}

/// Deploys a bare `DefaultReserveInterestRateStrategy` (ray parameters) whose provider is
/// a constant stub answering the address of a second stub that answers
/// `market_borrow_rate` (so `getLendingRateOracle()` and `getMarketBorrowRate()` both
/// work), as in §A.15 step 1. Returns the strategy's address.
#[allow(clippy::too_many_arguments)]
pub fn deploy_bare_strategy(
    evm: &mut Evm,
    optimal: U256,
    base: U256,
    v_slope1: U256,
    v_slope2: U256,
    s_slope1: U256,
    s_slope2: U256,
    market_borrow_rate: U256,
) -> Result<Address> {
    let rate_stub = address!("00000000000000000000000000000000000c0002");
    let provider_stub = address!("00000000000000000000000000000000000c0001");
    evm.set_code(rate_stub, constant_word_code(market_borrow_rate));
    evm.set_code(
        provider_stub,
        constant_word_code(U256::from_be_slice(rate_stub.as_slice())),
    );
    let art = load(
        "protocol/lendingpool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json",
    )?;
    let args = (
        provider_stub,
        optimal,
        base,
        v_slope1,
        v_slope2,
        s_slope1,
        s_slope2,
    )
        .abi_encode_params();
    evm.deploy(ADMIN, with_args(art.bytecode, args))
}

impl EvmAaveV2 {
    /// Deploys and configures the market at timestamp `t0`, with `n_users` funded users
    /// (each mints 1e36 wei of every token and approves the pool).
    pub fn deploy(reserves: &[ReserveSpecV2], n_users: usize, t0: u64) -> Result<Self> {
        let mut evm = Evm::new();
        evm.set_timestamp(t0);
        let a = ADMIN;

        // 1. Provider (Ownable: owner = deployer), pool and emergency admin.
        let provider_art = load(
            "protocol/configuration/LendingPoolAddressesProvider.sol/LendingPoolAddressesProvider.json",
        )?;
        let provider = evm.deploy(
            a,
            with_args(
                provider_art.bytecode,
                ("bankrun".to_string(),).abi_encode_params(),
            ),
        )?;
        evm.send(a, provider, IProviderV2::setPoolAdminCall { admin: a })?;
        evm.send(a, provider, IProviderV2::setEmergencyAdminCall { admin: a })?;

        // 2. Libraries: ReserveLogic, GenericLogic, ValidationLogic (→ GenericLogic).
        let names = ["ReserveLogic", "GenericLogic", "ValidationLogic"];
        let libs = deploy_libraries(&mut evm, a, names, |name| {
            load(&format!("protocol/libraries/logic/{name}.sol/{name}.json"))
        })?;

        // 3. Pool implementation (→ ReserveLogic ×1, ValidationLogic ×7) and its proxy.
        let pool_art = load("protocol/lendingpool/LendingPool.sol/LendingPool.json")?;
        deploy_registered(&mut evm, a, provider, pool_art.linked(&libs)?, |pool| {
            IProviderV2::setLendingPoolImplCall { pool }
        })?;
        let pool = evm.get(provider, IProviderV2::getLendingPoolCall {})?;

        // 4. Configurator.
        let conf_art =
            load("protocol/lendingpool/LendingPoolConfigurator.sol/LendingPoolConfigurator.json")?;
        deploy_registered(
            &mut evm,
            a,
            provider,
            conf_art.linked(&libs)?,
            |configurator| IProviderV2::setLendingPoolConfiguratorImplCall { configurator },
        )?;
        let configurator = evm.get(provider, IProviderV2::getLendingPoolConfiguratorCall {})?;

        // 5. Collateral manager (delegatecalled by the pool; a raw address).
        let cm_art = load(
            "protocol/lendingpool/LendingPoolCollateralManager.sol/LendingPoolCollateralManager.json",
        )?;
        deploy_registered(&mut evm, a, provider, cm_art.linked(&libs)?, |manager| {
            IProviderV2::setLendingPoolCollateralManagerCall { manager }
        })?;

        // 6. Oracles: PriceOracle (unrestricted setter) and the mandatory LendingRateOracle.
        let po = load("mocks/oracle/PriceOracle.sol/PriceOracle.json")?;
        let price_oracle = deploy_registered(&mut evm, a, provider, po.bytecode, |addr| {
            IProviderV2::setPriceOracleCall { priceOracle: addr }
        })?;
        let ro = load("mocks/oracle/LendingRateOracle.sol/LendingRateOracle.json")?;
        let rate_oracle = deploy_registered(&mut evm, a, provider, ro.bytecode, |oracle| {
            IProviderV2::setLendingRateOracleCall {
                lendingRateOracle: oracle,
            }
        })?;

        // 7–9. Per asset.
        let erc20 = load("mocks/tokens/MintableERC20.sol/MintableERC20.json")?;
        let strat_art = load(
            "protocol/lendingpool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json",
        )?;
        let at_art = load("protocol/tokenization/AToken.sol/AToken.json")?;
        let st_art = load("protocol/tokenization/StableDebtToken.sol/StableDebtToken.json")?;
        let vt_art = load("protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json")?;
        let mut m = EvmAaveV2 {
            evm,
            admin: a,
            provider,
            pool,
            configurator,
            price_oracle,
            rate_oracle,
            assets: Vec::new(),
            a_tokens: Vec::new(),
            s_tokens: Vec::new(),
            v_tokens: Vec::new(),
            strategies: Vec::new(),
            treasury: TREASURY_V2,
            users: Vec::new(),
        };
        for r in reserves {
            let c = &r.config;
            anyhow::ensure!(
                c.supply_cap == 0 && c.borrow_cap == 0 && c.liquidation_protocol_fee == 0,
                "v2 has no caps and no liquidation protocol fee ({})",
                c.symbol
            );
            let sym = c.symbol.clone();
            let asset = m.evm.deploy(
                a,
                with_args(
                    erc20.bytecode.clone(),
                    (sym.clone(), sym.clone(), U256::from(c.decimals)).abi_encode_params(),
                ),
            )?;
            let d = &c.rate;
            let strategy = m.evm.deploy(
                a,
                with_args(
                    strat_art.bytecode.clone(),
                    (
                        provider,
                        bps_ray(u32::from(d.optimal_usage_ratio)),
                        bps_ray(d.base_variable_borrow_rate),
                        bps_ray(d.variable_rate_slope1),
                        bps_ray(d.variable_rate_slope2),
                        bps_ray(r.stable.stable_rate_slope1),
                        bps_ray(r.stable.stable_rate_slope2),
                    )
                        .abi_encode_params(),
                ),
            )?;
            let at = m.evm.deploy(
                a,
                with_args(
                    at_art.bytecode.clone(),
                    (
                        pool,
                        asset,
                        TREASURY_V2,
                        format!("a{sym}"),
                        format!("a{sym}"),
                        Address::ZERO,
                    )
                        .abi_encode_params(),
                ),
            )?;
            let debt_args = |prefix: &str| {
                (
                    pool,
                    asset,
                    format!("{prefix}{sym}"),
                    format!("{prefix}{sym}"),
                    Address::ZERO,
                )
                    .abi_encode_params()
            };
            let st = m
                .evm
                .deploy(a, with_args(st_art.bytecode.clone(), debt_args("s")))?;
            let vt = m
                .evm
                .deploy(a, with_args(vt_art.bytecode.clone(), debt_args("v")))?;
            m.evm.send(
                a,
                configurator,
                IConfiguratorV2::initReserveCall {
                    aTokenImpl: at,
                    stableDebtTokenImpl: st,
                    variableDebtTokenImpl: vt,
                    underlyingAssetDecimals: c.decimals,
                    interestRateStrategyAddress: strategy,
                },
            )?;
            let rd = m
                .evm
                .get(pool, ILendingPoolV2::getReserveDataCall { asset })?;
            m.evm.send(
                a,
                configurator,
                IConfiguratorV2::configureReserveAsCollateralCall {
                    asset,
                    ltv: U256::from(c.ltv),
                    liquidationThreshold: U256::from(c.liquidation_threshold),
                    liquidationBonus: U256::from(c.liquidation_bonus),
                },
            )?;
            if c.borrowing_enabled {
                m.evm.send(
                    a,
                    configurator,
                    IConfiguratorV2::enableBorrowingOnReserveCall {
                        asset,
                        stableBorrowRateEnabled: r.stable_borrowing,
                    },
                )?;
            }
            m.evm.send(
                a,
                configurator,
                IConfiguratorV2::setReserveFactorCall {
                    asset,
                    reserveFactor: U256::from(c.reserve_factor),
                },
            )?;
            if c.frozen {
                m.evm.send(
                    a,
                    configurator,
                    IConfiguratorV2::freezeReserveCall { asset },
                )?;
            }
            m.evm.send(
                a,
                price_oracle,
                IPriceOracleV2::setAssetPriceCall {
                    asset,
                    price: r.price,
                },
            )?;
            m.evm.send(
                a,
                rate_oracle,
                ILendingRateOracleV2::setMarketBorrowRateCall {
                    asset,
                    rate: r.market_borrow_rate,
                },
            )?;
            m.assets.push(asset);
            m.a_tokens.push(rd.aTokenAddress);
            m.s_tokens.push(rd.stableDebtTokenAddress);
            m.v_tokens.push(rd.variableDebtTokenAddress);
            m.strategies.push(strategy);
        }

        // 10. Users: funded and approving the pool.
        m.users = (0..n_users).map(user_address).collect();
        fund_users(&mut m.evm, pool, &m.assets, &m.users, |_, value| {
            IMintableV2::mintCall { value }
        })?;
        Ok(m)
    }

    /// The pool proxy.
    pub fn pool(&self) -> Address {
        self.pool
    }

    /// The `LendingPoolAddressesProvider`.
    pub fn provider(&self) -> Address {
        self.provider
    }

    fn admin_call<C: SolCall>(&mut self, to: Address, call: C) -> Result<Outcome> {
        self.evm.call(self.admin, to, call.abi_encode())
    }

    /// `deposit(asset, amount, user, 0)` from `user`.
    pub fn deposit(&mut self, user: usize, asset: usize, amount: U256) -> Result<Outcome> {
        let call = ILendingPoolV2::depositCall {
            asset: self.assets[asset],
            amount,
            onBehalfOf: self.users[user],
            referralCode: 0,
        };
        self.pool_call(user, call)
    }

    /// `swapBorrowRateMode(asset, current_mode)` from `user`.
    pub fn swap_rate_mode(
        &mut self,
        user: usize,
        asset: usize,
        current_mode: RateMode,
    ) -> Result<Outcome> {
        let call = ILendingPoolV2::swapBorrowRateModeCall {
            asset: self.assets[asset],
            rateMode: current_mode.abi(),
        };
        self.pool_call(user, call)
    }

    /// `rebalanceStableBorrowRate(asset, user)` from `caller`.
    pub fn rebalance(&mut self, caller: usize, asset: usize, user: usize) -> Result<Outcome> {
        let call = ILendingPoolV2::rebalanceStableBorrowRateCall {
            asset: self.assets[asset],
            user: self.users[user],
        };
        self.pool_call(caller, call)
    }

    /// `setUserUseReserveAsCollateral(asset, enable)` from `user`.
    pub fn set_collateral(&mut self, user: usize, asset: usize, enable: bool) -> Result<Outcome> {
        let call = ILendingPoolV2::setUserUseReserveAsCollateralCall {
            asset: self.assets[asset],
            useAsCollateral: enable,
        };
        self.pool_call(user, call)
    }

    /// A transaction from the admin to `to` that must succeed.
    fn admin_send<C: SolCall>(&mut self, to: Address, call: C) -> Result<()> {
        self.evm.send(self.admin, to, call)?;
        Ok(())
    }

    /// `PriceOracle.setAssetPrice` (ETH wei per whole token).
    pub fn set_price(&mut self, asset: usize, price: U256) -> Result<()> {
        let asset = self.assets[asset];
        self.admin_send(
            self.price_oracle,
            IPriceOracleV2::setAssetPriceCall { asset, price },
        )
    }

    /// `LendingRateOracle.setMarketBorrowRate` (RAY).
    pub fn set_market_borrow_rate(&mut self, asset: usize, rate: U256) -> Result<()> {
        let asset = self.assets[asset];
        let call = ILendingRateOracleV2::setMarketBorrowRateCall { asset, rate };
        self.admin_send(self.rate_oracle, call)
    }

    /// `LendingPoolConfigurator.setReserveFactor` (no state sync in v2).
    pub fn set_reserve_factor(&mut self, asset: usize, rf: u16) -> Result<Outcome> {
        let call = IConfiguratorV2::setReserveFactorCall {
            asset: self.assets[asset],
            reserveFactor: U256::from(rf),
        };
        self.admin_call(self.configurator, call)
    }

    /// `freezeReserve` / `unfreezeReserve`.
    pub fn set_freeze(&mut self, asset: usize, frozen: bool) -> Result<Outcome> {
        let asset = self.assets[asset];
        if frozen {
            self.admin_call(
                self.configurator,
                IConfiguratorV2::freezeReserveCall { asset },
            )
        } else {
            self.admin_call(
                self.configurator,
                IConfiguratorV2::unfreezeReserveCall { asset },
            )
        }
    }

    /// `setPoolPause` (emergency admin).
    pub fn set_pause(&mut self, paused: bool) -> Result<Outcome> {
        self.admin_call(
            self.configurator,
            IConfiguratorV2::setPoolPauseCall { val: paused },
        )
    }

    /// `calculateInterestRates` of reserve `i`'s strategy (a view).
    pub fn strategy_rates(
        &mut self,
        i: usize,
        available: U256,
        stable: U256,
        variable: U256,
        avg_stable: U256,
        rf: U256,
    ) -> Result<(U256, U256, U256)> {
        strategy_rates(
            &mut self.evm,
            self.strategies[i],
            self.assets[i],
            available,
            stable,
            variable,
            avg_stable,
            rf,
        )
    }

    /// Reads a reserve's state.
    pub fn reserve(&mut self, i: usize) -> Result<ReserveSnapshotV2> {
        let asset = self.assets[i];
        let rd = self
            .evm
            .get(self.pool, ILendingPoolV2::getReserveDataCall { asset })?;
        let (at, st, vt) = (self.a_tokens[i], self.s_tokens[i], self.v_tokens[i]);
        let sd = self.evm.get(st, IStableDebtV2::getSupplyDataCall {})?;
        Ok(ReserveSnapshotV2 {
            liquidity_index: U256::from(rd.liquidityIndex),
            variable_borrow_index: U256::from(rd.variableBorrowIndex),
            liquidity_rate: U256::from(rd.currentLiquidityRate),
            variable_borrow_rate: U256::from(rd.currentVariableBorrowRate),
            stable_borrow_rate: U256::from(rd.currentStableBorrowRate),
            last_update: rd.lastUpdateTimestamp.to::<u64>(),
            scaled_total_supply: scaled_total(&mut self.evm, at)?,
            scaled_total_variable_debt: scaled_total(&mut self.evm, vt)?,
            treasury_scaled: scaled_balance(&mut self.evm, at, self.treasury)?,
            liquidity: erc20_balance(&mut self.evm, asset, at)?,
            stable_principal_supply: sd._0,
            stable_total_supply: sd._1,
            stable_avg_rate: sd._2,
            stable_supply_timestamp: sd._3.to::<u64>(),
        })
    }

    /// Reads a user's positions and `getUserAccountData`.
    pub fn user(&mut self, u: usize) -> Result<UserSnapshotV2> {
        let user = self.users[u];
        let mut reserves = Vec::new();
        for i in 0..self.assets.len() {
            let (at, st, vt) = (self.a_tokens[i], self.s_tokens[i], self.v_tokens[i]);
            let (scaled_a, scaled_variable, a_balance, variable_balance) =
                token_balances(&mut self.evm, at, vt, user)?;
            reserves.push(UserReserveV2 {
                scaled_a,
                scaled_variable,
                a_balance,
                variable_balance,
                stable_principal: self
                    .evm
                    .get(st, IStableDebtV2::principalBalanceOfCall { user })?,
                stable_rate: self
                    .evm
                    .get(st, IStableDebtV2::getUserStableRateCall { user })?,
                stable_timestamp: self
                    .evm
                    .get(st, IStableDebtV2::getUserLastUpdatedCall { user })?
                    .to::<u64>(),
                stable_balance: self
                    .evm
                    .get(st, IStableDebtV2::balanceOfCall { account: user })?,
            });
        }
        let cfg = self
            .evm
            .get(self.pool, ILendingPoolV2::getUserConfigurationCall { user })?;
        let (mut collateral_bitmap, mut borrowing_bitmap) = (0u128, 0u128);
        for i in 0..self.assets.len() {
            if cfg.bit(2 * i) {
                borrowing_bitmap |= 1 << i;
            }
            if cfg.bit(2 * i + 1) {
                collateral_bitmap |= 1 << i;
            }
        }
        Ok(UserSnapshotV2 {
            reserves,
            collateral_bitmap,
            borrowing_bitmap,
            account: self.account_data(u)?,
        })
    }
}

impl LendingPool for EvmAaveV2 {
    fn parts(&mut self) -> PoolParts<'_> {
        (&mut self.evm, self.pool, &self.assets, &self.users)
    }
}

/// `calculateInterestRates(asset, available, stable, variable, avgStable, rf)` of the
/// strategy at `strategy`, as a view: `(liquidityRate, stableBorrowRate,
/// variableBorrowRate)`, or the decoded revert.
#[allow(clippy::too_many_arguments)]
pub fn strategy_rates(
    evm: &mut Evm,
    strategy: Address,
    asset: Address,
    available: U256,
    stable: U256,
    variable: U256,
    avg_stable: U256,
    rf: U256,
) -> Result<(U256, U256, U256)> {
    let call = IStrategyV2::calculateInterestRatesCall {
        reserve: asset,
        availableLiquidity: available,
        totalStableDebt: stable,
        totalVariableDebt: variable,
        averageStableBorrowRate: avg_stable,
        reserveFactor: rf,
    };
    match evm.view(strategy, call.abi_encode())? {
        Outcome::Success(out) => {
            let r = IStrategyV2::calculateInterestRatesCall::abi_decode_returns(&out)
                .context("decode calculateInterestRates")?;
            Ok((r._0, r._1, r._2))
        }
        Outcome::Revert(d) => Err(anyhow!("reverted: {}", describe_revert(&d))),
        Outcome::Halt(h) => Err(anyhow!("halted: {h}")),
    }
}

/// The `Error(string)` message of a revert, if it is one.
pub fn revert_reason(data: &[u8]) -> Option<String> {
    use alloy_sol_types::SolError;
    crate::evm::Error::abi_decode(data).ok().map(|e| e.message)
}
