//! The world's agents, one type per module.

pub mod liquidator;
pub mod passive;
pub mod scripted_trade;

pub use liquidator::Liquidator;
pub use passive::Passive;
pub use scripted_trade::ScriptedTrade;
