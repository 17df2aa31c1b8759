#!/usr/bin/env python3
"""Derive data/venues/eth_cex_sqrt_impact_2022-10.csv from CoinGecko's ETH order-book depth.

Input (not shipped; see data/SOURCES.md):
  eth_cex_orderbook_depth_2pct_2022-10_coingecko_snapshot.csv
  columns: #, Exchange, Pair, Price, Spread, "2% Depth", "-2% Depth", "24h Volume",
  "Volume %", "Last Traded"; one row per (venue, ETH pair); USD strings like "$1,234".

Model (documented in bankrun-dex `cex`): an aggregate square-root impact law
    impact(Q) = Y * sigma * sqrt(Q / V) = k * sqrt(Q)
for a market order of Q USD notional (relative mid-price move). CoinGecko gives one point
of the depth curve per venue and side: the USD resting within 2 % of the mid. Summed over
venues (an arbitrageur can route across them) this gives D2 = USD that moves the aggregate
mid by 2 %, hence k = 0.02 / sqrt(D2): the only parameter the data identifies. The
square-root shape itself is the empirical law (behaviour.md section 3.2), not something
one depth level per venue can test; a piecewise-linear curve would need more levels.
Y * sigma / sqrt(V) = k is reported with V = the summed 24 h volume for reference.

Venue sets:
  all    every centralised-exchange row of the snapshot (197 of 200 pairs: the 3
         PancakeSwap pairs are on-chain and excluded);
  major  the venues of MAJOR below only (large, regulated or long-standing order books);
         snapshot depth on some small venues exceeds what their volume makes plausible
         (likely market-maker quoting or wash trading), so `major` is the conservative
         (shallower) choice.

Usage:
  python3 data/derive/cex_depth.py INPUT_CSV OUT_CSV
"""
import csv
import math
import sys

MAJOR = {
    "Binance", "Coinbase Exchange", "Kraken", "OKX", "Bitfinex", "Bitstamp",
    "Gemini", "KuCoin", "Bybit", "Huobi Global", "Crypto.com Exchange", "Bitget",
    "Gate.io", "FTX", "FTX.US", "Binance US", "Upbit", "bitFlyer",
}
# On-chain venues listed by CoinGecko; they are modelled exactly elsewhere, not as a CEX.
ON_CHAIN = {"PancakeSwap (v2)"}


def usd(s):
    """'$1,234.5' -> 1234.5; '' or '-' -> 0."""
    s = s.replace("$", "").replace(",", "").strip()
    return float(s) if s not in ("", "-") else 0.0


def main(inp, out):
    rows = [r for r in csv.DictReader(open(inp, newline="", encoding="utf-8"))
            if r["Exchange"] not in ON_CHAIN]
    sets = {"all": rows, "major": [r for r in rows if r["Exchange"] in MAJOR]}
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["venue_set", "side", "n_pairs", "depth_2pct_usd", "volume_24h_usd",
                    "impact_coeff_per_sqrt_usd"])
        for name, rs in sets.items():
            vol = sum(usd(r["24h Volume"]) for r in rs)
            for side, col in (("sell", "-2% Depth"), ("buy", "2% Depth")):
                depth = sum(usd(r[col]) for r in rs)
                k = 0.02 / math.sqrt(depth)
                w.writerow([name, side, len(rs), f"{depth:.0f}", f"{vol:.0f}", f"{k:.6e}"])
                print(f"{name:5} {side:4} pairs={len(rs):3} depth2%=${depth/1e6:8.2f}M "
                      f"vol24h=${vol/1e9:6.2f}B k={k:.4e}  impact($10M)={k*math.sqrt(1e7):.2%}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
