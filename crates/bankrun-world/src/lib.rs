//! One world: every protocol, venue, oracle and agent in one block loop.
//!
//! - [`Protocol`] and [`Venue`] are the one interface of lending protocols (Aave v3 in its
//!   v3.0 and v3.6 modes, Compound v2) and trading venues (Uniswap v2); a transaction is a
//!   [`Call`] on one of them and returns a receipt or a revert, with the gas used;
//! - [`OracleRegistry`] holds every feed: each reads an exogenous path or a venue's price
//!   and posts its answers through each bound protocol's own oracle function, so a sale on a
//!   venue moves the price another protocol reads;
//! - the shared [`bankrun_chain::Ledger`] holds every balance; a call moves tokens between the
//!   sender and the protocol or venue, so conservation can be checked at any block;
//! - [`Agent`]s act on any protocol ([`agents`]);
//! - [`World`] runs the block loop with an explicit total order (see [`world`]).
//!
//! Protocol state changes only through the protocol's own functions: the wrappers in
//! [`protocols`] and [`venues`] call them and never write their fields.

pub mod agent;
pub mod agents;
pub mod call;
pub mod depeg;
pub mod error;
pub mod invariant;
pub mod oracle;
pub mod protocol;
pub mod protocols;
pub mod record;
pub mod scenario;
pub mod venue;
pub mod venues;
pub mod world;

pub use agent::{Agent, Rounds, Submission, View};
pub use call::{
    AaveCall, AaveConfig, AgentId, Call, CallKind, CompoundCall, Effect, FeedId, GasSchedule,
    IssuerCall, LiquidationDetail, MAKER_AGENT0, MakerCall, MakerParam, ProtocolId, Receipt,
    Revert, Target, TerraCall, VenueId, VenueParam,
};
pub use error::WorldError;
pub use invariant::InvariantCheck;
pub use oracle::{OracleRegistry, Publisher, Source};
pub use protocol::{Candidate, Env, Protocol};
pub use protocols::{Maker, MakerParams};
pub use record::{BlockRecord, Log, OracleRecord, TxRecord};
pub use venue::{Quote, Venue};
pub use world::{ChainConfig, World};
