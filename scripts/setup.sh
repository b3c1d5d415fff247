#!/usr/bin/env bash
# Installs what wgml needs on a Debian bookworm machine without a GPU (as root), then builds.
#  - Mesa 25's lavapipe (software Vulkan with shader-f16) from bookworm-backports: Dawn refuses bookworm's Mesa 22
#  - chromium: SwiftShader fallback and the browser tests
# In a clone of the repository (not in the npm package, node_modules/wgml/scripts/setup.sh) also:
#  - libonnx-testdata: the ONNX backend node tests wgml runs for conformance
#  - python3-torch/torchvision/onnx: export the whole-model test fixtures (scripts/export_models.py)
#  - npm ci and the build
set -euo pipefail
cd "$(dirname "$0")/.."
clone=0; [ -f package-lock.json ] && [ -d src ] && [ -d test ] && clone=1
need=()
dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 25' || need+=(lavapipe)
command -v chromium >/dev/null || need+=(chromium)
if [ $clone = 1 ]; then
  [ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
  /usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null || need+=(python3-torch)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "wgml setup: missing ${need[*]}; run this script as root (it uses apt-get)" >&2; exit 1
  fi
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ] && ! grep -q 'bookworm-backports' "$src"; then
    sed -i '0,/^Suites: bookworm bookworm-updates$/s//Suites: bookworm bookworm-updates bookworm-backports/' "$src"
  fi
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
  apt-get install -y -qq chromium >/dev/null
  if [ $clone = 1 ]; then apt-get install -y -qq libonnx-testdata python3-torch python3-torchvision python3-onnx python3-numpy >/dev/null; fi
fi
[ $clone = 1 ] || { echo "wgml setup: lavapipe and chromium are installed; try: npx wgml info"; exit 0; }
if [ ! -d node_modules/webgpu ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx tsc -p .
chmod +x dist/cli/main.js
