#!/usr/bin/env bash
# Conformance suite: the native engines against the real contracts run in revm.
# Fetches pinned npm artifacts (version + sha512) into target/conformance-cache, compiles
# Aave v3.6 once with solc-js, then runs 2,000 random sequences per Aave version, the
# Uniswap v2 checks, and the sabotage proof (a one-wei rounding change must be caught).
# A missing artifact is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"

for tool in node npm cargo python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "conformance: $tool is required" >&2; exit 1; }
done
node --version

echo "== conformance: fetch + verify + compile artifacts"
node crates/bankrun-conformance/scripts/fetch-artifacts.mjs "${BANKRUN_CONFORMANCE_CACHE:-target/conformance-cache}" >/dev/null

echo "== conformance: Aave v3.0.2 and v3.6 differential, Uniswap v2, Curve vs curvesim"
start=$(date +%s)
BANKRUN_CONFORMANCE_CASES="${BANKRUN_CONFORMANCE_CASES:-2000}" \
  cargo test --release --locked -p bankrun-conformance -- --nocapture
echo "conformance: differential suite took $(( $(date +%s) - start )) s"

echo "== conformance: sabotage proof (rayMul rounded down by one wei must be detected)"
cargo test --release --locked -p bankrun-conformance --features sabotage-rounding --test sabotage
