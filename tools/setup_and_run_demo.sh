#!/bin/bash
# From a fresh Debian 12 machine to the demo: installs the missing packages, builds the lifchip
# program (Release, in ./build) and runs `lifchip demo`: the bundled trained digits network (NIR)
# mapped onto the chip, its test images run on the SystemC model, accuracy (chip vs float), energy
# per inference, latency, and an HTML report (./lifchip_demo_report.html).
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/install_deps.sh
./tools/build.sh lifchip
build=${LIFCHIP_BUILD_DIR:-build}
echo
echo "+ $build/tools/lifchip demo"
"$build/tools/lifchip" demo
