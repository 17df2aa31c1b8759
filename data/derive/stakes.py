#!/usr/bin/env python3
"""Derive data/stakes/compound_v2_supply_quantiles.csv from the real Compound v2 book.

Input (not shipped; see data/SOURCES.md for its origin and licence):
  compound_v2_borrower_positions_subgraph_2023-05.csv   one row per (account, cToken)
  eth_usdc_usd_hourly_2023-02-24_2023-03-27_compound_risk_repo.csv   hourly USD prices

Method (stdlib only, deterministic):
  1. Per (account, cToken) row: net supplied = totalUnderlyingSupplied - totalUnderlyingRedeemed
     (underlying units), clamped at 0 per row (it is negative when more was redeemed than
     supplied, e.g. interest, or when cTokens came in by transfer or liquidation seizure).
  2. Value it in ETH-equivalent with rough prices of the period: the median over the price
     file's hours of each asset's USD price, divided by the median ETH/USD price. Stablecoins
     (DAI, USDC, USDT, TUSD, USDP, FEI) are $1; WBTC uses BTC; REP and YFI, absent from the
     price file, use assumed prices (see ASSUMED_USD).
  3. Sum per account; keep accounts holding at least DUST_FLOOR_ETH (0.001 ETH-equivalent,
     about $1.6 at the period's prices). Below it are rounding residues of exited positions
     (down to 1e-17 ETH), not suppliers: 1,920 accounts holding 7e-7 of the value. Kept, they
     made stakes so small that a position's collateral rounds to zero token units.
  4. Write 1,001 quantiles (probabilities 0, 0.001, ..., 1; linear interpolation between order
     statistics, "type 7") of the per-account size, divided by the mean of that piecewise-linear
     quantile function, so that sampling it by inverse CDF gives sizes with mean 1.
  5. Print concentration numbers of the raw book and of the quantile function.

Usage:
  python3 data/derive/stakes.py POSITIONS_CSV PRICES_CSV OUT_CSV
"""
import csv
import statistics
import sys
from collections import defaultdict

STABLE = {"DAI", "USDC", "USDT", "TUSD", "USDP", "FEI"}
# Assumption: rough USD prices in Feb-Mar 2023 for assets missing from the price file.
ASSUMED_USD = {"REP": 7.0, "YFI": 8000.0}
N_QUANTILES = 1001
# Smallest per-account supply kept, ETH-equivalent (see step 3).
DUST_FLOOR_ETH = 0.001


def median_prices(path):
    cols = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            for k, v in row.items():
                if k == "hour_utc" or v in ("", None):
                    continue
                cols[k].append(float(v))
    return {k: statistics.median(v) for k, v in cols.items()}


def usd_price(symbol, med):
    if symbol in STABLE:
        return 1.0
    if symbol == "WBTC":
        return med["BTC"]
    if symbol in med:
        return med[symbol]
    return ASSUMED_USD[symbol]


def quantile(sorted_vals, p):
    h = (len(sorted_vals) - 1) * p
    i = int(h)
    if i >= len(sorted_vals) - 1:
        return sorted_vals[-1]
    return sorted_vals[i] + (sorted_vals[i + 1] - sorted_vals[i]) * (h - i)


def top_share(vals_desc, frac):
    k = max(1, round(len(vals_desc) * frac))
    return sum(vals_desc[:k]) / sum(vals_desc)


def gini(vals_asc):
    n = len(vals_asc)
    cum = sum((i + 1) * v for i, v in enumerate(vals_asc))
    return 2 * cum / (n * sum(vals_asc)) - (n + 1) / n


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    positions, prices, out = sys.argv[1:]
    med = median_prices(prices)
    eth = med["ETH"]
    per_account = defaultdict(float)
    rows = 0
    with open(positions, newline="") as f:
        for row in csv.DictReader(f):
            rows += 1
            sym = row["symbol"][1:]  # cETH -> ETH
            net = float(row["totalUnderlyingSupplied"]) - float(row["totalUnderlyingRedeemed"])
            # A row cannot hold negative supply: more redeemed than supplied means the
            # interest was redeemed too (or cTokens came in by transfer/seizure); count 0.
            per_account[row["account"]] += max(net, 0.0) * usd_price(sym, med) / eth
    positive = [v for v in per_account.values() if v > 0]
    vals = sorted(v for v in positive if v >= DUST_FLOOR_ETH)
    n = len(vals)
    raw_mean = sum(vals) / n
    q = [quantile(vals, k / (N_QUANTILES - 1)) for k in range(N_QUANTILES)]
    # Mean of the piecewise-linear quantile function (trapezoids of width 1/(N-1)).
    q_mean = sum((a + b) / 2 for a, b in zip(q, q[1:])) / (N_QUANTILES - 1)
    rel = [x / q_mean for x in q]
    with open(out, "w", newline="") as f:
        f.write("quantile,relative_size\n")
        for k, r in enumerate(rel):
            f.write(f"{k / (N_QUANTILES - 1):.3f},{r:.6g}\n")

    desc = sorted(vals, reverse=True)
    # Concentration of the sampled (interpolated) distribution, by fine numeric integration.
    m = 1_000_000
    samp = sorted(
        (lambda u: quantile(rel, u))((i + 0.5) / m) for i in range(m)
    )
    sdesc = samp[::-1]
    print(f"rows read: {rows}; accounts: {len(per_account)}; with positive supply: {len(positive)}; "
          f"at or above the {DUST_FLOOR_ETH} ETH dust floor: {n}")
    print(f"ETH/USD median used: {eth:.2f}")
    print(f"total positive supply: {sum(vals):,.0f} ETH-eq; mean {raw_mean:.3f}; median {statistics.median(vals):.4f}")
    for name, d in (("raw book", desc), ("quantile function", sdesc)):
        print(
            f"{name}: top 0.1% {top_share(d, 0.001):.3f}, top 1% {top_share(d, 0.01):.3f}, "
            f"top 10% {top_share(d, 0.10):.3f}, top 50% {top_share(d, 0.5):.3f}, "
            f"gini {gini(d[::-1]):.3f}"
        )
    print(f"relative sizes: min {rel[0]:.3g}, median {rel[500]:.3g}, p99 {rel[990]:.3g}, p99.9 {rel[999]:.3g}, max {rel[-1]:.3g}")


if __name__ == "__main__":
    main()
