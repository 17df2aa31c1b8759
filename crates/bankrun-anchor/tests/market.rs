//! The market: per-block interest on hand-computed numbers, the target-rate cap, the
//! exchange rate, deposits, redeems (and their liquidity revert), borrows and repays.

use bankrun_anchor::market::compute_interest_raw;
use bankrun_anchor::{
    AnchorError, BorrowerInfo, Decimal256, InterestModel, Market, TerraTax, U256, Uint256,
};

const F: u128 = 1_000_000_000_000_000_000;
const A: u32 = 1;
const B: u32 = 2;
const C: u32 = 3;
const UST: u128 = 1_000_000;

fn da(atoms: u128) -> Decimal256 {
    Decimal256::from_atomics(U256::from(atoms))
}

fn u(x: u128) -> Uint256 {
    Uint256::from(x)
}

/// No cap: a target far above any deposit rate here.
fn high() -> Decimal256 {
    Decimal256::ONE
}

/// base 1e-8, multiplier 2e-8 per block; 100 UST liquid, 50 UST lent, 150 aUST at 1.0; last
/// update at block 100.
fn small_market() -> Market {
    let model = InterestModel {
        base_rate: da(10_000_000_000),
        interest_multiplier: da(20_000_000_000),
    };
    let mut m = Market::new(100, model, Decimal256::percent(95), TerraTax::ZERO);
    m.balance = u(100 * UST);
    m.state.total_liabilities = Decimal256::from_uint256(u(50 * UST)).unwrap();
    m.aterra_supply = u(150 * UST);
    m.state.prev_aterra_supply = u(150 * UST);
    m
}

#[test]
fn per_block_interest_hand_computed() {
    let m = small_market();
    // utilization = 50/(100 + 50) = ⌊1e36/3e18⌋ atoms = 0.333333333333333333
    assert_eq!(
        m.interest_model
            .utilization(m.balance, m.state.total_liabilities, m.state.total_reserves)
            .unwrap(),
        da(333_333_333_333_333_333)
    );
    // borrow rate = ⌊0.333333333333333333·2e-8⌋ + 1e-8 = 6,666,666,666 + 10,000,000,000 atoms
    assert_eq!(m.borrow_rate().unwrap(), da(16_666_666_666));

    // 100 blocks: factor = 100·16,666,666,666 = 1,666,666,666,600 atoms;
    // interest = ⌊50e6·1e18·1,666,666,666,600/1e18⌋ = 83,333,333,330,000,000,000 atoms
    // (83.33333333 uusd); index = 1 + factor; exchange rate = (100e6 + 50.00008333e6)/150e6
    let st = m.query_state(200, high()).unwrap();
    assert_eq!(st.global_interest_index, da(1_000_001_666_666_666_600));
    assert_eq!(st.total_liabilities, da(50_000_083_333_333_330_000_000_000));
    assert_eq!(st.prev_exchange_rate, da(1_000_000_555_555_555_533));
    assert_eq!(st.total_reserves, Decimal256::ZERO);
    assert_eq!(st.last_interest_updated, 200);
    assert_eq!(st.prev_aterra_supply, u(150 * UST));

    // the raw function with the same inputs gives the same state
    let mut raw = m.state;
    compute_interest_raw(
        &mut raw,
        200,
        m.balance,
        m.aterra_supply,
        da(16_666_666_666),
        high(),
    )
    .unwrap();
    assert_eq!(raw, st);
    // a second call in the same block is a no-op
    let again = raw;
    compute_interest_raw(&mut raw, 200, m.balance, m.aterra_supply, da(1), high()).unwrap();
    assert_eq!(raw, again);
}

#[test]
fn borrower_liability_follows_the_index() {
    let mut m = small_market();
    m.borrowers.insert(
        B,
        BorrowerInfo {
            interest_index: Decimal256::ONE,
            loan_amount: u(50 * UST),
        },
    );
    // ⌊50e6·1.0000016666666666⌋ / 1 = 50,000,083 uusd at block 200
    assert_eq!(m.liability(B, 200, high()).unwrap(), u(50_000_083));
    assert_eq!(m.liability(B, 100, high()).unwrap(), u(50 * UST));
}

#[test]
fn target_rate_cap_moves_excess_to_reserves() {
    let m = small_market();
    // uncapped, the 100 blocks earn depositors 5,555,555,555 atoms a block
    // ((1.000000555555555533 − 1)/100); cap at 1e-9 a block:
    // reserves = ⌊⌊150e6·1e18·100⌋·(5,555,555,555 − 1,000,000,000)/1e18⌋
    //          = 68,333,333,325,000,000,000 atoms (68.33 uusd)
    let target = da(1_000_000_000);
    let st = m.query_state(200, target).unwrap();
    assert_eq!(st.total_reserves, da(68_333_333_325_000_000_000));
    // exchange rate = (100e6 + 50.00008333333333e6 − 68.333333325e-6·1e6)/150e6
    assert_eq!(st.prev_exchange_rate, da(1_000_000_100_000_000_033));
    // what depositors now earn is the target: (rate − 1)/100 = 1e-9 exactly here
    let earned = (st.prev_exchange_rate.atomics() - U256::from(F)) / U256::from(100u64);
    assert_eq!(earned, target.atomics());
    // liabilities and index do not depend on the cap
    let free = m.query_state(200, high()).unwrap();
    assert_eq!(st.total_liabilities, free.total_liabilities);
    assert_eq!(st.global_interest_index, free.global_interest_index);
}

#[test]
fn exchange_rate_rises_with_interest_and_deposit_mints_at_it() {
    let mut m = small_market();
    let r100 = m.exchange_rate(100, high()).unwrap();
    let r200 = m.exchange_rate(200, high()).unwrap();
    let r300 = m.exchange_rate(300, high()).unwrap();
    assert_eq!(r100, Decimal256::ONE);
    assert!(r100 < r200 && r200 < r300);

    // 1,000 UST at block 200: mint = ⌊1e9·1e18/1,000,000,555,555,555,533⌋ = 999,999,444
    let minted = m.deposit_stable(A, u(1_000 * UST), 200, high()).unwrap();
    assert_eq!(minted, u(999_999_444));
    assert_eq!(m.aterra_balance(A), minted);
    assert_eq!(m.aterra_supply, u(150 * UST + 999_999_444));
    assert_eq!(m.balance, u(1_100 * UST));
    assert_eq!(m.state.prev_aterra_supply, m.aterra_supply);
    // flooring the mint never lowers the rate for the others
    assert!(m.exchange_rate(200, high()).unwrap() >= r200);

    // a dust deposit that mints 0 aUST reverts (cw20 mint of 0); a zero deposit too
    let before = m.clone();
    assert_eq!(
        m.deposit_stable(A, u(1), 300, high()),
        Err(AnchorError::InvalidZeroAmount)
    );
    assert_eq!(
        m.deposit_stable(A, Uint256::ZERO, 300, high()),
        Err(AnchorError::ZeroDeposit)
    );
    assert_eq!(m, before);
}

/// 1,000 UST deposited by A and 900 UST borrowed by B at block 1 (market instantiated at 0
/// with the 1 UST initial deposit).
fn lent_out() -> Market {
    let model = bankrun_anchor::params::interest_model();
    let mut m = Market::new(0, model, Decimal256::percent(95), TerraTax::ZERO);
    m.deposit_stable(A, u(1_000 * UST), 1, high()).unwrap();
    m.borrow_stable(B, u(900 * UST), 1, high(), u(10_000 * UST))
        .unwrap();
    m
}

#[test]
fn redeem_reverts_when_liquidity_is_short_and_changes_nothing() {
    let mut m = lent_out();
    assert_eq!(m.balance, u(101 * UST));
    let before = m.clone();
    let all = m.aterra_balance(A);
    assert_eq!(
        m.redeem_stable(A, all, 1_000, high()),
        Err(AnchorError::NoStableAvailable)
    );
    assert_eq!(m, before);

    // 50 aUST fit: paid ⌊50e6·rate⌋ at the rate of the block
    let rate = m.exchange_rate(1_000, high()).unwrap();
    let r = m.redeem_stable(A, u(50 * UST), 1_000, high()).unwrap();
    assert_eq!(r.redeem_amount, u(50 * UST).mul_dec(rate).unwrap());
    assert!(r.redeem_amount > u(50 * UST));
    assert_eq!(r.received, r.redeem_amount);
    assert_eq!(
        m.balance,
        u(101 * UST).checked_sub(r.redeem_amount).unwrap()
    );
    assert_eq!(m.aterra_balance(A), all.checked_sub(u(50 * UST)).unwrap());

    // more aUST than held: cw20 refuses
    assert_eq!(
        m.redeem_stable(C, u(1), 1_000, high()),
        Err(AnchorError::InsufficientATerra)
    );
}

#[test]
fn redeem_check_keeps_reserves_out_of_reach() {
    // the check is redeem_amount + total_reserves > balance (not balance alone)
    let base = lent_out();
    let mut ok = base.clone();
    ok.redeem_stable(A, u(100 * UST), 1, high()).unwrap();

    let mut m = base.clone();
    m.state.total_reserves = Decimal256::from_uint256(u(2 * UST)).unwrap();
    let before = m.clone();
    // 100 aUST ≈ 99.8 UST at the reserve-reduced rate ≤ 101 UST held, but + 2 UST reserves
    // > 101
    let rate = m.exchange_rate(1, high()).unwrap();
    let want = u(100 * UST).mul_dec(rate).unwrap();
    assert!(want <= m.balance);
    assert_eq!(
        m.redeem_stable(A, u(100 * UST), 1, high()),
        Err(AnchorError::NoStableAvailable)
    );
    assert_eq!(m, before);
}

#[test]
fn falling_exchange_rate_reverts_interest_computation() {
    // (rate/prev_rate − 1) underflows in the contract when the rate fell
    let mut m = lent_out();
    m.state.total_reserves = Decimal256::from_uint256(u(2 * UST)).unwrap();
    let before = m.clone();
    assert_eq!(
        m.deposit_stable(C, u(UST), 2, high()),
        Err(AnchorError::Underflow)
    );
    assert_eq!(m, before);
}

#[test]
fn borrow_checks() {
    let mut m = lent_out();
    let before = m.clone();
    // limit: 950 UST limit, 900 owed (plus interest) → another 100 is too much
    assert_eq!(
        m.borrow_stable(B, u(100 * UST), 2, high(), u(950 * UST)),
        Err(AnchorError::BorrowExceedsLimit(u(950 * UST)))
    );
    // max borrow factor: 900 + 60 > (101 + 900)·0.95 = 950.95
    assert_eq!(
        m.borrow_stable(C, u(60 * UST), 1, high(), u(10_000 * UST)),
        Err(AnchorError::MaxBorrowFactorReached)
    );
    assert_eq!(m, before);
    // with max_borrow_factor ≤ 1 the factor check implies amount + reserves ≤ balance;
    // at 2 (hypothetical), reserves of 95 UST keep 10 UST from leaving: 10 + 95 > 101
    m.state.total_reserves = Decimal256::from_uint256(u(95 * UST)).unwrap();
    m.max_borrow_factor = Decimal256::percent(100);
    let before = m.clone();
    assert_eq!(
        m.borrow_stable(C, u(10 * UST), 1, high(), u(10_000 * UST)),
        Err(AnchorError::MaxBorrowFactorReached)
    );
    assert_eq!(m, before);
    m.max_borrow_factor = Decimal256::percent(200);
    let before = m.clone();
    assert_eq!(
        m.borrow_stable(C, u(10 * UST), 1, high(), u(10_000 * UST)),
        Err(AnchorError::NoStableAvailable)
    );
    assert_eq!(m, before);
}

#[test]
fn per_borrower_liability_and_repay() {
    let mut m = lent_out();
    m.borrow_stable(C, u(40 * UST), 500_000, high(), u(10_000 * UST))
        .unwrap();
    let i_b = m.borrower(B).interest_index;
    let i_c = m.borrower(C).interest_index;
    // the index moved in block 1 although nothing was lent yet (base rate > 0)
    assert!(i_b > Decimal256::ONE && i_c > i_b);
    let st = m.query_state(1_000_000, high()).unwrap();
    // loan = ⌊⌊loan·I_now⌋ / I_then⌋
    let lb = m.liability(B, 1_000_000, high()).unwrap();
    let lc = m.liability(C, 1_000_000, high()).unwrap();
    let exp_b = u(900 * UST)
        .mul_dec(st.global_interest_index)
        .unwrap()
        .div_dec(i_b)
        .unwrap();
    let exp_c = u(40 * UST)
        .mul_dec(st.global_interest_index)
        .unwrap()
        .div_dec(i_c)
        .unwrap();
    assert_eq!((lb, lc), (exp_b, exp_c));
    assert!(lb > u(900 * UST) && lc > u(40 * UST));

    // B repays 1,000 UST: repays its loan, gets the excess back
    let bal = m.balance;
    let r = m
        .repay_stable(B, u(1_000 * UST), 1_000_000, high())
        .unwrap();
    assert_eq!(r.repaid, lb);
    assert_eq!(r.refund, u(1_000 * UST).checked_sub(lb).unwrap());
    assert_eq!(m.balance, bal.checked_add(lb).unwrap());
    assert_eq!(m.borrower(B).loan_amount, Uint256::ZERO);
    // total liabilities lost exactly the repaid amount
    assert_eq!(
        m.state.total_liabilities,
        st.total_liabilities
            .checked_sub(Decimal256::from_uint256(lb).unwrap())
            .unwrap()
    );
    assert_eq!(
        m.repay_stable(B, Uint256::ZERO, 1_000_000, high()),
        Err(AnchorError::ZeroRepay)
    );
}

#[test]
fn with_totals_reproduces_the_aggregates() {
    // 14.0 B UST deposits, 2.9 B borrowed (terra-anchor-2022-05.md), aUST at 1.2 (assumption)
    let m = Market::with_totals(
        7_500_000,
        u(14_000_000_000 * UST),
        u(2_900_000_000 * UST),
        Decimal256::permille(1_200),
        bankrun_anchor::params::interest_model(),
        bankrun_anchor::params::max_borrow_factor(),
        TerraTax::ZERO,
    )
    .unwrap();
    assert_eq!(m.balance, u(11_100_000_000 * UST));
    // deposits = supply·rate within a micro-unit
    let back = m.aterra_supply.mul_dec(m.state.prev_exchange_rate).unwrap();
    let diff = u(14_000_000_000 * UST).checked_sub(back).unwrap();
    assert!(diff <= u(1), "{diff}");
    // utilization 2.9/14 and borrow rate ≈ 10.1 % a year at 4,656,810 blocks
    let apr = bankrun_anchor::params::per_block_to_yearly(m.borrow_rate().unwrap()).unwrap();
    let apr = apr.atomics().to::<u128>() as f64 / 1e18;
    let expect =
        (2.9 / 14.0) * 0.000000085601728176 * 4_656_810.0 + 0.000000004076272770 * 4_656_810.0;
    assert!((apr - expect).abs() < 1e-9, "{apr} vs {expect}");
}
