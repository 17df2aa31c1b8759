#!/usr/bin/env python3
"""Build scenarios/data/eth_usd_2026-02.csv: an hourly ETH/USD path for the February 2026 WETH
utilization spike (scenario aave-v3-core-weth-spike-2026-02).

No ETH/USD series for February 2026 is available to the project; the path joins the published
points of the project's event notes (data/events/aave-weth-spike-2026-02.md, "ETH price" row):
  * 2026-02-01T00:00Z  $2,164  "~$2,164 on the crash weekend (~1-2 Feb)" (ainvest.com, 5 Feb 2026)
  * 2026-02-02T12:00Z  $2,164  same (assumption: held over the weekend)
  * 2026-02-04T12:00Z  $1,750  "low ~$1,750 on 4 Feb" (CoinDesk 7 Feb 2026; assumption: midday)
  * 2026-02-05T12:00Z  $2,085  "~$2,085-2,150 on 5-7 Feb" (cryptocapitalnews.com 2026/02/07)
  * 2026-02-07T12:00Z  $2,150  same
  * linear interpolation between the points and flat after the last (assumption: no intraday
    path is published).
Range: 2026-02-01T00:00Z .. 2026-02-13T00:00Z hourly.

Usage: python3 data/derive/eth_usd_feb_path.py scenarios/data/eth_usd_2026-02.csv
"""
import sys
from datetime import datetime, timedelta, timezone


def utc(d, h):
    return datetime(2026, 2, d, h, tzinfo=timezone.utc)


POINTS = [
    (utc(1, 0), 2164.0),
    (utc(2, 12), 2164.0),
    (utc(4, 12), 1750.0),
    (utc(5, 12), 2085.0),
    (utc(7, 12), 2150.0),
]
END = utc(13, 0)


def price(t):
    if t >= POINTS[-1][0]:
        return POINTS[-1][1]
    for (t0, p0), (t1, p1) in zip(POINTS, POINTS[1:]):
        if t0 <= t <= t1:
            return p0 + (p1 - p0) * ((t - t0) / (t1 - t0))
    return POINTS[0][1]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "scenarios/data/eth_usd_2026-02.csv"
    with open(out, "w", newline="") as f:
        f.write("timestamp,price_usd\n")
        t = POINTS[0][0]
        while t <= END:
            f.write(f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')},{price(t):.2f}\n")
            t += timedelta(hours=1)


if __name__ == "__main__":
    main()
