#!/bin/bash
# Configures and builds lifchip: tools/build.sh [TARGET...]   (default: everything)
# Environment: LIFCHIP_BUILD_DIR (default ./build), LIFCHIP_BUILD_TYPE (default Release),
# LIFCHIP_CMAKE_ARGS (extra -D options), LIFCHIP_JOBS (default: the number of CPUs).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${LIFCHIP_BUILD_DIR:-build}
type=${LIFCHIP_BUILD_TYPE:-Release}
jobs=${LIFCHIP_JOBS:-$(nproc)}
read -r -a extra <<<"${LIFCHIP_CMAKE_ARGS:-}"

generator=()
# A build directory keeps the generator it was made with; choose one only for a new directory.
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE="$type" "${extra[@]}"

targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j "$jobs" "${targets[@]}"
