//! The native Curve StableSwap pool (`bankrun_dex::curve`) against curvesim's integer pool:
//! random 2- and 3-coin pools (18- and 6-decimal coins, A from 1 to 5,000, fees up to 0.4 %,
//! admin fees 0 / 50 / 100 %, imbalanced balances), each followed by exchanges, one-coin
//! withdrawals and deposits. After every operation the amounts out, LP minted, balances,
//! admin balances, LP supply and D must be equal to the wei, and an operation must fail on
//! both sides or on neither.

use alloy_primitives::U256;
use bankrun_dex::curve::StableSwap;
use serde_json::{Value, json};

/// A small deterministic generator for test inputs (splitmix64).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// A fraction in (0, 1] with a log-uniform spread over `decades`.
    fn fraction(&mut self, decades: u32) -> (u64, u64) {
        let den = 10u64.pow(decades);
        (self.range(1, den), den)
    }
}

fn pow10(n: u32) -> U256 {
    U256::from(10u64).pow(U256::from(n))
}

fn scaled(x: U256, (num, den): (u64, u64)) -> U256 {
    x * U256::from(num) / U256::from(den)
}

struct Case {
    pool: StableSwap,
    json: Value,
}

fn case(g: &mut Gen) -> Case {
    let n = g.range(2, 3) as usize;
    let decimals: Vec<u32> = (0..n)
        .map(|_| if g.next().is_multiple_of(2) { 18 } else { 6 })
        .collect();
    let rates: Vec<U256> = decimals.iter().map(|d| pow10(36 - d)).collect();
    let a = g.range(1, 5_000);
    let fee = g.range(0, 40_000_000);
    let admin_fee = [0u64, 5_000_000_000, 10_000_000_000][g.range(0, 2) as usize];
    let balances: Vec<U256> = decimals
        .iter()
        .map(|d| U256::from(g.range(1_000, 1_000_000_000)) * pow10(*d))
        .collect();
    let mut pool = StableSwap::new(
        rates.clone(),
        U256::from(a),
        U256::from(fee),
        U256::from(admin_fee),
    );
    pool.add_liquidity(&balances, U256::ZERO)
        .expect("initial deposit");
    let mut ops = Vec::new();
    let mut shadow = pool.clone();
    for _ in 0..4 {
        let op = match g.range(0, 2) {
            0 => {
                let i = g.range(0, n as u64 - 1) as usize;
                let j = (i + g.range(1, n as u64 - 1) as usize) % n;
                let dx = scaled(shadow.balances[i], g.fraction(6)).max(U256::from(1u8));
                json!({"op": "exchange", "i": i, "j": j, "dx": dx.to_string()})
            }
            1 => {
                let i = g.range(0, n as u64 - 1) as usize;
                let amount = scaled(shadow.total_supply, g.fraction(6)) / U256::from(3u8);
                json!({"op": "withdraw_one", "i": i, "amount": amount.max(U256::from(1u8)).to_string()})
            }
            _ => {
                // At least one coin is deposited: with none, 3pool reverts (`D1 > D0`) while
                // curvesim does not validate its input, so that case says nothing.
                let keep = g.range(0, n as u64 - 1) as usize;
                let amounts: Vec<String> = shadow
                    .balances
                    .iter()
                    .enumerate()
                    .map(|(c, b)| {
                        if c != keep && g.next().is_multiple_of(3) {
                            U256::ZERO
                        } else {
                            scaled(*b, g.fraction(5)).max(U256::from(1u8))
                        }
                    })
                    .map(|x| x.to_string())
                    .collect();
                json!({"op": "add", "amounts": amounts})
            }
        };
        let _ = apply(&mut shadow, &op);
        ops.push(op);
    }
    let json = json!({
        "A": a, "n": n, "fee": fee, "admin_fee": admin_fee,
        "rates": rates.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "balances": balances.iter().map(|b| b.to_string()).collect::<Vec<_>>(),
        "ops": ops,
    });
    Case { pool, json }
}

fn u(v: &Value) -> U256 {
    v.as_str()
        .and_then(|s| U256::from_str_radix(s, 10).ok())
        .unwrap_or_else(|| panic!("not an integer string: {v}"))
}

fn strings(v: &[U256]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Applies one operation to the native pool; returns its result fields.
fn apply(pool: &mut StableSwap, op: &Value) -> Result<Value, String> {
    let idx = |k: &str| op[k].as_u64().unwrap() as usize;
    match op["op"].as_str().unwrap() {
        "exchange" => {
            let out = pool
                .exchange(idx("i"), idx("j"), u(&op["dx"]), U256::ZERO)
                .map_err(|e| format!("{e:?}"))?;
            Ok(json!({"dy": out.dy.to_string()}))
        }
        "withdraw_one" => {
            let view = pool
                .calc_withdraw_one_coin(u(&op["amount"]), idx("i"))
                .map_err(|e| format!("{e:?}"))?;
            let dy = pool
                .remove_liquidity_one_coin(u(&op["amount"]), idx("i"), U256::ZERO)
                .map_err(|e| format!("{e:?}"))?;
            Ok(json!({"view": view.to_string(), "dy": dy.to_string()}))
        }
        _ => {
            let amounts: Vec<U256> = op["amounts"].as_array().unwrap().iter().map(u).collect();
            let minted = pool
                .add_liquidity(&amounts, U256::ZERO)
                .map_err(|e| format!("{e:?}"))?;
            Ok(json!({"minted": minted.to_string()}))
        }
    }
}

fn state(pool: &StableSwap) -> Value {
    json!({
        "balances": strings(&pool.balances),
        "admin_balances": strings(&pool.admin_balances),
        "tokens": pool.total_supply.to_string(),
        "D": pool.d().expect("D").to_string(),
    })
}

#[test]
fn native_curve_matches_curvesim() {
    let n_cases = bankrun_conformance::strategy::cases(300);
    let mut g = Gen(0xC0DE_2026);
    let cases: Vec<Case> = (0..n_cases).map(|_| case(&mut g)).collect();
    let inputs: Vec<Value> = cases.iter().map(|c| c.json.clone()).collect();
    let results = bankrun_conformance::curvesim::run(&inputs).expect("curvesim runs");
    let (mut compared, mut both_failed) = (0, 0);
    for (k, (mut c, r)) in cases.into_iter().zip(results).enumerate() {
        let start = &r["start"];
        assert_eq!(
            start["D"],
            state(&c.pool)["D"],
            "case {k}: D at the start\n{}",
            c.json
        );
        assert_eq!(
            start["tokens"],
            state(&c.pool)["tokens"],
            "case {k}: LP supply at the start"
        );
        for (step, (op, expected)) in c.json["ops"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["ops"].as_array().unwrap())
            .enumerate()
        {
            let native = apply(&mut c.pool, op);
            match (native, expected.get("error")) {
                (Err(_), Some(_)) => both_failed += 1,
                (Err(e), None) => panic!(
                    "case {k} step {step}: native failed ({e}), curvesim did not: {op}\n{}",
                    c.json
                ),
                (Ok(_), Some(e)) => {
                    panic!("case {k} step {step}: curvesim failed ({e}), native did not: {op}")
                }
                (Ok(mut got), None) => {
                    let s = state(&c.pool);
                    for key in ["balances", "admin_balances", "tokens", "D"] {
                        got[key] = s[key].clone();
                    }
                    for (key, value) in got.as_object().unwrap() {
                        assert_eq!(
                            Some(value),
                            expected.get(key),
                            "case {k} step {step} `{key}`: {op}\n{}",
                            c.json
                        );
                    }
                    compared += 1;
                }
            }
        }
    }
    eprintln!(
        "curve vs curvesim: {n_cases} pools, {compared} operations equal, {both_failed} failing on both sides"
    );
    assert!(
        compared > n_cases as usize,
        "too few operations compared: {compared}"
    );
}
