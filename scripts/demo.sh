#!/usr/bin/env bash
# The demo: builds the provider and the sandbox, starts the sandbox, applies an example with the
# real Terraform CLI, and ends on a summary: what was built on each cloud, the tunnel pairs, the
# strongSwan configuration of the far end of one VPN connection (rendered by hybridnet_peer_config,
# keys masked) and, as root with strongSwan present, that configuration negotiating IKE with the
# cloud end in two network namespaces. Then it destroys everything. No secret is printed.
#
# Env:
#   DEMO_EXAMPLE         example directory (default examples/jdcloud-alicloud-vpn, the cross-cloud VPN)
#   HYBRIDNET_TERRAFORM  terraform binary (default .tools/terraform-1.0.3/terraform)
#   DEMO_DUMP=1          also print the sandbox's full state (keys masked) after apply and destroy
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

# Each phase prints its name when it starts and its duration when it ends.
PHASE=""
PHASE_START=0
TIMINGS=()
phase_end() {
    if [[ -n "$PHASE" ]]; then
        local took=$((SECONDS - PHASE_START))
        TIMINGS+=("$(printf '%-24s %4ss' "$PHASE" "$took")")
        printf '    (%ss)\n' "$took"
    fi
    PHASE=""
}
# step NAME [DETAIL]: the timings table lists NAME; the heading adds DETAIL.
step() {
    phase_end
    PHASE="$1"
    PHASE_START=$SECONDS
    printf '\n==> %s%s\n' "$1" "${2:+ ($2)}"
}

step "Tools"
scripts/ensure-tools.sh --demo
TERRAFORM="${HYBRIDNET_TERRAFORM:-$ROOT/.tools/terraform-1.0.3/terraform}"

# The IKE phase runs the tests' own lab (tests/common/ike.rs): root, namespaces and strongSwan.
IKE_REASON=""
if [[ "$(id -u)" != 0 ]]; then
    IKE_REASON="not root"
elif ! command -v swanctl >/dev/null 2>&1 || [[ ! -x /usr/lib/ipsec/charon ]]; then
    IKE_REASON="strongSwan is not installed"
elif ! ip netns list >/dev/null 2>&1; then
    IKE_REASON="no network namespaces here"
fi

# Debug, not release: on a fresh 2-core machine the unoptimised build of the dependencies (TLS,
# gRPC, SQLite) finishes minutes sooner, it is the build scripts/test.sh already makes (so after
# the tests this step is instant), and the demo does nothing that needs optimised code.
step "Build" "cargo build --bins"
cargo build --bins
if [[ -z "$IKE_REASON" ]]; then
    cargo test -q --test ike --no-run 2>/dev/null || IKE_REASON="the IKE lab did not build"
fi
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
echo "hybridnet-sandbox listening on $SANDBOX_URL"

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

# Work on a copy so the example directory never collects state files. The scenario examples call
# the modules as ../../modules/<name>, so modules/ is copied alongside and `terraform get` installs
# them (local modules: no init, no registry).
mkdir -p "$WORK/examples"
cp -R "$EXAMPLE" "$WORK/examples/example"
cp -R "$ROOT/modules" "$WORK/modules"
rm -rf "$WORK/examples/example/.terraform" "$WORK/examples/example"/terraform.tfstate*
cd "$WORK/examples/example"
if grep -q '^module "' ./*.tf; then
    "$TERRAFORM" get -no-color >/dev/null
fi

# Terraform colours its output even into a pipe or a log file; keep colour for terminals only.
TF_FLAGS=()
[[ -t 1 ]] || TF_FLAGS=(-no-color)

# The sandbox's state with every key masked, for DEMO_DUMP=1.
sandbox_state() {
    curl -sS --fail "$SANDBOX_URL/_sandbox/state" | python3 "$ROOT/scripts/demo-summary.py" --dump -
}

TF_VERSION="$("$TERRAFORM" version)" || {
    echo "demo: $TERRAFORM version failed" >&2
    exit 1
}
step "terraform apply" "${TF_VERSION%%$'\n'*}, ${EXAMPLE#"$ROOT"/}"
# The plan is long; show the progress lines and the outputs (DEMO_DUMP=1 shows everything).
if ! "$TERRAFORM" apply -auto-approve -input=false -no-color >"$WORK/apply.log" 2>&1; then
    cat "$WORK/apply.log" >&2
    exit 1
fi
if [[ "${DEMO_DUMP:-}" == 1 ]]; then
    cat "$WORK/apply.log"
else
    grep -E 'Creation complete|^Apply complete' "$WORK/apply.log"
fi

step "What was built"
curl -sS --fail "$SANDBOX_URL/_sandbox/state" >"$WORK/state.json"
python3 "$ROOT/scripts/demo-summary.py" "$WORK/state.json"
if [[ "${DEMO_DUMP:-}" == 1 ]]; then
    echo
    echo "Sandbox state (GET $SANDBOX_URL/_sandbox/state, keys masked):"
    sandbox_state
fi

# The far end of the first VPN connection, as a Linux router running strongSwan would load it,
# rendered by hybridnet_peer_config from the cloud's (here the sandbox's) view, in a root of its own.
read -r ATTR CONN_ID CONN_REGION < <(python3 "$ROOT/scripts/demo-summary.py" --first-connection "$WORK/state.json") || true
PEER_CONF=""
if [[ -n "${CONN_ID:-}" ]]; then
    step "Far-end configuration" "$CONN_ID as strongSwan, from hybridnet_peer_config; one tunnel shown"
    mkdir -p "$WORK/peer"
    cat >"$WORK/peer/main.tf" <<EOF
terraform {
  required_providers {
    hybridnet = { source = "hybridnet/hybridnet" }
  }
}

data "hybridnet_peer_config" "far_end" {
  $ATTR = "$CONN_ID"
  region   = "$CONN_REGION"
  platform = "strongswan"
}

output "config" {
  value     = data.hybridnet_peer_config.far_end.config
  sensitive = true
}
EOF
    if ! (cd "$WORK/peer" && "$TERRAFORM" apply -auto-approve -input=false -no-color >"$WORK/peer/apply.log" 2>&1); then
        cat "$WORK/peer/apply.log" >&2
        exit 1
    fi
    PEER_CONF="$WORK/peer/swanctl.conf"
    (cd "$WORK/peer" && "$TERRAFORM" output -raw config) >"$PEER_CONF"
    python3 "$ROOT/scripts/demo-summary.py" --masked-conf "$PEER_CONF"
fi

if [[ -n "$PEER_CONF" ]]; then
    step "IKE negotiation" "that configuration against the cloud end, in two network namespaces"
    if [[ -n "$IKE_REASON" ]]; then
        echo "skipped: $IKE_REASON (as root with strongSwan, which scripts/ensure-tools.sh installs, it runs here)"
    else
        (cd "$ROOT" && HYBRIDNET_DEMO_STATE="$WORK/state.json" HYBRIDNET_DEMO_PEER_CONF="$PEER_CONF" \
            HYBRIDNET_DEMO_CONNECTION="$CONN_ID" \
            cargo test -q --test ike demo_negotiation -- --ignored --nocapture 2>&1) >"$WORK/ike.log" || true
        grep -E '^(IKE|ESP) ' "$WORK/ike.log" ||
            {
                echo "demo: the IKE negotiation failed:" >&2
                tail -n 30 "$WORK/ike.log" >&2
                exit 1
            }
    fi
fi

step "terraform destroy"
if ! "$TERRAFORM" destroy -auto-approve -input=false -no-color >"$WORK/destroy.log" 2>&1; then
    cat "$WORK/destroy.log" >&2
    exit 1
fi
grep -E '^Destroy complete' "$WORK/destroy.log" || tail -n 1 "$WORK/destroy.log"
if [[ "${DEMO_DUMP:-}" == 1 ]]; then
    echo "Sandbox state after destroy:"
    sandbox_state
fi
phase_end

printf '\n==> Timings\n'
printf '    %s\n' "${TIMINGS[@]}"
cat <<EOF

==> Next
    Your own configuration against the sandbox: README.md, "Try your own configuration".
    Another example:  DEMO_EXAMPLE=examples/jdcloud-idc-vpn scripts/demo.sh   (examples/*/README.md)
    The full state:   DEMO_DUMP=1 scripts/demo.sh
EOF
