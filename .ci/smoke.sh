#!/usr/bin/env bash
# End-to-end checks of the `bankrun` binary as a new user would run it.
set -euo pipefail
bin=target/release/bankrun
# The binary as the README's test command builds it: the same command and features, so after
# `.ci/run`'s test stage this is a no-op (`cargo build -p bankrun-cli` unifies features without
# the dev-dependencies and rebuilt the whole workspace, about 4 minutes).
cargo test --release --locked --workspace --no-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" simulate --out "$tmp/a" > "$tmp/a.txt"
"$bin" simulate --out "$tmp/b" > "$tmp/b.txt"
for f in reserves.parquet reserves.csv classes.csv depositors.parquet liquidations.csv summary.json report.html; do
  test -s "$tmp/a/$f" || { echo "missing output $f"; exit 1; }
done
diff -r "$tmp/a" "$tmp/b" && echo "same seed: identical output directories"
cmp "$tmp/a.txt" "$tmp/b.txt"

printf '[scenario]\nname = "x"\nstart = "2026-04-18T17:00:00Z"\nduration_hours = 1\nbogus_key = 1\n' > "$tmp/bad.toml"
set +e
"$bin" simulate "$tmp/bad.toml" --out "$tmp/bad-out" 2> "$tmp/bad.err"
code=$?
set -e
cat "$tmp/bad.err"
test "$code" -eq 2 || { echo "expected exit code 2, got $code"; exit 1; }
grep -q "bad.toml:5" "$tmp/bad.err" || { echo "error does not name file and line"; exit 1; }
test ! -e "$tmp/bad-out" || { echo "bad input left an output directory"; exit 1; }
mkdir "$tmp/mine" && echo precious > "$tmp/mine/notes.txt"
set +e
"$bin" simulate black-thursday-2020-03 --seed 7 --out "$tmp/mine" > /dev/null 2> "$tmp/mine.err"
code=$?
set -e
cat "$tmp/mine.err"
test "$code" -eq 2 || { echo "expected exit code 2 for a foreign --out, got $code"; exit 1; }
grep -q "$tmp/mine" "$tmp/mine.err" || { echo "error does not name the refused path"; exit 1; }
test "$(ls -A "$tmp/mine")" = "notes.txt" || { echo "foreign --out was modified"; exit 1; }
test "$(cat "$tmp/mine/notes.txt")" = "precious" || { echo "foreign file was modified"; exit 1; }
# A sweep of the Guardian's rsETH freeze time, as a user types it (docs: README "Monte Carlo sweeps"):
# its alert time, and its reaction time after the alert.
"$bin" sweep aave-v3-core-rseth-2026-04 --paths 1 --threads 2 \
  --vary 'events.2.at=2026-04-18T17:35:00Z,2026-04-18T19:35:00Z' --out "$tmp/freeze" > "$tmp/freeze.txt"
test "$(wc -l < "$tmp/freeze/cells.csv")" -eq 3 || { echo "freeze sweep: expected 2 cells"; cat "$tmp/freeze/cells.csv"; exit 1; }
grep -q "2026-04-18T19:35:00Z" "$tmp/freeze/cells.csv" || { echo "freeze sweep: varied time missing"; exit 1; }
"$bin" sweep aave-v3-core-rseth-2026-04 --paths 1 --threads 2 \
  --vary 'events.2.reaction_minutes.median=77,197' --out "$tmp/reaction" > "$tmp/reaction.txt"
grep -q "rescued_usd" "$tmp/reaction/cells.csv" || { echo "reaction sweep: no loss columns"; exit 1; }
test "$(wc -l < "$tmp/reaction/cells.csv")" -eq 3 || { echo "reaction sweep: expected 2 cells"; exit 1; }
# Information contagion: how much of the exploit's news the stablecoin suppliers hear.
"$bin" sweep aave-v3-core-rseth-2026-04 --paths 1 --threads 2 \
  --vary 'behaviour.contagion.same_protocol=0,0.6' --out "$tmp/contagion" > "$tmp/contagion.txt"
grep -q "withdrawn_24h_share_mean" "$tmp/contagion/cells.csv" || { echo "contagion sweep: no outflow columns"; exit 1; }
test "$(wc -l < "$tmp/contagion/cells.csv")" -eq 3 || { echo "contagion sweep: expected 2 cells"; exit 1; }
# The run directory holds the loss table and the exposure graph.
"$bin" simulate --out "$tmp/default" > "$tmp/default.txt"
for f in losses.parquet exposure_nodes.parquet exposure_edges.parquet; do
  test -s "$tmp/default/$f" || { echo "default: missing $f"; exit 1; }
done
grep -q "Who bears the losses" "$tmp/default.txt" || { echo "default: no loss table"; exit 1; }
grep -q "Deposits withdrawn from all reserves" "$tmp/default.txt" || { echo "default: no outflow line"; exit 1; }
grep -q "Compound III markets" "$tmp/default.txt" || { echo "default: no Compound III section"; exit 1; }
grep -q "compound-v3-weth" "$tmp/default.txt" || { echo "default: no WETH Comet row"; exit 1; }
grep -q "Exposure graph at the end" "$tmp/default/report.html" || { echo "default: no exposure graph"; exit 1; }
# The Terra scenario in both modes, and a sweep of it (docs/terra.md).
"$bin" simulate terra-anchor-2022-05 --out "$tmp/terra" > "$tmp/terra.txt"
for v in replay spiral; do
  for f in "${v}_terra_market.parquet" "${v}_terra_cohorts.csv" "${v}_terra_events.csv"; do
    test -s "$tmp/terra/$f" || { echo "terra: missing output $f"; exit 1; }
  done
  grep -q "terra-anchor-2022-05 \[$v\]" "$tmp/terra.txt" || { echo "terra: no $v summary"; exit 1; }
done
"$bin" sweep terra-anchor-2022-05 --paths 2 --threads 2 --out "$tmp/terra-sweep" > "$tmp/terra-sweep.txt"
grep -q "spiral:ust_min_usd" "$tmp/terra-sweep/cells.csv" || { echo "terra sweep: no spiral columns"; head -c 600 "$tmp/terra-sweep/cells.csv"; exit 1; }
# The stETH scenario in both modes, and a sweep of it (docs/steth.md).
"$bin" simulate steth-2022-06 --out "$tmp/steth" > "$tmp/steth.txt"
for v in replay spiral; do
  for f in "${v}_steth_market.parquet" "${v}_steth_books.csv" "${v}_steth_events.csv"; do
    test -s "$tmp/steth/$f" || { echo "steth: missing output $f"; exit 1; }
  done
  grep -q "steth-2022-06 \[$v\]" "$tmp/steth.txt" || { echo "steth: no $v summary"; exit 1; }
done
"$bin" sweep steth-2022-06 --paths 2 --threads 2 --out "$tmp/steth-sweep" > "$tmp/steth-sweep.txt"
grep -q "spiral:steth_min_curve" "$tmp/steth-sweep/cells.csv" || { echo "steth sweep: no spiral columns"; head -c 600 "$tmp/steth-sweep/cells.csv"; exit 1; }
# The USDC/SVB scenario in both modes, and a sweep of it (docs/svb.md).
"$bin" simulate usdc-svb-2023-03 --out "$tmp/svb" > "$tmp/svb.txt"
for v in replay spiral; do
  for f in "${v}_svb_market.parquet" "${v}_svb_books.csv" "${v}_svb_events.csv"; do
    test -s "$tmp/svb/$f" || { echo "svb: missing output $f"; exit 1; }
  done
  grep -q "usdc-svb-2023-03 \[$v\]" "$tmp/svb.txt" || { echo "svb: no $v summary"; exit 1; }
done
grep -q "Compound v2 utilization" "$tmp/svb.txt" || { echo "svb: no Compound v2 lines"; exit 1; }
"$bin" sweep usdc-svb-2023-03 --paths 2 --threads 2 --out "$tmp/svb-sweep" > "$tmp/svb-sweep.txt"
grep -q "spiral:compound_arb_usdc_supplied" "$tmp/svb-sweep/cells.csv" || { echo "svb sweep: no spiral columns"; head -c 600 "$tmp/svb-sweep/cells.csv"; exit 1; }
# Calibration (docs/calibration.md): the February 2026 WETH spike, a small search as a user
# types it (the documented fit runs the defaults: --seeds 4 --grid 7 --refine 3).
"$bin" calibrate --seeds 2 --grid 2 --refine 0 --threads 2 > "$tmp/calibrate.toml"
for k in repay_speed active_share; do
  grep -q "name = \"$k\"" "$tmp/calibrate.toml" || { echo "calibrate: no $k"; cat "$tmp/calibrate.toml"; exit 1; }
done
grep -q "WETH_hours_ge_92pct" "$tmp/calibrate.toml" || { echo "calibrate: no moment lines"; exit 1; }
"$bin" calibrate aave-v3-core-rseth-2026-04 --seeds 2 > /dev/null 2> "$tmp/nocal.err" && { echo "calibrate without [calibration] succeeded"; exit 1; }
grep -q "expected a \[calibration\] section" "$tmp/nocal.err" || { echo "calibrate: unclear error"; cat "$tmp/nocal.err"; exit 1; }
echo "smoke: 11 passed, 0 failed"
