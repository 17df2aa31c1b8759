//! Error type of the fixed-point library.

/// A failure of a fixed-point operation. On-chain every one of these is a revert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MathError {
    /// The operation overflows `uint256`. The Aave math libraries revert with
    /// `revert(0, 0)` (no reason); checked Solidity arithmetic reverts with `Panic(0x11)`.
    #[error("math overflow (revert(0,0) or Panic(0x11))")]
    Overflow,
    /// Division by zero. The Aave math libraries revert with `revert(0, 0)`; plain
    /// Solidity division reverts with `Panic(0x12)`.
    #[error("division by zero")]
    DivisionByZero,
}
