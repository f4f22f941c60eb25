#!/bin/bash
# The large mutation campaign of the regression runner (issue 7): seeded faults (bit flips in u, v and
# weights, stuck-at neurons, dropped and duplicated packets) injected into the functional and SystemC
# models through the firmware path; prints how many were detected and localised. CI runs 3 seeds.
# Usage: tools/campaign_mutation.sh [SEEDS] (default 50; each seed: 4 presets x 10 faults).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LIFCHIP_BUILD_DIR:-build}
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
LIFCHIP_MUTATION_SEEDS=${1:-50} "$build/tests/test_regress" --gtest_filter='RegressTest.MutationCampaign*'
