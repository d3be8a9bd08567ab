#!/usr/bin/env bash
# Bundles scripts/bench/gpu-scan.ts for the lent GPU machine with ../shared/tools/gpu-probe (writes .gpu/ and .gl/,
# both git-ignored). Then, with the device tool: carry [".gl", ".gpu"] and run the command gpu-probe's README gives
# (it runs .gpu/bench.mjs). Results go in BENCHMARKS.md by hand: the machine is lent to some sessions only.
# Env for the probe: SIZES (default 1000,…,4000000), CALLS (300), SKIP_TFJS=1.
# To check the probe here before spending device time, run it on Chromium's SwiftShader Vulkan driver (slow, but
# the same code path): copy .gpu, unxz its dawn.node, then
#   XDG_RUNTIME_DIR=/tmp VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json SIZES=1000 node bench.mjs
set -euo pipefail
root=$(git rev-parse --show-toplevel)
probe=${GPU_PROBE:-$root/../shared/tools/gpu-probe}
entry=$(mktemp -d)/gpu-scan-entry.mjs
# setup.mjs (copied beside the entry by build.sh) must run first: it installs navigator.gpu before tfjs registers.
printf "import './setup.mjs';\nimport '%s';\n" "$root/scripts/bench/gpu-scan.ts" > "$entry"
"$probe/build.sh" "$entry"
