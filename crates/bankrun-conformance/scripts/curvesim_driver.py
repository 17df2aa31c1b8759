"""Runs StableSwap cases through curvesim's integer pool (curvesim 0.5.0, MIT).

Reads one JSON object per line on stdin:
  {"A": int, "n": int, "rates": [str], "fee": int, "admin_fee": int,
   "balances": [str], "ops": [{"op": "exchange", "i": 0, "j": 1, "dx": str} |
                              {"op": "withdraw_one", "amount": str, "i": 0} |
                              {"op": "add", "amounts": [str]}]}
and writes one JSON line per case: the pool's D and LP supply at the start, then after each
operation its result and the pool state (balances, admin balances, LP supply, D). Big
integers travel as decimal strings. Errors (curvesim raising) are reported as
{"error": "..."} for that operation.

Only curvesim.pool.stableswap.pool and the two small modules it imports are loaded: the
package's __init__ pulls in pandas, web3 and friends, which the comparison does not need.
"""
import importlib.util
import json
import os
import sys
import types


def load_curve_pool():
    spec = importlib.util.find_spec("curvesim")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("curvesim is not installed in this interpreter")
    root = list(spec.submodule_search_locations)[0]
    for name, sub in [("curvesim", ""), ("curvesim.pool", "pool"),
                      ("curvesim.pool.stableswap", "pool/stableswap")]:
        module = types.ModuleType(name)
        module.__path__ = [os.path.join(root, sub)]
        sys.modules[name] = module
    from curvesim.pool.stableswap.pool import CurvePool  # noqa: E402
    return CurvePool


def state(pool):
    return {
        "balances": [str(b) for b in pool.balances],
        "admin_balances": [str(b) for b in pool.admin_balances],
        "tokens": str(pool.tokens),
        "D": str(pool.D()),
    }


def run_op(pool, op):
    kind = op["op"]
    if kind == "exchange":
        dy, fee = pool.exchange(op["i"], op["j"], int(op["dx"]))
        return {"dy": str(dy), "fee": str(fee)}
    if kind == "withdraw_one":
        view = pool.calc_withdraw_one_coin(int(op["amount"]), op["i"])[0]
        dy, fee = pool.remove_liquidity_one_coin(int(op["amount"]), op["i"])
        return {"view": str(view), "dy": str(dy), "fee": str(fee)}
    if kind == "add":
        minted = pool.add_liquidity([int(a) for a in op["amounts"]])
        return {"minted": str(minted)}
    raise ValueError(f"unknown op {kind}")


def main():
    CurvePool = load_curve_pool()
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        pool = CurvePool(
            A=case["A"], D=[int(b) for b in case["balances"]], n=case["n"],
            rates=[int(r) for r in case["rates"]], fee=case["fee"],
            admin_fee=case["admin_fee"],
        )
        out = {"start": state(pool), "ops": []}
        for op in case["ops"]:
            try:
                result = run_op(pool, op)
                result.update(state(pool))
            except Exception as e:  # curvesim raised: the native pool must fail too
                result = {"error": f"{type(e).__name__}: {e}"}
            out["ops"].append(result)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
