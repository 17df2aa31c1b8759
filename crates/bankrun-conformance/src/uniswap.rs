//! `UniswapV2Pair` / `UniswapV2Factory` from `@uniswap/v2-core@1.0.1` (byte-identical to
//! mainnet: the pair's init-code hash is the one hard-coded in v2-periphery) deployed in
//! revm, against the native `bankrun_dex::uniswap_v2::get_amount_out`.

use crate::artifacts::uniswap_v2;
use crate::evm::{Evm, Outcome};
use alloy_primitives::{Address, U256, address};
use alloy_sol_types::{SolCall, SolValue, sol};
use anyhow::Result;

sol! {
    interface IUniFactory {
        function createPair(address tokenA, address tokenB) external returns (address pair);
    }
    interface IUniPair {
        function mint(address to) external returns (uint256 liquidity);
        function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data) external;
        function token0() external view returns (address);
        function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    }
    interface IUniErc20 {
        function transfer(address to, uint256 value) external returns (bool);
    }
}

const OWNER: Address = address!("0000000000000000000000000000000000c0ffee");

/// A funded pair: `token_in` is sold for `token_out`.
pub struct UniPair {
    evm: Evm,
    pair: Address,
    token_in: Address,
    /// True when the sold token is the pair's `token0`.
    pub in_is_token0: bool,
}

impl UniPair {
    /// Deploys two test tokens, the factory and a pair holding the given reserves.
    pub fn deploy(reserve_in: U256, reserve_out: U256) -> Result<Self> {
        let mut evm = Evm::new();
        let erc20 = uniswap_v2("ERC20")?;
        let supply = U256::from(1u8) << 200;
        let mut token = || -> Result<Address> {
            let mut code = erc20.bytecode.clone();
            code.extend((supply,).abi_encode_params());
            evm.deploy(OWNER, code)
        };
        let (ta, tb) = (token()?, token()?);
        let mut code = uniswap_v2("UniswapV2Factory")?.bytecode;
        code.extend((OWNER,).abi_encode_params());
        let factory = evm.deploy(OWNER, code)?;
        let pair = evm.send(
            OWNER,
            factory,
            IUniFactory::createPairCall {
                tokenA: ta,
                tokenB: tb,
            },
        )?;
        evm.send(
            OWNER,
            ta,
            IUniErc20::transferCall {
                to: pair,
                value: reserve_in,
            },
        )?;
        evm.send(
            OWNER,
            tb,
            IUniErc20::transferCall {
                to: pair,
                value: reserve_out,
            },
        )?;
        evm.send(OWNER, pair, IUniPair::mintCall { to: OWNER })?;
        let token0 = evm.get(pair, IUniPair::token0Call {})?;
        Ok(UniPair {
            evm,
            pair,
            token_in: ta,
            in_is_token0: token0 == ta,
        })
    }

    /// Sends `amount_in` of the in-token to the pair and asks for `amount_out`; returns
    /// the swap's outcome. The state is committed only if it succeeded (a reverted swap
    /// still leaves the input in the pair, so call this once per fresh pair).
    pub fn swap(&mut self, amount_in: U256, amount_out: U256) -> Result<Outcome> {
        self.evm.send(
            OWNER,
            self.token_in,
            IUniErc20::transferCall {
                to: self.pair,
                value: amount_in,
            },
        )?;
        let (a0, a1) = if self.in_is_token0 {
            (U256::ZERO, amount_out)
        } else {
            (amount_out, U256::ZERO)
        };
        let call = IUniPair::swapCall {
            amount0Out: a0,
            amount1Out: a1,
            to: OWNER,
            data: Default::default(),
        };
        self.evm.call(OWNER, self.pair, call.abi_encode())
    }
}
