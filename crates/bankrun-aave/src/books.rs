//! The pool's books checked against themselves: what must hold after every transaction
//! whatever the path that led there (issue "Trust at scale", item 1; the same properties as
//! `tests/invariants.rs` checks over random action sequences, here as one public check the
//! world runs after every block).

use bankrun_math::RAY;
use bankrun_math::percentage::percent_mul;
use bankrun_math::wad_ray::wad_div;

use crate::emode::user_reserve_liquidation_threshold;
use crate::{Pool, U256, UserId};

impl Pool {
    /// Every book invariant of the pool at `now`, as violation messages (empty: all hold):
    /// - per reserve, the users' scaled aToken balances plus the treasury's sum to
    ///   `scaled_total_supply`, and their scaled variable debts to
    ///   `scaled_total_variable_debt` (`AToken.scaledTotalSupply`,
    ///   `VariableDebtToken.scaledTotalSupply`);
    /// - a user's borrowing flag is set exactly when the scaled debt is non-zero
    ///   (`UserConfiguration.setBorrowing`);
    /// - utilization is at most 1 (RAY) and the normalized income and debt are at least the
    ///   stored indexes;
    /// - each user's `getUserAccountData` agrees with a recomputation from the balances:
    ///   collateral and debt in base currency exactly (each reserve's `balanceOf` × price /
    ///   unit, `GenericLogic.calculateUserAccountData`) and the health factor exactly, from
    ///   each reserve's liquidation threshold (e-mode's where it applies).
    ///
    /// Monotone quantities (the stored indexes) need the previous block; the caller compares
    /// [`crate::ReserveData::liquidity_index`] and `variable_borrow_index` between checks.
    pub fn check_books(&self, now: u64) -> Vec<String> {
        let mut out = Vec::new();
        // Each reserve's indexes at `now`, once (a user's balances are read at them).
        let indexes: Vec<Option<(U256, U256)>> = (0..self.reserve_count())
            .map(|a| {
                self.try_normalized_income(now, a)
                    .ok()
                    .zip(self.try_normalized_debt(now, a).ok())
            })
            .collect();
        let mut supply: Vec<U256> = self.reserves.iter().map(|r| r.treasury_scaled).collect();
        let mut debt = vec![U256::ZERO; self.reserve_count()];
        for (u, acc) in self.users.iter().enumerate() {
            for p in &acc.positions {
                let a = usize::from(p.asset);
                supply[a] += p.scaled_supply;
                debt[a] += p.scaled_debt;
            }
            // The reserves with a non-zero scaled (or, v2, stable) debt, as a bitmap (ids
            // above 127 have no bit, as in `UserConfiguration`).
            let owing = acc
                .positions
                .iter()
                .filter(|p| {
                    (!p.scaled_debt.is_zero() || !p.stable_principal.is_zero()) && p.asset < 128
                })
                .fold(0u128, |m, p| m | 1u128 << p.asset);
            // A v2 liquidation never clears the borrowing flag (protocol-math-aave-v2-
            // uniswap-v3.md §A.11): there a flag without debt is legitimate.
            let flags_wrong = if self.version().is_v2() {
                owing & !acc.borrowing_bitmap != 0
            } else {
                owing != acc.borrowing_bitmap
            };
            if flags_wrong {
                out.push(format!(
                    "user {u}: borrowing flags {:#x} but scaled debt in reserves {owing:#x}",
                    acc.borrowing_bitmap
                ));
            }
            self.check_account(now, u as UserId, &indexes, &mut out);
        }
        for (a, r) in self.reserves.iter().enumerate() {
            if supply[a] != r.scaled_total_supply {
                out.push(format!(
                    "reserve {a}: Σ scaled aToken balances + treasury {} != scaled_total_supply {}",
                    supply[a], r.scaled_total_supply
                ));
            }
            if debt[a] != r.scaled_total_variable_debt {
                out.push(format!(
                    "reserve {a}: Σ scaled variable debt {} != scaled_total_variable_debt {}",
                    debt[a], r.scaled_total_variable_debt
                ));
            }
            let u = self.utilization(now, a);
            if u > RAY {
                out.push(format!("reserve {a}: utilization {u} above 1 (RAY)"));
            }
            match indexes[a] {
                Some((i, d)) if i >= r.liquidity_index && d >= r.variable_borrow_index => {}
                other => out.push(format!(
                    "reserve {a}: normalized income / debt {other:?} below the stored indexes {} / {}",
                    r.liquidity_index, r.variable_borrow_index
                )),
            }
        }
        out
    }

    fn check_account(
        &self,
        now: u64,
        u: UserId,
        indexes: &[Option<(U256, U256)>],
        out: &mut Vec<String>,
    ) {
        let Some(acc) = self.user(u) else { return };
        if acc.positions.is_empty() {
            return;
        }
        let data = match self.try_user_account_data(now, u) {
            Ok(d) => d,
            Err(e) => {
                out.push(format!("user {u}: getUserAccountData failed: {e:?}"));
                return;
            }
        };
        let cat = self.emode_category(acc.emode);
        // v2 values accounts like v3.0 (half-up, floor, LT-0 collateral skipped), with the
        // stable debt added to the variable debt.
        let v2 = self.version().is_v2();
        let v30 = self.version().is_v3_0() || v2;
        let rounding = self.version().token_rounding();
        let (mut coll, mut debt, mut lt_sum) = (U256::ZERO, U256::ZERO, U256::ZERO);
        for p in &acc.positions {
            let a = usize::from(p.asset);
            let (r, Some((income, debt_index))) = (self.reserve(a), indexes[a]) else {
                out.push(format!("user {u}: reserve {a} has no index at {now}"));
                return;
            };
            let (price, unit) = (self.asset_price(a), r.config.asset_unit());
            if acc.is_using_as_collateral(a) && !(v30 && r.config.liquidation_threshold == 0) {
                let Ok(balance) = rounding.a_token_balance(p.scaled_supply, income) else {
                    out.push(format!("user {u}: reserve {a} aToken balance overflows"));
                    return;
                };
                let value = balance * price / unit;
                coll += value;
                let lt = cat.map_or(r.config.liquidation_threshold, |c| {
                    user_reserve_liquidation_threshold(r, c, acc.emode)
                });
                lt_sum += value * U256::from(lt);
            }
            if acc.is_borrowing(a) {
                let Ok(mut owed) = rounding.v_token_balance(p.scaled_debt, debt_index) else {
                    out.push(format!("user {u}: reserve {a} debt balance overflows"));
                    return;
                };
                if v2 {
                    owed += self.stable_debt_balance(now, u, a);
                }
                let d = owed * price;
                debt += if v30 { d / unit } else { d.div_ceil(unit) };
            }
        }
        if coll != data.total_collateral_base || debt != data.total_debt_base {
            out.push(format!(
                "user {u}: collateral / debt base {coll} / {debt} from the balances, {} / {} from getUserAccountData",
                data.total_collateral_base, data.total_debt_base
            ));
        }
        if debt.is_zero() {
            return;
        }
        // v3.0: wadDiv(percentMul(collateral, avgLT), debt); v3.6: wadDiv(Σ value·LT, debt) / 1e4.
        let hf = if v30 {
            let avg_lt = if coll.is_zero() {
                U256::ZERO
            } else {
                lt_sum / coll
            };
            percent_mul(coll, avg_lt).and_then(|c| wad_div(c, debt))
        } else {
            wad_div(lt_sum, debt).map(|h| h / U256::from(10_000u16))
        };
        match hf {
            Ok(hf) if hf == data.health_factor => {}
            hf => out.push(format!(
                "user {u}: health factor {} reported, {hf:?} from the balances",
                data.health_factor
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InterestRateData, ProtocolVersion, ReserveConfig};

    const T0: u64 = 1_700_000_000;

    fn units(x: u64, dec: u8) -> U256 {
        U256::from(x) * U256::from(10u8).pow(U256::from(dec))
    }

    /// WETH and USDC; user 0 supplies 1,000,000 USDC, user 1 supplies 10 WETH and borrows
    /// 12,000 USDC; a day passes.
    fn pool(version: ProtocolVersion) -> Pool {
        let mut p = Pool::new(version, T0);
        for (symbol, decimals, ltv, lt) in [("WETH", 18, 8000, 8250), ("USDC", 6, 7500, 7800)] {
            p.init_reserve(
                T0,
                ReserveConfig {
                    symbol: symbol.into(),
                    decimals,
                    ltv,
                    liquidation_threshold: lt,
                    liquidation_bonus: 10500,
                    reserve_factor: 1000,
                    liquidation_protocol_fee: 1000,
                    supply_cap: 0,
                    borrow_cap: 0,
                    borrowing_enabled: true,
                    frozen: false,
                    paused: false,
                    rate: InterestRateData {
                        optimal_usage_ratio: 9000,
                        base_variable_borrow_rate: 0,
                        variable_rate_slope1: 400,
                        variable_rate_slope2: 6000,
                    },
                },
            )
            .unwrap();
        }
        p.set_asset_price(0, units(2000, 8));
        p.set_asset_price(1, units(1, 8));
        p.supply(T0, 0, 1, units(1_000_000, 6)).unwrap();
        p.supply(T0, 1, 0, units(10, 18)).unwrap();
        p.borrow(T0, 1, 1, units(12_000, 6)).unwrap();
        p
    }

    #[test]
    fn books_hold_after_real_calls_in_all_versions() {
        for v in [
            ProtocolVersion::V2,
            ProtocolVersion::V3_0,
            ProtocolVersion::V3_6,
        ] {
            let p = pool(v);
            assert_eq!(p.check_books(T0 + 86_400), Vec::<String>::new(), "{v:?}");
        }
    }

    #[test]
    fn each_broken_book_is_reported() {
        let now = T0 + 86_400;
        let found = |p: &Pool, what: &str| {
            let v = p.check_books(now);
            assert!(v.iter().any(|m| m.contains(what)), "{what}: {v:?}");
        };
        let mut p = pool(ProtocolVersion::V3_6);
        p.reserves[1].scaled_total_supply += U256::from(1u8);
        found(&p, "scaled_total_supply");

        let mut p = pool(ProtocolVersion::V3_6);
        p.reserves[1].scaled_total_variable_debt -= U256::from(1u8);
        found(&p, "scaled_total_variable_debt");

        let mut p = pool(ProtocolVersion::V3_6);
        p.users[1].borrowing_bitmap = 0;
        found(&p, "borrowing flags");
    }
}
