#!/bin/bash
# Installs the missing packages, builds everything (Release, in ./build) and runs every test.
# Environment: as tools/build.sh; LIFCHIP_TEST_JOBS (default 2) tests run in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install_deps.sh --tests
./tools/build.sh
ctest --test-dir "${LIFCHIP_BUILD_DIR:-build}" --output-on-failure -j "${LIFCHIP_TEST_JOBS:-2}"
