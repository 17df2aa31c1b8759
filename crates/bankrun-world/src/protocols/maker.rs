//! Maker's Liquidations 1.2 (MCD at launch, `makerdao/dss` tag 1.0.0) as a world protocol:
//! the Vat with ETH-A, its `GemJoin` (WETH, 18 decimals), the `DaiJoin`, the 1.0.0 `Cat`, the
//! ETH-A `Flipper`, the `Jug` and the `Spotter` (reference/protocol-math.md §4.1).
//!
//! Calls ([`Call::Maker`]) map onto the contracts of `bankrun_maker`: `Bite` →
//! `Cat.bite(ETH-A, urn)` (`cat.sol` 1.0.0); `Tend`, `Dent`, `Deal`, `Tick` → the `Flipper`
//! functions of the same name (`flip.sol`); `Drip` → `Jug.drip(ETH-A)` (`jug.sol`); `File` →
//! the governance `file` of the parameter; `ExitGem` → `GemJoin.exit`, `JoinDai` →
//! `DaiJoin.join` (`join.sol`). The Vat address of world agent `i` is [`MAKER_AGENT0`] `+ i`;
//! vaults sit at their own number, below the system addresses ([`CAT`] … [`REST`]).
//!
//! # Units
//! - wad = 1e18: collateral (`ink`, `gem`, `lot`, `lump`), normalised debt `art`, ERC-20
//!   WETH and DAI in the ledger, `beg`;
//! - ray = 1e27: `rate`, `spot`, `mat`, the 1.0.0 `chop`, `duty`;
//! - rad = 1e45: Vat DAI (`dai`, `sin`, `debt`), `line`, `dust`, `tab`, `bid`.
//!
//! # Tokens in the ledger
//! The protocol's ledger holder holds exactly the WETH the `GemJoin` holds (Σ ETH-A `ink` +
//! `gem`, [`Maker::total_eth`]): [`Maker::open_vault`] mints the owners' WETH there (their
//! wallets are not modelled) and `ExitGem` moves it to the agent. ERC-20 DAI exists only as
//! the `DaiJoin`'s Vat balance: [`Maker::mint_backed_dai`] backs and mints it, `JoinDai` burns
//! it, so `vat.dai[DAI_JOIN] = DAI supply · RAY` at all times.
//!
//! The runner this ports is `bankrun-spiral`'s `maker.rs` (Black Thursday); its deployment,
//! vault opening, backing of outside DAI, stability fee and drip schedule are reproduced here.

use std::any::Any;

use bankrun_chain::units::u256_to_f64;
use bankrun_chain::{Holder, LedgerError, TokenId};
use bankrun_maker::cat::CatIlk;
use bankrun_maker::math::RAY;
use bankrun_maker::spot::Spotter;
use bankrun_maker::{Cat, DaiJoin, Flipper, GemJoin, Jug, MakerError, U256, Vat};

use crate::call::{AgentId, Call, Effect, MAKER_AGENT0, MakerCall, MakerParam};
use crate::error::WorldError;
use crate::protocol::{
    Candidate, Env, Protocol, ensure_balance, listed, not_a_venue, not_compound, sorted,
};

/// The Cat's Vat address.
pub const CAT: u32 = 1_000_000;
/// The Vow's Vat address (receives `sin`, bid DAI and the stability fee).
pub const VOW: u32 = 1_000_001;
/// The ETH-A Flipper's Vat address.
pub const FLIPPER: u32 = 1_000_002;
/// The DaiJoin adapter's Vat address: its Vat DAI backs the ERC-20 DAI.
pub const DAI_JOIN: u32 = 1_000_003;
/// Owner of the stand-in vault that backs the ERC-20 DAI held outside the Vat.
pub const REST: u32 = 1_000_004;
/// ETH-A's ilk id.
pub const ETH_A: usize = 0;
/// Ilk id of the stand-in collateral behind the DAI outside the Vat
/// ([`Maker::mint_backed_dai`]).
pub const REST_ILK: usize = 1;

/// The protocol's name.
const NAME: &str = "maker";
/// Seconds in a year: the unit of an annual stability fee.
const YEAR_S: f64 = 31_536_000.0;

/// Whole units → integer units of `decimals`, floored to 18 significant digits: see
/// [`bankrun_chain::units::f64_to_fixed`] (`mat` → `to_fixed(mat, 27)`, `line_dai` →
/// `to_fixed(line, 45)`, …).
pub use bankrun_chain::units::f64_to_fixed as to_fixed;

/// Jug `duty` (ray, per second) of an annual stability fee `fee` (fraction, 0.08 = 8 %):
/// `(1 + fee)^(1/year)`, year = 31,536,000 s. The part above 1 is computed with
/// `ln_1p`/`exp_m1` so it keeps f64's relative precision (8 % → 1.0000000024404186…e27, the
/// constant governance filed up to ~1e-16 of the fee). A fee that is not finite and ≥ 0 gives
/// 1 ray or less precision; callers validate it (the runner rejects it).
pub fn duty_of_annual_fee(fee: f64) -> U256 {
    RAY + to_fixed((fee.ln_1p() / YEAR_S).exp_m1(), 27)
}

/// The Vat address of world agent `agent`: [`MAKER_AGENT0`] `+ agent`.
///
/// # Errors
/// [`WorldError::Unknown`] if the address overflows `u32`.
pub fn vat_address(agent: AgentId) -> Result<u32, WorldError> {
    MAKER_AGENT0.checked_add(agent).ok_or(WorldError::Unknown {
        kind: "agent",
        id: agent,
    })
}

/// Σ of `values`, `None` on overflow.
fn checked_sum(values: impl IntoIterator<Item = U256>) -> Option<U256> {
    values
        .into_iter()
        .try_fold(U256::ZERO, |a, b| a.checked_add(b))
}

/// rad → wad, rounded down (`rad / RAY`).
fn wad_of_rad(rad: U256) -> U256 {
    rad / RAY
}

fn revert(e: MakerError) -> WorldError {
    WorldError::reverted(NAME, e)
}

/// Deployment parameters of ETH-A, in the contracts' units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MakerParams {
    /// Spotter `mat`: liquidation ratio, ray (1.5e27 = 150 %); runner: `to_fixed(mat, 27)`.
    pub mat: U256,
    /// Cat `chop`: liquidation penalty, ray (1.13e27 = 13 %); runner: `to_fixed(chop, 27)`.
    pub chop: U256,
    /// Cat `lump`: collateral per auction, wad (50e18 = 50 ETH).
    pub lump: U256,
    /// Flipper `beg`: minimum bid increase, wad (1.03e18 = 3 %).
    pub beg: U256,
    /// Flipper `ttl`: lifetime of a bid, seconds.
    pub ttl_s: u64,
    /// Flipper `tau`: maximum auction duration, seconds.
    pub tau_s: u64,
    /// Vat ETH-A `line` and the global `Line` at deployment, rad; runner:
    /// `to_fixed(line_dai, 45)`.
    pub line: U256,
    /// Vat ETH-A `dust`: smallest vault debt, rad.
    pub dust: U256,
    /// Jug ETH-A `duty`: per-second stability fee factor, ray ([`duty_of_annual_fee`]).
    pub duty: U256,
    /// Seconds between the scheduled `Jug.drip`s of ETH-A (the runner's OSM `hop`, 3600):
    /// [`Protocol::begin_block`] drips at the first block of each hop.
    pub drip_every_s: u64,
    /// ETH/USD the Spotter is poked with at deployment, wad (runner: `to_fixed(p0, 18)`).
    pub spot_price: U256,
}

/// Why [`Maker::open_vault`] failed, naming the vault; [`OpenVaultError::maker_error`] gives
/// the contract's revert so a caller can map it to its input (`CeilingExceeded` → the debt
/// ceiling, `Dust` → the dust, `NotSafe` → the collateral ratio).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenVaultError {
    /// A contract reverted (`GemJoin.join` or `Vat.frob`); the Vat is unchanged.
    #[error("vault {urn}: {error}")]
    Contract {
        /// Vat address of the vault.
        urn: u32,
        /// The revert.
        error: MakerError,
    },
    /// The vault's WETH could not be minted in the ledger.
    #[error("vault {urn}: ledger: {error}")]
    Ledger {
        /// Vat address of the vault.
        urn: u32,
        /// The ledger's error.
        error: LedgerError,
    },
    /// The address is a system or agent address (vaults are below [`CAT`]).
    #[error("vault {urn}: not a vault address (must be below {CAT})")]
    Address {
        /// The address asked.
        urn: u32,
    },
}

impl OpenVaultError {
    /// The contract's revert, if a contract reverted.
    pub fn maker_error(&self) -> Option<MakerError> {
        match self {
            OpenVaultError::Contract { error, .. } => Some(*error),
            _ => None,
        }
    }
}

impl From<OpenVaultError> for WorldError {
    fn from(e: OpenVaultError) -> Self {
        match e {
            OpenVaultError::Contract { urn, error } => {
                WorldError::reverted(NAME, format_args!("vault {urn}: {error:?}"))
            }
            OpenVaultError::Ledger { error, .. } => WorldError::Ledger(error),
            OpenVaultError::Address { urn } => WorldError::Unsupported {
                target: NAME.into(),
                what: format!("vault address {urn} is not below {CAT}"),
            },
        }
    }
}

/// Maker Liquidations 1.2 with ETH-A, and the world tokens WETH and DAI.
#[derive(Debug, Clone)]
pub struct Maker {
    vat: Vat,
    gem_join: GemJoin,
    dai_join: DaiJoin,
    cat: Cat,
    flip: Flipper,
    jug: Jug,
    spotter: Spotter,
    /// Stability fee the Jug's drips credited to the Vow (rad).
    fees: U256,
    weth: TokenId,
    dai: TokenId,
    drip_every_s: u64,
    /// Start of the hop of the last scheduled drip (`None`: none yet, so the first block
    /// drips, as the runner's first OSM `pass`).
    last_drip_hop: Option<u64>,
    /// Time of the last drip that changed `rate` (deployment time before any).
    rate_changed_at: u64,
    /// ETH-A urns with debt that `Vat.isUnsafe`, ascending: recomputed whenever `spot`,
    /// `rate` or an urn changes, so keepers need not scan every vault every block.
    unsafe_urns: Vec<u32>,
}

/// Deploys the contracts as the runner's `setup` does: ETH-A initialised, `line` and `dust`
/// filed, `spot` poked at the initial price, global `Line` = ETH-A `line`; Flipper `beg`,
/// `ttl`, `tau`; Cat `chop`, `lump`; Jug `init` and `duty` at `now`.
fn deploy(p: &MakerParams, now: u64) -> Result<(Vat, Spotter, Flipper, Cat, Jug), MakerError> {
    let spotter = Spotter::new(p.mat);
    let mut vat = Vat::default();
    vat.init(ETH_A)?;
    vat.file_line(ETH_A, p.line)?;
    vat.file_dust(ETH_A, p.dust)?;
    spotter.poke(&mut vat, ETH_A, p.spot_price, true)?;
    vat.file_global_line(p.line);
    let mut flip = Flipper::new(ETH_A, FLIPPER);
    flip.file_beg(p.beg);
    flip.file_ttl(p.ttl_s);
    flip.file_tau(p.tau_s);
    let cat = Cat {
        ilks: vec![CatIlk {
            chop: p.chop,
            lump: p.lump,
        }],
        live: true,
        address: CAT,
        vow: VOW,
    };
    let mut jug = Jug::new(VOW);
    jug.init(ETH_A, now)?;
    jug.file_duty(ETH_A, p.duty, now)?;
    Ok((vat, spotter, flip, cat, jug))
}

/// Backs `wad` (= `rad` / RAY = `dwad`) of ERC-20 DAI in `vat`: raises the global `Line` by
/// `rad`; the stand-in vault `REST` of [`REST_ILK`] (initialised with `spot` = 1 ray on first
/// use, its `line` raised by `rad`) joins `wad` collateral, draws `wad` DAI and exits it through
/// the adapter, whose Vat balance grows by `rad`.
fn back_dai(
    vat: &mut Vat,
    dai_join: DaiJoin,
    wad: U256,
    rad: U256,
    dwad: i128,
) -> Result<(), MakerError> {
    let global = vat.global_line.checked_add(rad);
    vat.file_global_line(global.ok_or(MakerError::Overflow)?);
    if vat.ilks.get(REST_ILK).is_none_or(|i| i.rate.is_zero()) {
        vat.init(REST_ILK)?;
        vat.file_spot(REST_ILK, RAY)?;
    }
    let line = vat.ilk(REST_ILK)?.line.checked_add(rad);
    vat.file_line(REST_ILK, line.ok_or(MakerError::Overflow)?)?;
    GemJoin::new(REST_ILK, 18).join(vat, REST, wad)?;
    vat.frob(REST_ILK, REST, REST, REST, dwad, dwad)?;
    dai_join.exit(vat, REST, wad)
}

impl Maker {
    /// Deploys Maker at `now` (unix s) with `params`; `weth` is ETH-A's collateral token and
    /// `dai` the ERC-20 DAI, both 18 decimals.
    ///
    /// # Errors
    /// [`WorldError::Unsupported`] if `weth == dai` or `drip_every_s == 0`;
    /// [`WorldError::Reverted`] with the contract's revert if a deployment step fails.
    pub fn new(
        params: &MakerParams,
        weth: TokenId,
        dai: TokenId,
        now: u64,
    ) -> Result<Self, WorldError> {
        let bad = |what: &str| WorldError::Unsupported {
            target: NAME.into(),
            what: what.into(),
        };
        if weth == dai {
            return Err(bad("WETH and DAI must be different tokens"));
        }
        if params.drip_every_s == 0 {
            return Err(bad("drip_every_s must be positive"));
        }
        let (vat, spotter, flip, cat, jug) = deploy(params, now)
            .map_err(|e| WorldError::reverted(NAME, format_args!("deployment: {e:?}")))?;
        Ok(Maker {
            vat,
            gem_join: GemJoin::new(ETH_A, 18),
            dai_join: DaiJoin { address: DAI_JOIN },
            cat,
            flip,
            jug,
            spotter,
            fees: U256::ZERO,
            weth,
            dai,
            drip_every_s: params.drip_every_s,
            last_drip_hop: None,
            rate_changed_at: now,
            unsafe_urns: Vec::new(),
        })
    }

    /// Opens vault `urn` as its owner would (`join.sol` `GemJoin.join` of `ink` WETH, then
    /// `vat.frob(ETH-A, urn, urn, urn, ink, art)`, drawing `art·rate` DAI into the owner's Vat
    /// balance, where it stays: owners do not act). `ink` and `art` are wad. The owner's WETH
    /// is minted to the protocol's ledger holder (`env.holder`), which then holds what the
    /// `GemJoin` holds.
    ///
    /// # Errors
    /// [`OpenVaultError`] naming the vault (converts into [`WorldError`]); nothing changed.
    pub fn open_vault(
        &mut self,
        env: &mut Env<'_>,
        urn: u32,
        ink: U256,
        art: U256,
    ) -> Result<(), OpenVaultError> {
        if urn >= CAT {
            return Err(OpenVaultError::Address { urn });
        }
        let contract = |error| OpenVaultError::Contract { urn, error };
        let signed = |x: U256| i128::try_from(x).map_err(|_| contract(MakerError::Overflow));
        let (dink, dart) = (signed(ink)?, signed(art)?);
        env.ledger
            .mint(self.weth, env.holder, ink)
            .map_err(|error| OpenVaultError::Ledger { urn, error })?;
        let opened = self.gem_join.join(&mut self.vat, urn, ink).and_then(|()| {
            self.vat
                .frob(ETH_A, urn, urn, urn, dink, dart)
                // `frob` is atomic: undo the join (the exact inverse `slip`).
                .inspect_err(|_| {
                    let _ = self.gem_join.exit(&mut self.vat, urn, ink);
                })
        });
        if let Err(e) = opened {
            // Burning what was just minted cannot fail.
            let _ = env.ledger.burn(self.weth, env.holder, ink);
            return Err(contract(e));
        }
        // `frob` refuses a vault left with `art·rate > ink·spot` (`Vat/not-safe`): the new
        // vault is not unsafe, `unsafe_urns` stays current.
        Ok(())
    }

    /// Mints `wad` ERC-20 DAI to `to` that exists before the start outside the Vat (venues'
    /// inventories, keepers' wallets, the arbitrageur), backed as `join.sol` requires by the
    /// `DaiJoin`'s Vat balance: a stand-in vault [`REST`] of [`REST_ILK`] (assumption: one
    /// collateral worth 1 DAI a unit for everything behind DAI outside the ETH-A book) draws it
    /// and exits it through the adapter; the global `Line` is raised by the same amount, so
    /// ETH-A's room under it is unchanged. It plays no part in liquidations.
    ///
    /// # Errors
    /// [`WorldError::Reverted`] on a contract revert or overflow, [`WorldError::Ledger`] if the
    /// mint overflows the supply; nothing changed.
    pub fn mint_backed_dai(
        &mut self,
        env: &mut Env<'_>,
        to: Holder,
        wad: U256,
    ) -> Result<(), WorldError> {
        let backing =
            |e: MakerError| WorldError::reverted(NAME, format_args!("backing DAI: {e:?}"));
        let rad = wad
            .checked_mul(RAY)
            .ok_or_else(|| backing(MakerError::Overflow))?;
        let dwad = i128::try_from(wad).map_err(|_| backing(MakerError::Overflow))?;
        let mut vat = self.vat.clone();
        back_dai(&mut vat, self.dai_join, wad, rad, dwad).map_err(backing)?;
        env.ledger.mint(self.dai, to, wad)?;
        self.vat = vat;
        Ok(())
    }

    /// ETH-A urns with debt that are unsafe now (`ink·spot < art·rate`), ascending.
    pub fn unsafe_urns(&self) -> &[u32] {
        &self.unsafe_urns
    }

    /// Recomputes [`Maker::unsafe_urns`].
    ///
    /// # Errors
    /// A failing `isUnsafe` (never read as "safe").
    fn refresh_unsafe(&mut self) -> Result<(), WorldError> {
        let mut out = Vec::new();
        for (&(ilk, u), urn) in &self.vat.urns {
            if ilk == ETH_A && !urn.art.is_zero() && self.is_unsafe(u)? {
                out.push(u);
            }
        }
        self.unsafe_urns = out;
        Ok(())
    }

    fn is_unsafe(&self, u: u32) -> Result<bool, WorldError> {
        self.vat
            .is_unsafe(ETH_A, u)
            .map_err(|e| WorldError::reverted(NAME, format_args!("vault {u}: isUnsafe: {e:?}")))
    }

    /// The Vat (read-only: state changes go through [`Protocol::execute`]).
    pub fn vat(&self) -> &Vat {
        &self.vat
    }

    /// The ETH-A Flipper (its live auctions are `flipper().bids`).
    pub fn flipper(&self) -> &Flipper {
        &self.flip
    }

    /// The Cat.
    pub fn cat(&self) -> &Cat {
        &self.cat
    }

    /// The Jug.
    pub fn jug(&self) -> &Jug {
        &self.jug
    }

    /// The Spotter.
    pub fn spotter(&self) -> &Spotter {
        &self.spotter
    }

    /// Stability fee the Jug's drips credited to the Vow so far (rad): DAI created since
    /// deployment, which [`Maker::total_dai_rad`] leaves out.
    pub fn fees(&self) -> U256 {
        self.fees
    }

    /// ETH-A's collateral token (WETH).
    pub fn weth(&self) -> TokenId {
        self.weth
    }

    /// The ERC-20 DAI token.
    pub fn dai(&self) -> TokenId {
        self.dai
    }

    /// Time (unix s) of the last `drip` that changed ETH-A's `rate` (the deployment time
    /// before any): urns must be re-checked for safety after it.
    pub fn rate_changed_at(&self) -> u64 {
        self.rate_changed_at
    }

    /// WETH the `GemJoin` holds (wad): Σ ETH-A `ink` + Σ ETH-A `gem`; equals the protocol's
    /// ledger WETH balance.
    pub fn total_eth(&self) -> U256 {
        let ink: U256 = self
            .vat
            .urns
            .iter()
            .filter(|x| x.0.0 == ETH_A)
            .map(|x| x.1.ink)
            .sum();
        let gem: U256 = self
            .vat
            .gem
            .iter()
            .filter(|x| x.0.0 == ETH_A)
            .map(|x| *x.1)
            .sum();
        ink + gem
    }

    /// Vat DAI not backing ERC-20 DAI (rad): Σ `dai` except the `DaiJoin`'s, less
    /// [`Maker::fees`]. Plus the ledger's DAI supply · RAY, it is conserved by every call
    /// (vault opening and [`Maker::mint_backed_dai`] create DAI).
    pub fn total_dai_rad(&self) -> U256 {
        self.vat
            .dai
            .iter()
            .filter(|x| *x.0 != DAI_JOIN)
            .map(|x| *x.1)
            .sum::<U256>()
            .saturating_sub(self.fees)
    }

    /// `Jug.drip(ETH-A)` at `now` (`jug.sol`): accrues the fee into `rate`; adds the DAI it
    /// created to `fees` (a negative fee takes it off). Returns that DAI (rad, ≥ 0).
    /// A changed `rate` re-scans [`Maker::unsafe_urns`]. Atomic: on error nothing changed.
    fn drip_at(&mut self, now: u64) -> Result<U256, WorldError> {
        self.atomic(|m| {
            let (before, rate) = (m.vat.debt, m.vat.ilk(ETH_A).map_err(revert)?.rate);
            let after = m.jug.drip(&mut m.vat, ETH_A, now).map_err(revert)?;
            let created = m.vat.debt.saturating_sub(before);
            m.fees = (m.fees + created).saturating_sub(before.saturating_sub(m.vat.debt));
            if after != rate {
                m.rate_changed_at = now;
                m.refresh_unsafe()?;
            }
            Ok(created)
        })
    }

    /// Runs `f`; on its error restores the state before it (a clone: used for the changes
    /// that re-scan the urns, at most once per change of `spot` or `rate` and per bite).
    fn atomic<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, WorldError>,
    ) -> Result<T, WorldError> {
        let before = self.clone();
        f(self).inspect_err(|_| *self = before)
    }

    /// `Cat.bite(ETH-A, urn)` (`cat.sol` 1.0.0): the debt taken (`art·rate`) as DAI wad and
    /// the lot sent to the Flipper.
    fn bite(&mut self, urn: u32, now: u64) -> Result<Effect, WorldError> {
        let b = self.atomic(|m| {
            let b = m
                .cat
                .bite(&mut m.vat, &mut m.flip, ETH_A, urn, now)
                .map_err(revert)?;
            // Only the bitten urn changed; one larger than `lump` stays unsafe.
            if !m.is_unsafe(urn)? {
                m.unsafe_urns.retain(|u| *u != urn);
            }
            Ok(b)
        })?;
        Ok(Effect {
            amount: wad_of_rad(b.debt),
            seized: Some((self.weth, b.lot)),
            deficit: U256::ZERO,
            liquidation: None,
        })
    }

    /// A governance `file`; `JugDuty` drips first, as the spell does (`Jug/rho-not-updated`
    /// otherwise).
    fn file(&mut self, param: MakerParam, now: u64) -> Result<Effect, WorldError> {
        match param {
            MakerParam::FlipTtl(s) => self.flip.file_ttl(s),
            MakerParam::FlipTau(s) => self.flip.file_tau(s),
            MakerParam::CatLump(wad) => self.cat.file_lump(ETH_A, wad).map_err(revert)?,
            MakerParam::VatLine(rad) => self.vat.file_line(ETH_A, rad).map_err(revert)?,
            MakerParam::JugDuty(ray) => self.atomic(|m| {
                m.drip_at(now)?;
                m.jug.file_duty(ETH_A, ray, now).map_err(revert)
            })?,
        }
        Ok(Effect::default())
    }

    /// `GemJoin.exit(agent, amount)` from the sender's Vat `gem`, and the WETH from the
    /// protocol's ledger holder to the agent.
    fn exit_gem(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let addr = vat_address(sender)?;
        let held = env.ledger.balance(self.weth, env.holder);
        if held < amount {
            // The GemJoin's WETH is short of its Vat gem: the world's bookkeeping is broken.
            return Err(LedgerError::InsufficientBalance {
                token: self.weth,
                holder: env.holder,
                balance: held,
                needed: amount,
            }
            .into());
        }
        self.gem_join
            .exit(&mut self.vat, addr, amount)
            .map_err(revert)?;
        env.ledger
            .transfer(self.weth, env.holder, Holder::Agent(sender), amount)?;
        Ok(Effect {
            amount,
            ..Effect::default()
        })
    }

    /// `DaiJoin.join(agent, wad)`: burns the agent's ERC-20 DAI and credits `wad·RAY` Vat DAI
    /// to it; `U256::MAX` joins the whole wallet.
    fn join_dai(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        amount: U256,
    ) -> Result<Effect, WorldError> {
        let addr = vat_address(sender)?;
        let wad = if amount == U256::MAX {
            env.ledger.balance(self.dai, Holder::Agent(sender))
        } else {
            amount
        };
        ensure_balance(env, self.dai, sender, wad)?;
        self.dai_join
            .join(&mut self.vat, addr, wad)
            .map_err(revert)?;
        env.ledger.burn(self.dai, Holder::Agent(sender), wad)?;
        Ok(Effect {
            amount: wad,
            ..Effect::default()
        })
    }

    /// One Maker call by `sender` (Vat address [`MAKER_AGENT0`] `+ sender`) at `now`.
    fn maker_call(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: MakerCall,
    ) -> Result<Effect, WorldError> {
        let now = env.now;
        let bid_wad = |bid: U256| Effect {
            amount: wad_of_rad(bid),
            ..Effect::default()
        };
        match call {
            MakerCall::Bite { urn } => self.bite(urn, now),
            MakerCall::Tend { id, lot, bid } => {
                let addr = vat_address(sender)?;
                self.flip
                    .tend(&mut self.vat, addr, id, lot, bid, now)
                    .map_err(revert)?;
                Ok(bid_wad(bid))
            }
            MakerCall::Dent { id, lot, bid } => {
                let addr = vat_address(sender)?;
                self.flip
                    .dent(&mut self.vat, addr, id, lot, bid, now)
                    .map_err(revert)?;
                Ok(bid_wad(bid))
            }
            MakerCall::Deal { id } => {
                let b = self.flip.deal(&mut self.vat, id, now).map_err(revert)?;
                Ok(Effect {
                    amount: wad_of_rad(b.bid),
                    seized: Some((self.weth, b.lot)),
                    deficit: U256::ZERO,
                    liquidation: None,
                })
            }
            MakerCall::Tick { id } => {
                self.flip.tick(id, now).map_err(revert)?;
                Ok(Effect::default())
            }
            MakerCall::Drip => Ok(Effect {
                amount: wad_of_rad(self.drip_at(now)?),
                ..Effect::default()
            }),
            MakerCall::File(param) => self.file(param, now),
            MakerCall::ExitGem { amount } => self.exit_gem(env, sender, amount),
            MakerCall::JoinDai { amount } => self.join_dai(env, sender, amount),
        }
    }
}

impl Protocol for Maker {
    fn name(&self) -> &str {
        NAME
    }

    fn tokens(&self) -> Vec<TokenId> {
        sorted(&[self.weth, self.dai])
    }

    /// [`Call::Maker`] calls (see the module); every other call is unsupported: vaults are
    /// opened at setup ([`Maker::open_vault`]) and their owners do not act.
    ///
    /// Effects: `Bite` → the debt taken (`art·rate`, DAI wad) and `(WETH, lot)` sent to the
    /// Flipper; `Tend`/`Dent` → the bid (DAI wad); `Deal` → the winning bid (DAI wad) and
    /// `(WETH, lot)` to the winner's Vat `gem`; `Drip` → the fee created (DAI wad); `ExitGem`,
    /// `JoinDai` → the amount moved (wad). Wad amounts from rad are rounded down.
    fn execute(
        &mut self,
        env: &mut Env<'_>,
        sender: AgentId,
        call: &Call,
    ) -> Result<Effect, WorldError> {
        match *call {
            // Bites and drips keep `unsafe_urns` current themselves, atomically.
            Call::Maker(m) => self.maker_call(env, sender, m),
            Call::SwapExactIn { .. } | Call::BuyExactOut { .. } => Err(not_a_venue(NAME)),
            Call::Compound(_) => Err(not_compound(NAME)),
            other => Err(WorldError::Unsupported {
                target: NAME.into(),
                what: format!(
                    "a {} call (Maker takes Liquidations 1.2 calls only)",
                    other.kind().name()
                ),
            }),
        }
    }

    /// WETH only: `Spotter.poke` of ETH-A with `answer·1e10` (USD wad) as a current value.
    fn post_price(&mut self, token: TokenId, answer: u128, _now: u64) -> Result<(), WorldError> {
        if token != self.weth {
            return Err(WorldError::Unsupported {
                target: NAME.into(),
                what: format!("no price for token {token}: only WETH (ETH-A) is priced"),
            });
        }
        let val = U256::from(answer) * U256::from(10_000_000_000u64);
        let spot = self.spotter.spot(val, true).map_err(revert)?;
        if spot == self.vat.ilk(ETH_A).map_err(revert)?.spot {
            // The same `spot`: the poke changes nothing, no urn to re-check.
            self.spotter
                .poke(&mut self.vat, ETH_A, val, true)
                .map_err(revert)?;
            return Ok(());
        }
        self.atomic(|m| {
            m.spotter
                .poke(&mut m.vat, ETH_A, val, true)
                .map_err(revert)?;
            m.refresh_unsafe()
        })
    }

    /// At the first block of each `drip_every_s` hop (hop start = `now − now % hop`, aligned
    /// as the OSM's `prev`), and at the first block, `Jug.drip(ETH-A)` (assumption of the
    /// runner: ETH-A dripped hourly; on 12 March 2020 drips came with owners' draws and wipes,
    /// at no fixed times).
    fn begin_block(&mut self, env: &mut Env<'_>) -> Result<(), WorldError> {
        let hop = env.now - env.now % self.drip_every_s;
        if self.last_drip_hop.is_some_and(|last| hop <= last) {
            return Ok(());
        }
        // Atomic, and re-scans the urns if `rate` changed.
        self.drip_at(env.now)?;
        self.last_drip_hop = Some(hop);
        Ok(())
    }

    /// ETH-A urns with `art > 0` that `Vat.isUnsafe` (`ink·spot < art·rate`), ascending by
    /// urn: [`Maker::unsafe_urns`], re-scanned with `Vat.isUnsafe` whenever `spot`, `rate` or
    /// an urn changes (a failing `isUnsafe` fails that change, never reads as "safe"). `borrower` is the urn's Vat address (bitten with [`MakerCall::Bite`]),
    /// `max_repay` its debt `art·rate` (DAI wad), `health` `ink·spot / (art·rate)`.
    fn candidates(&self, _now: u64) -> Result<Vec<Candidate>, WorldError> {
        let ilk = self.vat.ilk(ETH_A).map_err(revert)?;
        let mut out = Vec::new();
        for &u in &self.unsafe_urns {
            let urn = self.vat.urn(ETH_A, u);
            let vault =
                |e: MakerError| WorldError::reverted(NAME, format_args!("vault {u}: {e:?}"));
            let owed = urn.art.checked_mul(ilk.rate);
            let owed = owed.ok_or_else(|| vault(MakerError::Overflow))?;
            let value = urn.ink.checked_mul(ilk.spot);
            let value = value.ok_or_else(|| vault(MakerError::Overflow))?;
            out.push(Candidate {
                borrower: u,
                debt: self.dai,
                collateral: self.weth,
                max_repay: wad_of_rad(owed),
                health: u256_to_f64(value) / u256_to_f64(owed),
            });
        }
        Ok(out)
    }

    /// WETH: the agent's Vat `gem` of ETH-A (wad); DAI: its Vat `dai` (rad / RAY, floor).
    fn deposit_of(&self, agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        let addr = vat_address(agent)?;
        match listed(NAME, &[self.weth, self.dai], token)? {
            0 => Ok(self.vat.gem_of(ETH_A, addr)),
            _ => Ok(wad_of_rad(self.vat.dai_of(addr))),
        }
    }

    /// 0: agents hold no vaults.
    fn debt_of(&self, _agent: AgentId, token: TokenId, _now: u64) -> Result<U256, WorldError> {
        listed(NAME, &[self.weth, self.dai], token)?;
        Ok(U256::ZERO)
    }

    /// The Vat's accounting, the auctions, the Jug and the tokens in the ledger:
    /// - `debt == Σ dai`, `vice == Σ sin`, `debt == Σ_ilk Art·rate + vice` (`frob` and
    ///   `fold` change `debt` by `Δart·rate` / `Art·Δrate` and the holders' `dai` by the same;
    ///   `grab` moves `art·rate` from `Art·rate` to `sin`/`vice`; `move` and `flux` conserve);
    /// - per ilk, `Σ urn.art == Art`;
    /// - per ilk, `rate` and the Jug's `rho` never fall, and `rho ≤ now` (a spell's fee is
    ///   checked ≥ 0 by its runner, so `duty ≥ 1 ray` and drips only raise `rate`);
    /// - the Flipper's Vat `gem` == Σ lots of its live auctions (`kick` fluxes the lot in,
    ///   `dent` returns the lot given up, `deal`/`yank` send the rest out), each bid ≤ tab;
    /// - [`Maker::unsafe_urns`] == the ETH-A urns with debt that `Vat.isUnsafe` now;
    /// - WETH held by the protocol's ledger holder == [`Maker::total_eth`] (Σ ETH-A `ink` +
    ///   `gem`): exact by design, the ledger WETH enters only with `open_vault` (minted with
    ///   the `GemJoin.join` of the same amount) and leaves only with `ExitGem` (the
    ///   `GemJoin.exit` of it). The stand-in [`REST_ILK`] collateral has no ledger token;
    /// - `vat.dai[DAI_JOIN] == DAI supply · RAY`: every ERC-20 DAI of a Maker world is minted
    ///   by [`Maker::mint_backed_dai`] (which credits the adapter the same rad) and burnt by
    ///   `JoinDai` (which debits it). This assumes Maker is the only minter of its DAI token;
    ///   a world that also mints that token elsewhere (a PSM venue) breaks it, and is reported.
    fn check_invariants(&self, check: &mut crate::invariant::InvariantCheck<'_>) {
        let vat = &self.vat;
        match checked_sum(vat.dai.values().copied()) {
            Some(d) => check.equal("vat debt == Σ dai", vat.debt, d),
            None => check.fail("vat Σ dai overflows".into()),
        }
        match checked_sum(vat.sin.values().copied()) {
            Some(s) => check.equal("vat vice == Σ sin", vat.vice, s),
            None => check.fail("vat Σ sin overflows".into()),
        }
        let mut tabs = Some(vat.vice);
        for (id, ilk) in vat.ilks.iter().enumerate() {
            let arts = checked_sum(vat.urns.iter().filter(|x| x.0.0 == id).map(|x| x.1.art));
            match arts {
                Some(a) => check.equal(&format!("vat ilk {id}: Σ urn art == Art"), a, ilk.art),
                None => check.fail(format!("vat ilk {id}: Σ urn art overflows")),
            }
            tabs = tabs
                .zip(ilk.art.checked_mul(ilk.rate))
                .and_then(|(a, b)| a.checked_add(b));
            check.never_falls(format!("ilk {id} rate"), ilk.rate);
        }
        match tabs {
            Some(t) => check.equal("vat debt == Σ Art·rate + vice", vat.debt, t),
            None => check.fail("vat Σ Art·rate + vice overflows".into()),
        }
        for (id, j) in self.jug.ilks.iter().enumerate() {
            check.never_falls(format!("jug ilk {id} rho"), U256::from(j.rho));
            let now = check.now;
            check.require(j.rho <= now, || {
                format!("jug ilk {id}: rho {} after now {now}", j.rho)
            });
        }
        let lots = checked_sum(self.flip.bids.values().map(|b| b.lot));
        match lots {
            Some(l) => check.equal(
                "flipper vat gem == Σ live lots",
                vat.gem_of(self.flip.ilk, self.flip.address),
                l,
            ),
            None => check.fail("flipper Σ lots overflows".into()),
        }
        for (id, b) in &self.flip.bids {
            check.require(b.bid <= b.tab, || {
                format!("flip {id}: bid {} above tab {}", b.bid, b.tab)
            });
        }
        let mut unsafe_now = Vec::new();
        for (&(ilk, u), urn) in &vat.urns {
            if ilk != ETH_A || urn.art.is_zero() {
                continue;
            }
            match vat.is_unsafe(ETH_A, u) {
                Ok(true) => unsafe_now.push(u),
                Ok(false) => {}
                Err(e) => check.fail(format!("vault {u}: isUnsafe: {e:?}")),
            }
        }
        check.require(unsafe_now == self.unsafe_urns, || {
            format!(
                "unsafe_urns {:?} != urns unsafe now {unsafe_now:?}",
                self.unsafe_urns
            )
        });
        check.equal(
            "ledger WETH at the protocol == Σ ETH-A ink + gem",
            check.ledger.balance(self.weth, check.holder),
            self.total_eth(),
        );
        match check.ledger.supply(self.dai).checked_mul(RAY) {
            Some(s) => check.equal(
                "vat dai[DaiJoin] == DAI supply · RAY",
                vat.dai_of(DAI_JOIN),
                s,
            ),
            None => check.fail("DAI supply · RAY overflows".into()),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bankrun_chain::Ledger;
    use bankrun_maker::math::WAD;

    const WETH: TokenId = 0;
    const DAI: TokenId = 1;
    /// A multiple of the hour (1_584_000_000 = 440,000 h).
    const T0: u64 = 1_584_000_000;
    const P: Holder = Holder::Protocol(0);

    fn wad(x: u64) -> U256 {
        U256::from(x) * WAD
    }

    fn rad(x: u64) -> U256 {
        wad(x) * RAY
    }

    fn params() -> MakerParams {
        MakerParams {
            mat: RAY * U256::from(3) / U256::from(2),
            chop: RAY * U256::from(113) / U256::from(100),
            lump: wad(50),
            beg: WAD * U256::from(103) / U256::from(100),
            ttl_s: 600,
            tau_s: 3600,
            line: rad(1_000_000),
            dust: rad(20),
            duty: duty_of_annual_fee(0.08),
            drip_every_s: 3600,
            spot_price: wad(200),
        }
    }

    fn env(ledger: &mut Ledger, now: u64) -> Env<'_> {
        Env {
            now,
            block: 0,
            ledger,
            holder: P,
        }
    }

    /// Vault 0: 10 ETH, 1000 DAI at $200 (CR 200 %); agents 0 and 1 hold 2000 ERC-20 DAI each.
    fn world() -> (Maker, Ledger) {
        let mut ledger = Ledger::new();
        let mut m = Maker::new(&params(), WETH, DAI, T0).unwrap();
        let mut e = env(&mut ledger, T0);
        m.open_vault(&mut e, 0, wad(10), wad(1000)).unwrap();
        m.mint_backed_dai(&mut e, Holder::Agent(0), wad(2000))
            .unwrap();
        m.mint_backed_dai(&mut e, Holder::Agent(1), wad(2000))
            .unwrap();
        (m, ledger)
    }

    fn call(
        m: &mut Maker,
        l: &mut Ledger,
        now: u64,
        who: AgentId,
        c: MakerCall,
    ) -> Result<Effect, WorldError> {
        m.execute(&mut env(l, now), who, &Call::Maker(c))
    }

    fn addr(agent: AgentId) -> u32 {
        vat_address(agent).unwrap()
    }

    /// The Vat's backing of ERC-20 DAI equals its supply, and the ledger's WETH at the
    /// protocol equals what the GemJoin holds.
    fn assert_books(m: &Maker, l: &Ledger) {
        l.check_conservation().unwrap();
        assert_eq!(m.vat().dai_of(DAI_JOIN), l.supply(DAI) * RAY);
        assert_eq!(m.total_eth(), l.balance(WETH, P));
    }

    #[test]
    fn unsafe_vault_is_bitten_auctioned_and_settled() {
        let (mut m, mut l) = world();
        assert!(m.candidates(T0).unwrap().is_empty());
        m.post_price(WETH, 140_0000_0000, T0).unwrap();
        let c = m.candidates(T0).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].borrower, c[0].debt, c[0].collateral), (0, DAI, WETH));
        assert_eq!(c[0].max_repay, wad(1000));
        assert!((c[0].health - 1400.0 / 1.5 / 1000.0).abs() < 1e-12);
        assert_eq!(m.unsafe_urns(), &[0]);

        // JoinDai(MAX): the wallet's 2000 DAI burnt, 2000 rad credited.
        let e = call(
            &mut m,
            &mut l,
            T0,
            0,
            MakerCall::JoinDai { amount: U256::MAX },
        )
        .unwrap();
        assert_eq!(e.amount, wad(2000));
        assert_eq!(l.balance(DAI, Holder::Agent(0)), U256::ZERO);
        assert_eq!(m.vat().dai_of(addr(0)), rad(2000));
        assert_eq!(m.deposit_of(0, DAI, T0).unwrap(), wad(2000));
        assert_books(&m, &l);

        let e = call(&mut m, &mut l, T0 + 10, 5, MakerCall::Bite { urn: 0 }).unwrap();
        assert_eq!(e.amount, wad(1000));
        assert_eq!(e.seized, Some((WETH, wad(10))));
        assert_eq!(m.flipper().bids[&1].tab, rad(1130));
        assert_eq!(m.vat().urn(ETH_A, 0).art, U256::ZERO);
        assert_eq!(m.vat().gem_of(ETH_A, FLIPPER), wad(10));
        assert!(m.candidates(T0 + 10).unwrap().is_empty());
        assert!(m.unsafe_urns().is_empty());

        let tend = MakerCall::Tend {
            id: 1,
            lot: wad(10),
            bid: rad(1130),
        };
        assert_eq!(
            call(&mut m, &mut l, T0 + 20, 0, tend).unwrap().amount,
            wad(1130)
        );
        assert_eq!(m.vat().dai_of(addr(0)), rad(870));
        assert_eq!(m.vat().dai_of(VOW), rad(1130));

        // tic = T0 + 620: not finished at T0 + 620, settled at T0 + 621.
        let deal = MakerCall::Deal { id: 1 };
        assert!(call(&mut m, &mut l, T0 + 620, 0, deal).is_err());
        let e = call(&mut m, &mut l, T0 + 621, 3, deal).unwrap();
        assert_eq!((e.amount, e.seized), (wad(1130), Some((WETH, wad(10)))));
        assert_eq!(m.vat().gem_of(ETH_A, addr(0)), wad(10));
        assert_eq!(m.deposit_of(0, WETH, T0).unwrap(), wad(10));
        assert!(m.flipper().bids.is_empty());

        // ExitGem: 4 WETH from the Vat gem to the agent's wallet.
        let e = call(
            &mut m,
            &mut l,
            T0 + 630,
            0,
            MakerCall::ExitGem { amount: wad(4) },
        );
        assert_eq!(e.unwrap().amount, wad(4));
        assert_eq!(m.vat().gem_of(ETH_A, addr(0)), wad(6));
        assert_eq!(l.balance(WETH, Holder::Agent(0)), wad(4));
        assert_eq!(l.balance(WETH, P), wad(6));
        assert_books(&m, &l);

        // JoinDai of part of agent 1's wallet.
        call(
            &mut m,
            &mut l,
            T0 + 630,
            1,
            MakerCall::JoinDai { amount: wad(500) },
        )
        .unwrap();
        assert_eq!(l.balance(DAI, Holder::Agent(1)), wad(1500));
        assert_eq!(m.vat().dai_of(addr(1)), rad(500));
        assert_books(&m, &l);
    }

    #[test]
    fn reverted_calls_change_nothing() {
        let (mut m, mut l) = world();
        m.post_price(WETH, 140_0000_0000, T0).unwrap();
        for a in [0, 1] {
            call(
                &mut m,
                &mut l,
                T0,
                a,
                MakerCall::JoinDai { amount: U256::MAX },
            )
            .unwrap();
        }
        call(&mut m, &mut l, T0, 0, MakerCall::Bite { urn: 0 }).unwrap();
        let first = MakerCall::Tend {
            id: 1,
            lot: wad(10),
            bid: rad(100),
        };
        call(&mut m, &mut l, T0 + 1, 0, first).unwrap();
        let snapshot = |m: &Maker, l: &Ledger| {
            (
                m.vat().clone(),
                m.flipper().clone(),
                m.jug().clone(),
                m.fees(),
                l.clone(),
            )
        };
        let before = snapshot(&m, &l);
        let attempts = [
            // 101 < 100 · 1.03: Flipper/insufficient-increase.
            (
                1,
                MakerCall::Tend {
                    id: 1,
                    lot: wad(10),
                    bid: rad(101),
                },
                "InsufficientIncrease",
            ),
            (
                1,
                MakerCall::Tend {
                    id: 1,
                    lot: wad(9),
                    bid: rad(200),
                },
                "LotNotMatching",
            ),
            (
                1,
                MakerCall::Tend {
                    id: 1,
                    lot: wad(10),
                    bid: rad(1131),
                },
                "HigherThanTab",
            ),
            (1, MakerCall::ExitGem { amount: wad(1) }, "Underflow"),
            (0, MakerCall::Bite { urn: 0 }, "NotUnsafe"),
            (0, MakerCall::Deal { id: 1 }, "NotFinished"),
            // Before the Jug's rho: the drip of the spell fails, the file is not made.
            (
                0,
                MakerCall::File(MakerParam::JugDuty(RAY)),
                "JugInvalidNow",
            ),
        ];
        for (who, c, reason) in attempts {
            let now = if reason == "JugInvalidNow" {
                T0 - 1
            } else {
                T0 + 2
            };
            match call(&mut m, &mut l, now, who, c) {
                Err(WorldError::Reverted { target, reason: r }) => {
                    assert_eq!((target.as_str(), r.as_str()), ("maker", reason));
                }
                other => panic!("{c:?}: expected {reason}, got {other:?}"),
            }
            assert!(snapshot(&m, &l) == before, "{c:?} changed state");
        }
        // A wallet short of DAI: the ledger's error, nothing joined.
        let r = call(
            &mut m,
            &mut l,
            T0 + 2,
            1,
            MakerCall::JoinDai { amount: wad(1) },
        );
        assert!(matches!(r, Err(WorldError::Ledger(_))), "{r:?}");
        assert!(snapshot(&m, &l) == before);
        // Calls Maker has no function for.
        let supply = Call::Supply {
            token: WETH,
            amount: wad(1),
        };
        assert!(matches!(
            m.execute(&mut env(&mut l, T0 + 2), 0, &supply),
            Err(WorldError::Unsupported { .. })
        ));
        assert!(m.post_price(DAI, 1_0000_0000, T0).is_err());
        assert!(m.deposit_of(0, 7, T0).is_err());
        assert!(snapshot(&m, &l) == before);
    }

    #[test]
    fn begin_block_drips_once_per_hop() {
        let (mut m, mut l) = world();
        let rho = |m: &Maker| m.jug().ilks[ETH_A].rho;
        let mut drips = 0;
        let mut last = rho(&m);
        for now in (T0 + 12..T0 + 3 * 3600 + 1).step_by(12) {
            m.begin_block(&mut env(&mut l, now)).unwrap();
            if rho(&m) != last {
                drips += 1;
                last = rho(&m);
                // The first block, then the first block of each hop.
                assert!(now == T0 + 12 || now % 3600 == 0, "drip at {now}");
                assert_eq!(m.rate_changed_at(), now);
            }
        }
        assert_eq!(drips, 4);
        assert!(m.vat().ilks[ETH_A].rate > RAY);
        // The fee is the Vow's new DAI: art · (rate − 1).
        let fee = wad(1000) * (m.vat().ilks[ETH_A].rate - RAY);
        assert_eq!(m.fees(), fee);
        assert_eq!(m.vat().dai_of(VOW), fee);
        // A spell files a new duty after its own drip.
        let now = T0 + 3 * 3600 + 5;
        let duty = duty_of_annual_fee(1e6);
        call(
            &mut m,
            &mut l,
            now,
            0,
            MakerCall::File(MakerParam::JugDuty(duty)),
        )
        .unwrap();
        assert_eq!((rho(&m), m.jug().ilks[ETH_A].duty), (now, duty));
        // A vault just above `mat` (133.3 DAI on 1 ETH at $200 / 1.5) turns unsafe by the next
        // hop's drip (+0.16 % in an hour at that fee): the drip re-scans the urns.
        let mut e = env(&mut l, now);
        m.open_vault(&mut e, 1, wad(1), wad(1333) / U256::from(10))
            .unwrap();
        assert!(m.unsafe_urns().is_empty());
        m.begin_block(&mut env(&mut l, T0 + 4 * 3600 - 1)).unwrap();
        assert!(m.unsafe_urns().is_empty());
        m.begin_block(&mut env(&mut l, T0 + 4 * 3600)).unwrap();
        assert_eq!(m.unsafe_urns(), &[1]);
        assert_eq!(m.candidates(T0 + 4 * 3600).unwrap()[0].borrower, 1);
    }

    #[test]
    fn backed_dai_matches_the_adapter_and_bad_vaults_are_refused() {
        let (mut m, mut l) = world();
        assert_books(&m, &l);
        assert_eq!(l.supply(DAI), wad(4000));
        assert_eq!(m.vat().global_line, rad(1_004_000));
        assert_eq!(m.vat().urn(REST_ILK, REST).art, wad(4000));
        assert_eq!(m.vat().ilks[REST_ILK].line, rad(4000));
        // ETH-A's vault DAI stays with its owner; the backing DAI is not counted.
        assert_eq!(m.total_dai_rad(), rad(1000));

        let before = (m.vat().clone(), l.clone());
        let mut e = env(&mut l, T0);
        let dust = m.open_vault(&mut e, 1, wad(1), wad(10)).unwrap_err();
        assert_eq!(dust.maker_error(), Some(MakerError::Dust));
        let ceiling = m
            .open_vault(&mut e, 2, wad(20_000), wad(1_000_001))
            .unwrap_err();
        assert_eq!(ceiling.maker_error(), Some(MakerError::CeilingExceeded));
        let unsafe_ = m.open_vault(&mut e, 3, wad(1), wad(150)).unwrap_err();
        assert_eq!(unsafe_.maker_error(), Some(MakerError::NotSafe));
        let system = m
            .open_vault(&mut e, DAI_JOIN, wad(1), wad(100))
            .unwrap_err();
        assert_eq!(system, OpenVaultError::Address { urn: DAI_JOIN });
        assert!(
            matches!(WorldError::from(dust), WorldError::Reverted { reason, .. } if reason == "vault 1: Dust")
        );
        // Refused vaults leave no urn, no debt and no WETH (an emptied `gem` entry may remain).
        assert_eq!(m.vat().urns, before.0.urns);
        assert_eq!(m.vat().debt, before.0.debt);
        assert_eq!(m.vat().ilks, before.0.ilks);
        assert_eq!(l, before.1);
        assert_eq!(m.total_eth(), wad(10));
    }

    fn violations(m: &Maker, l: &Ledger, now: u64) -> Vec<String> {
        let mut c = crate::invariant::InvariantCheck::new(now, l, P);
        m.check_invariants(&mut c);
        c.finish().0
    }

    #[test]
    fn invariants_hold_through_a_liquidation_and_a_corruption_is_reported() {
        let (mut m, mut l) = world();
        assert_eq!(violations(&m, &l, T0), Vec::<String>::new());
        m.begin_block(&mut env(&mut l, T0 + 3600)).unwrap();
        m.post_price(WETH, 140_0000_0000, T0 + 3600).unwrap();
        call(
            &mut m,
            &mut l,
            T0 + 3600,
            0,
            MakerCall::JoinDai { amount: U256::MAX },
        )
        .unwrap();
        call(&mut m, &mut l, T0 + 3600, 5, MakerCall::Bite { urn: 0 }).unwrap();
        let tend = MakerCall::Tend {
            id: 1,
            lot: wad(10),
            bid: rad(100),
        };
        call(&mut m, &mut l, T0 + 3601, 0, tend).unwrap();
        assert_eq!(violations(&m, &l, T0 + 3601), Vec::<String>::new());
        let mut corrupt = l.clone();
        corrupt.corrupt_balance(WETH, P, wad(9));
        let bad = violations(&m, &corrupt, T0 + 3601);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("ledger WETH"), "{bad:?}");
        // A stale keeper cache is reported too.
        let mut stale = m.clone();
        stale.unsafe_urns.push(7);
        let bad = violations(&stale, &l, T0 + 3601);
        assert!(bad.len() == 1 && bad[0].contains("unsafe_urns"), "{bad:?}");
    }

    #[test]
    fn conversions_match_the_runner() {
        assert_eq!(to_fixed(1.5, 27), RAY * U256::from(3) / U256::from(2));
        assert_eq!(to_fixed(250.0, 18), wad(250));
        assert_eq!(to_fixed(-1.0, 18), U256::ZERO);
        assert_eq!(to_fixed(f64::NAN, 18), U256::ZERO);
        // 8 % a year → 1.0000000024404186…e27 per second.
        let d = duty_of_annual_fee(0.08).to_string();
        assert!(d.starts_with("10000000024404186"), "{d}");
        assert_eq!(d.len(), 28);
        assert_eq!(duty_of_annual_fee(0.0), RAY);
    }
}
