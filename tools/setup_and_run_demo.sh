#!/bin/bash
# From a fresh Debian 12 machine to a running chip: installs the missing packages, builds the
# lifchip program (Release, in ./build) and runs the bundled example network on the functional model.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install_deps.sh
./tools/build.sh lifchip
build=${LIFCHIP_BUILD_DIR:-build}
echo
echo "+ $build/tools/lifchip run tools/examples/small_net.image.txtpb --stimuli tools/examples/small_net.stimuli.txtpb"
"$build/tools/lifchip" run tools/examples/small_net.image.txtpb --stimuli tools/examples/small_net.stimuli.txtpb
