//! A minimal in-memory EVM (revm 43) for running real contract bytecode: deploy, call,
//! replace code, set the block timestamp. Gas price is 0, nonces are not checked.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolError};
use anyhow::{Context as _, Result, anyhow, bail};
use revm::context::result::{ExecutionResult, Output};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::primitives::TxKind;
use revm::state::{AccountInfo, Bytecode};
use revm::{ExecuteCommitEvm, ExecuteEvm};

/// Gas limit of every transaction (below the EIP-7825 cap of 2^24).
pub const TX_GAS_LIMIT: u64 = 16_000_000;

/// What a transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Returned normally with this output.
    Success(Bytes),
    /// Reverted with this revert data.
    Revert(Bytes),
    /// Halted (out of gas, invalid opcode, …).
    Halt(String),
}

impl Outcome {
    /// The output, or an error describing the revert.
    pub fn ok(self) -> Result<Bytes> {
        match self {
            Outcome::Success(b) => Ok(b),
            Outcome::Revert(b) => Err(anyhow!("reverted: {}", describe_revert(&b))),
            Outcome::Halt(h) => Err(anyhow!("halted: {h}")),
        }
    }

    /// True when the transaction did not succeed.
    pub fn is_revert(&self) -> bool {
        !matches!(self, Outcome::Success(_))
    }
}

alloy_sol_types::sol! {
    /// `Error(string)`.
    error Error(string message);
    /// `Panic(uint256)`.
    error Panic(uint256 code);
}

/// Human-readable revert data: `Error("…")`, `Panic(0x11)`, a custom-error selector, or
/// `empty`.
pub fn describe_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "empty".into();
    }
    if let Ok(e) = Error::abi_decode(data) {
        return format!("Error({:?})", e.message);
    }
    if let Ok(p) = Panic::abi_decode(data) {
        return format!("Panic({:#x})", p.code);
    }
    format!("0x{}", alloy_primitives::hex::encode(data))
}

/// An EVM with an in-memory state.
pub struct Evm {
    inner: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
}

impl Default for Evm {
    fn default() -> Self {
        Self::new()
    }
}

impl Evm {
    /// An empty chain at timestamp 1.
    pub fn new() -> Self {
        let inner = Context::mainnet()
            .with_db(CacheDB::<EmptyDB>::default())
            .modify_cfg_chained(|c| {
                c.disable_nonce_check = true;
                c.limit_contract_code_size = Some(usize::MAX);
            })
            .modify_block_chained(|b| {
                b.timestamp = U256::from(1u8);
                b.gas_limit = u64::MAX;
                b.basefee = 0;
            })
            .build_mainnet();
        Evm { inner }
    }

    /// Sets `block.timestamp` (seconds).
    pub fn set_timestamp(&mut self, t: u64) {
        self.inner.ctx.block.timestamp = U256::from(t);
    }

    /// Installs `code` as the runtime code of `addr`.
    pub fn set_code(&mut self, addr: Address, code: Bytes) {
        self.inner.ctx.journaled_state.database.insert_account_info(
            addr,
            AccountInfo::default().with_code(Bytecode::new_raw(code)),
        );
    }

    fn tx(&mut self, from: Address, kind: TxKind, data: Bytes) -> Result<TxEnv> {
        TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data)
            .gas_limit(TX_GAS_LIMIT)
            .gas_price(0)
            .build()
            .map_err(|e| anyhow!("tx build: {e:?}"))
    }

    /// Deploys init code (constructor arguments appended) from `from`.
    pub fn deploy(&mut self, from: Address, init: Vec<u8>) -> Result<Address> {
        let tx = self.tx(from, TxKind::Create, init.into())?;
        match self
            .inner
            .transact_commit(tx)
            .map_err(|e| anyhow!("{e:?}"))?
        {
            ExecutionResult::Success {
                output: Output::Create(_, Some(addr)),
                ..
            } => Ok(addr),
            other => bail!("deploy failed: {}", describe_result(&other)),
        }
    }

    /// Sends a transaction (state committed).
    pub fn call(&mut self, from: Address, to: Address, data: Vec<u8>) -> Result<Outcome> {
        let tx = self.tx(from, TxKind::Call(to), data.into())?;
        let r = self
            .inner
            .transact_commit(tx)
            .map_err(|e| anyhow!("{e:?}"))?;
        Ok(to_outcome(r))
    }

    /// Runs a call without committing its state (a view).
    pub fn view(&mut self, to: Address, data: Vec<u8>) -> Result<Outcome> {
        let tx = self.tx(Address::ZERO, TxKind::Call(to), data.into())?;
        let r = self.inner.transact(tx).map_err(|e| anyhow!("{e:?}"))?;
        Ok(to_outcome(r.result))
    }

    /// Typed transaction that must succeed.
    pub fn send<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> Result<C::Return> {
        let out = self
            .call(from, to, call.abi_encode())?
            .ok()
            .with_context(|| format!("{} on {to}", C::SIGNATURE))?;
        C::abi_decode_returns(&out).map_err(|e| anyhow!("decode {}: {e}", C::SIGNATURE))
    }

    /// Typed view that must succeed.
    pub fn get<C: SolCall>(&mut self, to: Address, call: C) -> Result<C::Return> {
        let out = self
            .view(to, call.abi_encode())?
            .ok()
            .with_context(|| format!("{} on {to}", C::SIGNATURE))?;
        C::abi_decode_returns(&out).map_err(|e| anyhow!("decode {}: {e}", C::SIGNATURE))
    }
}

fn to_outcome(r: ExecutionResult) -> Outcome {
    match r {
        ExecutionResult::Success { output, .. } => Outcome::Success(output.into_data()),
        ExecutionResult::Revert { output, .. } => Outcome::Revert(output),
        ExecutionResult::Halt { reason, .. } => Outcome::Halt(format!("{reason:?}")),
    }
}

fn describe_result(r: &ExecutionResult) -> String {
    match r {
        ExecutionResult::Success { .. } => "success without address".into(),
        ExecutionResult::Revert { output, .. } => describe_revert(output),
        ExecutionResult::Halt { reason, .. } => format!("halt {reason:?}"),
    }
}

/// Runtime code that returns the 32-byte word `w` for any call:
/// `PUSH32 w PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN`.
pub fn constant_word_code(w: U256) -> Bytes {
    let mut c = Vec::with_capacity(41);
    c.push(0x7f);
    c.extend_from_slice(&w.to_be_bytes::<32>());
    c.extend_from_slice(&[0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]);
    c.into()
}
