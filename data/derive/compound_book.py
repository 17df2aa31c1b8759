#!/usr/bin/env python3
"""Derive the compact Compound v2 book shipped as data/lending/compound_v2_book_2023-05.csv.

Usage: python3 data/derive/compound_book.py <positions.csv> <out.csv>

Input: the Compound v2 mainnet subgraph book, one row per (account, cToken)
(`compound_v2_borrower_positions_subgraph_2023-05.csv`, see data/SOURCES.md).
Output (stdlib only, deterministic): `account,market,supply,borrow`
  - account: dense index 0.. in order of first appearance (addresses are not needed);
  - market: the cToken's underlying name (cSAI -> SAI, legacy cWBTC -> WBTC, cWBTC2 -> WBTC2);
  - supply: underlying units = cTokenBalance x the market's exchange rate, where the rate is
    estimated from the book itself as the 95th percentile of totalUnderlyingSupplied /
    cTokenBalance over rows that never redeemed (an account that supplied recently holds
    cTokens at about the current rate; older suppliers at lower rates). The rate used is
    printed; it is within ~1 % of the published March-2023 rates (cETH 0.0201,
    cUSDC 0.0227). cTokenBalance is in whole cTokens (README section 2 caveat);
  - borrow: storedBorrowBalance (underlying units; excludes interest since the account's
    last action, a README section 2 caveat: under 1 % for a month at 2023 rates).
Rows with neither supply nor borrow are dropped; values are written with 9 significant digits.
"""
import csv
import sys
from collections import defaultdict

MARKETS = {
    "0x4ddc2d193948926d02f9b1fe9e1daa0718270ed5": "ETH",
    "0x39aa39c021dfbae8fac545936693ac917d5e7563": "USDC",
    "0x5d3a536e4d6dbd6114cc1ead35777bab948e3643": "DAI",
    "0xf5dce57282a584d2746faf1593d3121fcac444dc": "SAI",
    "0xf650c3d88d12db855b8bf7d11be6c55a4e07dcc9": "USDT",
    "0x6c8c6b02e7b2be14d4fa6022dfd6d75921d90e4e": "BAT",
    "0xc11b1268c1a384e55c48c2391d8d480264a3a7f4": "WBTC",
    "0xccf4429db6322d5c611ee964527d42e5d685dd6a": "WBTC2",
    "0xb3319f5d18bc0d84dd1b4825dcde5d5f7266d407": "ZRX",
    "0x35a18000230da775cac24873d00ff85bccded550": "UNI",
    "0x70e36f6bf80a52b3b46b3af8e106cc0ed743e8e4": "COMP",
    "0x158079ee67fce2f58472a96584a73c7ab9ac95c1": "REP",
    "0xface851a4921ce59e912d19329929ce6da6eb0c7": "LINK",
    "0xe65cdb6479bac1e22340e4e755fae7e509ecd06c": "AAVE",
    "0x4b0181102a0112a2ef11abee5563bb4a3176c9d7": "SUSHI",
    "0x12392f67bdf24fae0af363c24ac620a2f67dad86": "TUSD",
    "0x80a2ae356fc9ef4305676f7a3e2ed04e12c33946": "YFI",
    "0x041171993284df560249b57358f931d9eb7b925d": "USDP",
    "0x7713dd9ca933848f6819f38b8352d9a15ea73f67": "FEI",
}


def num(s):
    return float(s) if s else 0.0


def main(src, out):
    rows = list(csv.DictReader(open(src, newline="")))
    ratios = defaultdict(list)
    for r in rows:
        m = MARKETS[r["id"].split("-")[0]]
        cb, sup, red = num(r["cTokenBalance"]), num(r["totalUnderlyingSupplied"]), num(r["totalUnderlyingRedeemed"])
        if cb > 0 and sup > 0 and red == 0:
            ratios[m].append(sup / cb)
    rate = {}
    for m in sorted(MARKETS.values()):
        v = sorted(ratios.get(m, []))
        rate[m] = v[int(0.95 * (len(v) - 1))] if v else 0.02
        print(f"{m}: exchange rate {rate[m]:.6f} from {len(v)} rows", file=sys.stderr)
    ids = {}
    n = 0
    with open(out, "w", newline="") as f:
        f.write("account,market,supply,borrow\n")
        for r in rows:
            m = MARKETS[r["id"].split("-")[0]]
            supply = num(r["cTokenBalance"]) * rate[m]
            borrow = num(r["storedBorrowBalance"])
            if supply <= 0 and borrow <= 0:
                continue
            a = ids.setdefault(r["account"], len(ids))
            f.write(f"{a},{m},{supply:.9g},{borrow:.9g}\n")
            n += 1
    print(f"{n} rows, {len(ids)} accounts", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
