#!/bin/bash
# Installs the Debian 12 packages lifchip needs, only those that are missing, so it is quick (no
# apt-get at all) on a machine that already has them. Run as root, or with sudo available.
# pybind11-dev and python3-dev build `import lifchip` (tools/python/); python3-pytest runs its tests.
# --tests adds what only the tests need: Debian's chromium (about 100 MB with its libraries), used
# headless by tests/test_report.cpp to check that reports render; users of lifchip never need it.
# --extras adds what only the optional research tools need (none of it is used by the build, the demo
# or the tests): python3-torch and python3-sklearn for tools/train/ (training), python3-brian for the
# Brian2 comparison in tools/bench/, yosys for rtl/synth/ (synthesis figures). Flags combine.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev verilator libboost-graph-dev protobuf-compiler libprotobuf-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libhdf5-dev
  python3-numpy python3-h5py python3-matplotlib
  pybind11-dev python3-dev python3-pytest
)
for arg in "$@"; do
  case $arg in
    --tests) PACKAGES+=(chromium) ;;
    --extras) PACKAGES+=(python3-torch python3-sklearn python3-brian yosys) ;;
    *) echo "install_deps: unknown option '$arg' (use --tests, --extras)" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg >/dev/null 2>&1; then
  echo "install_deps: dpkg not found; lifchip's set-up scripts target Debian 12. Install: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # `dpkg -s` also succeeds for removed packages that left config files: check the status line.
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#PACKAGES[@]} Debian packages are present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install_deps: missing ${missing[*]}; run as root (or install sudo)" >&2
    exit 1
  fi
fi
echo "install_deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
