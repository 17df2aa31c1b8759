#!/usr/bin/env python3
"""Build scenarios/data/eth_usd_2026-04.csv: an hourly ETH/USD path for the rsETH scenario.

No ETH/USD series for April 2026 is available to the project, so the path is built from two
published anchors and one stated assumption (see data/SOURCES.md):
  * 2026-04-09T14:00Z  $2,165.54  aavescan hourly snapshot, block 24842615
                                  (aavescan.com/api/docs/aave-hourly-snapshots)
  * 2026-04-18T17:00Z  $2,366.67  = $7.1B / 3.0M WETH, TokenLogic's "current wETH reserve state"
                                  of 18 Apr 2026 (governance.aave.com/t/risk-stewards-reduce-weth-slope1/24478);
                                  placed at the scenario start (assumption: the post's time of day
                                  is not given)
  * linear interpolation between the anchors (assumption: no intra-week path is published);
  * flat at $2,366.67 from the second anchor to the end (assumption: the post-exploit ETH path
    is not in the project's sources; a flat path isolates the run from market moves).
Range: 2026-04-09T14:00Z .. 2026-04-27T00:00Z hourly (the scenario window is
2026-04-18T17:00Z .. 2026-04-25T17:00Z).

Usage: python3 data/derive/eth_usd_path.py scenarios/data/eth_usd_2026-04.csv
"""
import sys
from datetime import datetime, timedelta, timezone

A0 = (datetime(2026, 4, 9, 14, tzinfo=timezone.utc), 2165.54)
A1 = (datetime(2026, 4, 18, 17, tzinfo=timezone.utc), 7.1e9 / 3.0e6)
END = datetime(2026, 4, 27, 0, tzinfo=timezone.utc)


def price(t):
    if t >= A1[0]:
        return A1[1]
    w = (t - A0[0]) / (A1[0] - A0[0])
    return A0[1] + (A1[1] - A0[1]) * w


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "scenarios/data/eth_usd_2026-04.csv"
    with open(out, "w", newline="") as f:
        f.write("timestamp,price_usd\n")
        t = A0[0]
        while t <= END:
            f.write(f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')},{price(t):.2f}\n")
            t += timedelta(hours=1)


if __name__ == "__main__":
    main()
