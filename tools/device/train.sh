#!/usr/bin/env bash
# Runs ON the lent GPU machine, from the repository root (DEVELOPERS.md): unpacks the kit made by
# tools/device/pack.sh, points TorchSharp at the machine's PyTorch libtorch, records whether that mix loads and sees
# the GPU, trains for at most BUDGET seconds, and sends back what fits through $OUT.
#
#   bash tools/device/train.sh NAME BUDGET_SECONDS dit --vae models/kinema-toy-v8 [kinema train dit options...]
#   bash tools/device/train.sh NAME BUDGET_SECONDS vae [kinema train vae options...]
#   bash tools/device/train.sh probe
#
# --run and --device are set here. When the budget runs out the trainer gets SIGINT, finishes its step and saves a
# checkpoint; a dit run is then exported as a model folder (f16) and a vae run's EMA as a stage-1 export. Both come
# back as $OUT/NAME.tar.part-aa, -ab, ... (the device returns files of at most 16 MiB), with log.csv, log.png and the
# logs; tools/device/unpack.sh NAME joins them. The optimizer state (several times the weights) does not come back:
# the next run warm-starts from the returned weights with --init-from.
set -uo pipefail
out=${OUT:?"run this on the device machine, where \$OUT is set"}
kit=.device/kinema.tar.xz
[ -f "$kit" ] || { echo "train.sh: $kit missing: run tools/device/pack.sh here and name .device in carry" >&2; exit 2; }
mkdir -p /tmp/kinema-kit
tar -xJf "$kit" -C /tmp/kinema-kit
kinema=/tmp/kinema-kit/kinema/kinema

# KINEMA_TORCH_LIB and KINEMA_TRAIN_DEVICE=cpu exist to rehearse this script on a machine without a GPU.
torch_lib=${KINEMA_TORCH_LIB:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}
device=${KINEMA_TRAIN_DEVICE:-cuda}
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

{
  echo "== python torch"
  python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>&1
  echo "== symbols libLibTorchSharp.so (built for libtorch 2.10) misses in this libtorch"
  ldd -r /tmp/kinema-kit/kinema/libLibTorchSharp.so 2>&1 | grep -c "undefined symbol" || true
  ldd -r /tmp/kinema-kit/kinema/libLibTorchSharp.so 2>&1 | grep "undefined symbol" | head -20 || true
  echo "== kinema info"
  "$kinema" info 2>&1
} | tee "$out/device-info.txt"
if [ "$device" = cuda ] && ! grep -q "^devices .*cuda" "$out/device-info.txt"; then
  echo "train.sh: TorchSharp did not see CUDA through this machine's libtorch (device-info.txt says why); stopping here" >&2
  exit 3
fi
[ "${1:-}" = probe ] && exit 0

name=${1:?NAME}
budget=${2:?BUDGET_SECONDS}
stage=${3:?"dit or vae"}
shift 3
run=/tmp/kinema-run/$name
mkdir -p "$run"

set -o pipefail
timeout -s INT --kill-after=120 "$budget" "$kinema" train "$stage" --run "$run" --device "$device" "$@" 2>&1 | tee "$out/train.log"
status=${PIPESTATUS[0]}
echo "train.sh: training exited $status (124 or 130: stopped by the budget, checkpoint saved)" | tee -a "$out/train.log"

result=/tmp/kinema-result/$name
rm -rf "$result"
if [ "$stage" = dit ]; then
  vae=""
  prev=""
  for a in "$@"; do [ "$prev" = --vae ] && vae=$a; prev=$a; done
  "$kinema" train export --run "$run" --vae "$vae" --out "$result" --name "$name" 2>&1 | tee -a "$out/train.log" || exit 1
else
  # A vae run that finished wrote RUN/export; one stopped by the budget has its latest checkpoint's EMA.
  if [ -d "$run/export" ]; then cp -r "$run/export" "$result"; else
    latest=$(cat "$run/checkpoints/LATEST")
    mkdir -p "$result" && cp -r "$run/checkpoints/$latest" "$run/model-config.json" "$run/training.json" "$result/" 2>/dev/null
  fi
fi
cp "$run/log.csv" "$run/log.png" "$out/" 2>/dev/null
tar -cf - -C "$(dirname "$result")" "$name" | split -b 15m - "$out/$name.tar.part-"
ls -la "$out"
