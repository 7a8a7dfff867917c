#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 600 s each) and
# prints the exec counts. Not part of CI: `scripts/fuzz.sh [seconds]`.
# cargo-fuzz needs nightly-only compiler flags; RUSTC_BOOTSTRAP lets the
# machine's stable toolchain accept them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"
secs="${1:-600}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
targets=(value_msgpack value_json jdcloud_canonical acs3_canonical duration plan)
cargo fuzz build -O
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    if ! cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz: $t FAILED (crash artifacts in fuzz/artifacts/$t)" >&2
        exit 1
    fi
    runs="$(grep -E 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n 1)"
    echo "fuzz: $t ran ${secs}s, ${runs:-?} executions, no crash"
done
