#!/usr/bin/env bash
# The demo: builds the provider and the sandbox, starts the sandbox, and runs the real Terraform
# CLI on an example against it: apply, outputs, the sandbox's view of the cloud, destroy.
#
# Env:
#   DEMO_EXAMPLE         example directory (default examples/jdcloud-alicloud-vpn, the cross-cloud VPN)
#   HYBRIDNET_TERRAFORM  terraform binary (default .tools/terraform-1.0.3/terraform)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A relative DEMO_EXAMPLE may be relative to where the demo was started or to the repository.
EXAMPLE="${DEMO_EXAMPLE:-examples/jdcloud-alicloud-vpn}"
if [[ -d "$EXAMPLE" ]]; then
    EXAMPLE="$(cd "$EXAMPLE" && pwd)"
elif [[ -d "$ROOT/$EXAMPLE" ]]; then
    EXAMPLE="$(cd "$ROOT/$EXAMPLE" && pwd)"
else
    echo "demo: no example directory $EXAMPLE" >&2
    exit 1
fi
cd "$ROOT"

step() {
    printf '\n==> %s\n' "$*"
}

step "Tools"
scripts/ensure-tools.sh
TERRAFORM="${HYBRIDNET_TERRAFORM:-$ROOT/.tools/terraform-1.0.3/terraform}"

# Debug, not release: on a fresh 2-core machine the unoptimised build of the dependencies (TLS,
# gRPC, SQLite) finishes minutes sooner, it is the build scripts/test.sh already makes (so after
# the tests this step is instant), and the demo does nothing that needs optimised code.
step "Build (cargo build --bins)"
cargo build --bins
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
BIN_DIR="$TARGET_DIR/debug"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hybridnet-demo.XXXXXX")"
SANDBOX_PID=""
cleanup() {
    if [[ -n "$SANDBOX_PID" ]]; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Sandbox"
"$BIN_DIR/hybridnet-sandbox" --listen 127.0.0.1:0 --state "$WORK/sandbox.db" \
    >"$WORK/sandbox.out" 2>"$WORK/sandbox.log" &
SANDBOX_PID=$!
# Its first stdout line is its URL; wait for a complete line (up to 20 s).
SANDBOX_URL=""
for _ in $(seq 1 200); do
    if [[ "$(wc -l <"$WORK/sandbox.out")" -ge 1 ]]; then
        SANDBOX_URL="$(head -n 1 "$WORK/sandbox.out")"
        break
    fi
    if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [[ "$SANDBOX_URL" != http://* ]]; then
    echo "demo: the sandbox did not start; its log:" >&2
    cat "$WORK/sandbox.log" >&2
    exit 1
fi
echo "hybridnet-sandbox listening on $SANDBOX_URL (log: $WORK/sandbox.log while the demo runs)"

# Terraform loads the provider straight from the build directory: no registry, no init.
cat >"$WORK/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "hybridnet/hybridnet" = "$BIN_DIR"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
export CHECKPOINT_DISABLE=1
export HYBRIDNET_JDCLOUD_ENDPOINT="$SANDBOX_URL"
export JDCLOUD_ACCESS_KEY=sandbox-ak
export JDCLOUD_SECRET_KEY=sandbox-sk
export JDCLOUD_REGION=cn-north-1
export HYBRIDNET_ALICLOUD_ENDPOINT="$SANDBOX_URL"
export ALICLOUD_ACCESS_KEY=sandbox-ak
export ALICLOUD_SECRET_KEY=sandbox-sk
export ALICLOUD_REGION=cn-hangzhou

# Work on a copy so the example directory never collects state files.
cp -R "$EXAMPLE" "$WORK/example"
rm -rf "$WORK/example/.terraform" "$WORK/example"/terraform.tfstate*
cd "$WORK/example"

# Terraform colours its output even into a pipe or a log file; keep colour for terminals only.
TF_FLAGS=()
[[ -t 1 ]] || TF_FLAGS=(-no-color)

sandbox_state() {
    curl -sS --fail "$SANDBOX_URL/_sandbox/state" | python3 -m json.tool
}

TF_VERSION="$("$TERRAFORM" version)" || { echo "demo: $TERRAFORM version failed" >&2; exit 1; }
step "terraform apply   (${TF_VERSION%%$'\n'*}, example ${EXAMPLE#"$ROOT"/})"
"$TERRAFORM" apply -auto-approve -input=false "${TF_FLAGS[@]}"

step "terraform output"
"$TERRAFORM" output "${TF_FLAGS[@]}"

step "Sandbox state (GET $SANDBOX_URL/_sandbox/state)"
sandbox_state

step "terraform destroy"
"$TERRAFORM" destroy -auto-approve -input=false "${TF_FLAGS[@]}"

step "Sandbox state after destroy"
sandbox_state

step "Demo finished; stopping the sandbox"
