//! `Flipper`: the two-phase collateral auction of Liquidations 1.2.
//!
//! Source: `dss@1.0.0:src/flip.sol` (`kick`, `tick`, `tend`, `dent`, `deal`, `yank`).
//! Phase 1 (`tend`): bids for the fixed `lot` rise towards `tab` (each by at least
//! `beg`, except a bid equal to `tab`). Phase 2 (`dent`): at `bid == tab` bidders offer
//! less collateral for the same DAI; the difference returns to the vault owner. Each
//! bid lives `ttl`; the auction ends at `end = kick + tau`.
//!
//! There is no reserve price: the first bid only has to exceed the starting bid 0, so a
//! bid of 1 rad-wei (≈0 DAI) wins the whole lot if nobody outbids it before `ttl`/`end`
//! — the Black Thursday outcome. Times are `uint48` seconds on-chain.

use std::collections::BTreeMap;

use crate::math::{WAD, mul, sub};
use crate::{AccountId, IlkId, MakerError, U256, Vat};

/// Default `beg` = 1.05e18 (5 % minimum bid increase, wad).
pub const DEFAULT_BEG: U256 = U256::from_limbs([1_050_000_000_000_000_000, 0, 0, 0]);
/// Default `ttl` = 3 hours (s).
pub const DEFAULT_TTL: u64 = 3 * 3600;
/// Default `tau` = 2 days (s).
pub const DEFAULT_TAU: u64 = 2 * 86_400;
/// `uint48` bound of `tic` and `end`.
const MAX_U48: u64 = (1 << 48) - 1;

/// One auction (`bids[id]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bid {
    /// `bid`: DAI paid (rad).
    pub bid: U256,
    /// `lot`: collateral for sale (wad).
    pub lot: U256,
    /// `guy`: high bidder (the Cat at kick).
    pub guy: AccountId,
    /// `tic`: bid expiry (s; 0 = no bid yet).
    pub tic: u64,
    /// `end`: auction expiry (s).
    pub end: u64,
    /// `usr`: receives collateral forgone in the dent phase (the urn owner).
    pub usr: AccountId,
    /// `gal`: receives the DAI (the Vow).
    pub gal: AccountId,
    /// `tab`: DAI wanted (rad).
    pub tab: U256,
}

/// A Flipper for one ilk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flipper {
    /// The ilk sold.
    pub ilk: IlkId,
    /// The Flipper's Vat address (holds lots and escrows nothing else).
    pub address: AccountId,
    /// `beg`: minimum bid increase (wad, 1.05e18 = 5 %).
    pub beg: U256,
    /// `ttl`: single bid lifetime (s).
    pub ttl: u64,
    /// `tau`: maximum auction duration (s).
    pub tau: u64,
    /// `kicks`: auctions started.
    pub kicks: u64,
    /// Live auctions.
    pub bids: BTreeMap<u64, Bid>,
}

/// `uint48` addition with `require((z = x + y) >= x)` (and the 48-bit bound).
fn add48(x: u64, y: u64) -> Result<u64, MakerError> {
    let z = x.checked_add(y).ok_or(MakerError::Overflow)?;
    if z > MAX_U48 {
        Err(MakerError::Overflow)
    } else {
        Ok(z)
    }
}

impl Flipper {
    /// A Flipper with the code defaults (`beg` 5 %, `ttl` 3 h, `tau` 2 days).
    pub fn new(ilk: IlkId, address: AccountId) -> Self {
        Flipper {
            ilk,
            address,
            beg: DEFAULT_BEG,
            ttl: DEFAULT_TTL,
            tau: DEFAULT_TAU,
            kicks: 0,
            bids: BTreeMap::new(),
        }
    }

    /// `file("beg", wad)` (`flip.sol`): minimum bid increase (wad, 1.05e18 = 5 %).
    pub fn file_beg(&mut self, wad: U256) {
        self.beg = wad;
    }

    /// `file("ttl", s)` (`flip.sol`): single bid lifetime (s, `uint48`). Applies to bids
    /// placed afterwards; running `tic`s keep their expiry.
    pub fn file_ttl(&mut self, s: u64) {
        self.ttl = s;
    }

    /// `file("tau", s)` (`flip.sol`): maximum auction duration (s, `uint48`). Applies to
    /// auctions kicked afterwards; running `end`s keep their expiry.
    pub fn file_tau(&mut self, s: u64) {
        self.tau = s;
    }

    /// The auction, or [`MakerError::GuyNotSet`] (deleted/unknown ids read as empty).
    ///
    /// # Errors
    /// [`MakerError::GuyNotSet`].
    pub fn bid(&self, id: u64) -> Result<Bid, MakerError> {
        self.bids.get(&id).copied().ok_or(MakerError::GuyNotSet)
    }

    /// `kick(usr, gal, tab, lot, bid)` by `kicker` at `now`: opens auction `++kicks`
    /// with `end = now + tau` and moves `lot` gem from the kicker to the Flipper.
    ///
    /// # Errors
    /// [`MakerError::Underflow`] if the kicker lacks the gem; overflow. Atomic.
    #[allow(clippy::too_many_arguments)]
    pub fn kick(
        &mut self,
        vat: &mut Vat,
        kicker: AccountId,
        usr: AccountId,
        gal: AccountId,
        tab: U256,
        lot: U256,
        bid: U256,
        now: u64,
    ) -> Result<u64, MakerError> {
        let id = self.kicks.checked_add(1).ok_or(MakerError::Overflow)?;
        let end = add48(now, self.tau)?;
        vat.flux(self.ilk, kicker, self.address, lot)?;
        self.kicks = id;
        self.bids.insert(
            id,
            Bid {
                bid,
                lot,
                guy: kicker,
                tic: 0,
                end,
                usr,
                gal,
                tab,
            },
        );
        Ok(id)
    }

    /// `tick(id)` at `now`: restarts an auction that ended without bids (`end = now +
    /// tau`).
    ///
    /// # Errors
    /// [`MakerError::NotFinished`] if `end ≥ now`, [`MakerError::BidAlreadyPlaced`] if
    /// `tic ≠ 0`.
    pub fn tick(&mut self, id: u64, now: u64) -> Result<(), MakerError> {
        let mut b = self.bids.get(&id).copied().unwrap_or(Bid::empty());
        if b.end >= now {
            return Err(MakerError::NotFinished);
        }
        if b.tic != 0 {
            return Err(MakerError::BidAlreadyPlaced);
        }
        b.end = add48(now, self.tau)?;
        self.bids.insert(id, b);
        Ok(())
    }

    /// Checks common to `tend` and `dent`: auction exists, last bid and auction live.
    fn check_live(&self, id: u64, now: u64) -> Result<Bid, MakerError> {
        let b = self.bid(id)?;
        if !(b.tic > now || b.tic == 0) {
            return Err(MakerError::AlreadyFinishedTic);
        }
        if b.end <= now {
            return Err(MakerError::AlreadyFinishedEnd);
        }
        Ok(b)
    }

    /// `tend(id, lot, bid)` by `bidder` at `now` (phase 1): `lot` must equal the lot;
    /// `prev < bid ≤ tab`; `bid·1e18 ≥ beg·prev` unless `bid == tab`. Refunds the
    /// previous bidder's `prev`, sends `bid − prev` to `gal`, sets `tic = now + ttl`.
    ///
    /// # Errors
    /// [`MakerError::GuyNotSet`], [`MakerError::AlreadyFinishedTic`],
    /// [`MakerError::AlreadyFinishedEnd`], [`MakerError::LotNotMatching`],
    /// [`MakerError::HigherThanTab`], [`MakerError::BidNotHigher`],
    /// [`MakerError::InsufficientIncrease`], [`MakerError::Underflow`] if the bidder's
    /// DAI (rad) is short. Atomic.
    pub fn tend(
        &mut self,
        vat: &mut Vat,
        bidder: AccountId,
        id: u64,
        lot: U256,
        bid: U256,
        now: u64,
    ) -> Result<(), MakerError> {
        let mut b = self.check_live(id, now)?;
        if lot != b.lot {
            return Err(MakerError::LotNotMatching);
        }
        if bid > b.tab {
            return Err(MakerError::HigherThanTab);
        }
        if bid <= b.bid {
            return Err(MakerError::BidNotHigher);
        }
        if mul(bid, WAD)? < mul(self.beg, b.bid)? && bid != b.tab {
            return Err(MakerError::InsufficientIncrease);
        }
        let tic = add48(now, self.ttl)?;
        let mut next = vat.dai_subset(&[bidder, b.guy, b.gal]);
        next.move_dai(bidder, b.guy, b.bid)?;
        next.move_dai(bidder, b.gal, sub(bid, b.bid)?)?;
        vat.dai.extend(next.dai);
        b.guy = bidder;
        b.bid = bid;
        b.tic = tic;
        self.bids.insert(id, b);
        Ok(())
    }

    /// `dent(id, lot, bid)` by `bidder` at `now` (phase 2): `bid == prev bid == tab`;
    /// `lot < prev lot` and `beg·lot ≤ prevLot·1e18`. Pays the previous bidder `bid`,
    /// returns `prevLot − lot` gem to `usr`, sets `tic = now + ttl`.
    ///
    /// # Errors
    /// [`MakerError::GuyNotSet`], [`MakerError::AlreadyFinishedTic`],
    /// [`MakerError::AlreadyFinishedEnd`], [`MakerError::NotMatchingBid`],
    /// [`MakerError::TendNotFinished`], [`MakerError::LotNotLower`],
    /// [`MakerError::InsufficientDecrease`], [`MakerError::Underflow`]. Atomic.
    pub fn dent(
        &mut self,
        vat: &mut Vat,
        bidder: AccountId,
        id: u64,
        lot: U256,
        bid: U256,
        now: u64,
    ) -> Result<(), MakerError> {
        let mut b = self.check_live(id, now)?;
        if bid != b.bid {
            return Err(MakerError::NotMatchingBid);
        }
        if bid != b.tab {
            return Err(MakerError::TendNotFinished);
        }
        if lot >= b.lot {
            return Err(MakerError::LotNotLower);
        }
        if mul(self.beg, lot)? > mul(b.lot, WAD)? {
            return Err(MakerError::InsufficientDecrease);
        }
        let tic = add48(now, self.ttl)?;
        let mut next = vat.dai_subset(&[bidder, b.guy]);
        next.move_dai(bidder, b.guy, bid)?;
        vat.flux(self.ilk, self.address, b.usr, b.lot - lot)?;
        vat.dai.extend(next.dai);
        b.guy = bidder;
        b.lot = lot;
        b.tic = tic;
        self.bids.insert(id, b);
        Ok(())
    }

    /// `deal(id)` at `now`: allowed when `tic ≠ 0 && (tic < now || end < now)`; gives
    /// the lot to the winner and deletes the auction. Returns the settled bid.
    ///
    /// # Errors
    /// [`MakerError::NotFinished`] before expiry or with no bid. Atomic.
    pub fn deal(&mut self, vat: &mut Vat, id: u64, now: u64) -> Result<Bid, MakerError> {
        let b = self.bids.get(&id).copied().unwrap_or(Bid::empty());
        if !(b.tic != 0 && (b.tic < now || b.end < now)) {
            return Err(MakerError::NotFinished);
        }
        vat.flux(self.ilk, self.address, b.guy, b.lot)?;
        self.bids.remove(&id);
        Ok(b)
    }

    /// `yank(id)` by `caller` (auth: End/governance): only in the tend phase (`bid <
    /// tab`); the caller takes the lot and refunds the high bidder's `bid`.
    ///
    /// # Errors
    /// [`MakerError::GuyNotSet`], [`MakerError::AlreadyDentPhase`],
    /// [`MakerError::Underflow`]. Atomic.
    pub fn yank(&mut self, vat: &mut Vat, caller: AccountId, id: u64) -> Result<Bid, MakerError> {
        let b = self.bid(id)?;
        if b.bid >= b.tab {
            return Err(MakerError::AlreadyDentPhase);
        }
        let mut next = vat.dai_subset(&[caller, b.guy]);
        next.move_dai(caller, b.guy, b.bid)?;
        vat.flux(self.ilk, self.address, caller, b.lot)?;
        vat.dai.extend(next.dai);
        self.bids.remove(&id);
        Ok(b)
    }
}

impl Bid {
    /// A deleted/unset auction (all zero), as `bids[id]` reads on-chain.
    pub fn empty() -> Self {
        Bid {
            bid: U256::ZERO,
            lot: U256::ZERO,
            guy: 0,
            tic: 0,
            end: 0,
            usr: 0,
            gal: 0,
            tab: U256::ZERO,
        }
    }
}

impl Vat {
    /// A Vat holding only the DAI balances of `accounts`, to run several moves
    /// atomically (write back its `dai` on success).
    pub(crate) fn dai_subset(&self, accounts: &[AccountId]) -> Vat {
        Vat {
            dai: accounts.iter().map(|a| (*a, self.dai_of(*a))).collect(),
            ..Vat::default()
        }
    }
}
