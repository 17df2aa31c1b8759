//! The world's agents, one type per module.

pub mod compound_liquidator;
pub mod flip_keeper;
pub mod liquidator;
pub mod maker_spell;
pub mod passive;
pub mod peg_arbitrageur;
pub mod scripted_calls;
pub mod scripted_trade;
pub mod ust_holders;
pub mod venue_arbitrageur;

pub use compound_liquidator::{
    AccountCache, CompoundLiquidator, CompoundLiquidatorSpec, LiquidatorMarket, Sale, Screen,
    Seizure,
};
pub use flip_keeper::{FlipKeeper, FlipKeeperSpec, KeeperGas, KeeperMarkets};
pub use liquidator::Liquidator;
pub use maker_spell::MakerSpell;
pub use passive::Passive;
pub use peg_arbitrageur::{PegArbitrageur, PegArbitrageurSpec};
pub use scripted_calls::{Condition, Outcome, ScriptedCall, ScriptedCalls};
pub use scripted_trade::ScriptedTrade;
pub use ust_holders::{HolderCohortSpec, RiskWeights, Signals, UstHolders};
pub use venue_arbitrageur::{VenueArbitrageur, VenueArbitrageurSpec};
