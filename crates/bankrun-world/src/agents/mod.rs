//! The world's agents, one type per module.

pub mod collateral_arbitrageur;
pub mod compound_liquidator;
pub mod dip_buyer;
pub mod discount_repayer;
pub mod flip_keeper;
pub mod liquidator;
pub mod maker_spell;
pub mod passive;
pub mod peg_arbitrageur;
pub mod peg_holders;
pub mod psm_arbitrageur;
pub mod redemption_arbitrageur;
pub mod scripted_calls;
pub mod scripted_trade;
pub mod venue_arbitrageur;

pub use collateral_arbitrageur::{CollateralArbitrageur, CollateralArbitrageurSpec};
pub use compound_liquidator::{
    AccountCache, CompoundLiquidator, CompoundLiquidatorSpec, LiquidatorMarket, Sale, Screen,
    Seizure,
};
pub use dip_buyer::{DipBuyer, DipBuyerSpec};
pub use discount_repayer::{DiscountRepayer, DiscountRepayerSpec};
pub use flip_keeper::{FlipKeeper, FlipKeeperSpec, KeeperGas, KeeperMarkets};
pub use liquidator::Liquidator;
pub use maker_spell::MakerSpell;
pub use passive::Passive;
pub use peg_arbitrageur::{PegArbitrageur, PegArbitrageurSpec};
pub use peg_holders::{HolderCohortSpec, PegHolders, RiskWeights, Signals};
pub use psm_arbitrageur::{PsmArbitrageur, PsmArbitrageurSpec};
pub use redemption_arbitrageur::{RedemptionArbitrageur, RedemptionArbitrageurSpec};
pub use scripted_calls::{Condition, Outcome, ScriptedCall, ScriptedCalls};
pub use scripted_trade::ScriptedTrade;
pub use venue_arbitrageur::{VenueArbitrageur, VenueArbitrageurSpec};
