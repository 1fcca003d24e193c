#!/usr/bin/env bash
# Runs a fixture script against the real diffusers code on a machine that has only Debian's python3-torch
# (1.13, CPU) and no PyPI: see README.md beside this file.
#   tools/wan-fixtures/cpu-compat/run.sh DIFFUSERS HUB ACCELERATE SCRIPT [ARGS...]
# DIFFUSERS, HUB and ACCELERATE are source checkouts (fetched, never committed) of diffusers,
# huggingface_hub and accelerate.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 DIFFUSERS_CHECKOUT HUGGINGFACE_HUB_CHECKOUT ACCELERATE_CHECKOUT SCRIPT [ARGS...]" >&2
  exit 2
fi
diffusers=$(realpath "$1"); hub=$(realpath "$2"); accelerate=$(realpath "$3"); script=$4; shift 4
for dir in "$diffusers/src/diffusers" "$hub/src/huggingface_hub" "$accelerate/src/accelerate"; do
  [ -d "$dir" ] || { echo "run.sh: $dir does not exist (expected a source checkout)" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
ln -s "$hub/src/huggingface_hub" "$site/huggingface_hub"
ln -s "$accelerate/src/accelerate" "$site/accelerate"
ln -s "$here/safetensors" "$site/safetensors"
# diffusers asks importlib.metadata whether accelerate and safetensors are installed.
for pkg in accelerate:1.15.0 safetensors:0.4.5; do
  name=${pkg%%:*}; version=${pkg##*:}
  mkdir -p "$site/$name-$version.dist-info"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$version" > "$site/$name-$version.dist-info/METADATA"
done
PYTHONPATH="$here:$site:$diffusers/src" exec /usr/bin/python3 -c '
import sys, runpy, torch_compat
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")' "$script" "$@"
