#!/usr/bin/env bash
# Runs ON the lent GPU machine, from the repository root (DEVELOPERS.md): unpacks the kit made by
# tools/device/pack.sh, points TorchSharp at the machine's PyTorch libtorch, records whether that mix loads and sees
# the GPU, trains for at most BUDGET seconds, and sends back what fits through $OUT.
#
#   bash tools/device/train.sh NAME BUDGET_SECONDS dit --vae models/kinema-toy-v11 [kinema train dit options...]
#   bash tools/device/train.sh NAME BUDGET_SECONDS vae [kinema train vae options...]
#   bash tools/device/train.sh probe
#
# --run and --device are set here. When the budget runs out the trainer gets SIGINT, finishes its step and saves a
# checkpoint; a dit run is then exported as a model folder (f16) and a vae run as a stage-1 export (EMA weights and
# latent statistics). Either comes back as $OUT/NAME.tar.part-aa, -ab, ... (the device returns at most 8 files of at
# most 16 MiB each), with log.csv, log.png and the logs; tools/device/unpack.sh joins them. The checkpoints, with
# their optimizer state, stay behind: the next run warm-starts from the returned weights with --init-from.
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
case "$stage" in dit|vae) ;; *) echo "train.sh: stage must be dit or vae, got '$stage'" >&2; exit 2 ;; esac
# A fresh run each call: a run folder left by an earlier call (a warm machine, a second rehearsal) would be resumed
# instead of started from --init-from, and old parts would be joined with the new ones.
run=/tmp/kinema-run/$name
rm -rf "$run" /tmp/kinema-result
rm -f "$out/$name.tar.part-"*
mkdir -p "$run"

# SIGINT at the budget: the trainer finishes its step, saves a checkpoint and exits. timeout then reports 124
# (137 if it had to kill after 30 s more, with no checkpoint of the last steps).
timeout -s INT --kill-after=30 "$budget" "$kinema" train "$stage" --run "$run" --device "$device" "$@" 2>&1 | tee "$out/train.log"
status=${PIPESTATUS[0]}
echo "train.sh: training exited $status (0: reached --steps; 124: stopped at the budget, checkpoint saved)" | tee -a "$out/train.log"
[ -f "$run/checkpoints/LATEST" ] || { echo "train.sh: no checkpoint was written; nothing to send back" >&2; exit "$(( status == 0 ? 1 : status ))"; }

result=/tmp/kinema-result/$name
mkdir -p "$(dirname "$result")"
if [ "$stage" = dit ]; then
  vae="" prev=""
  for a in "$@"; do [ "$prev" = --vae ] && vae=$a; prev=$a; done
  "$kinema" train export --run "$run" --vae "$vae" --out "$result" --name "$name" 2>&1 | tee -a "$out/train.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
else
  # The VAE trainer exports (latent statistics and all) once it reaches --steps. A run stopped by the budget is
  # told that the step it reached is the last: it then resumes, finds itself done, and exports.
  if [ ! -d "$run/export" ]; then
    latest=$(cat "$run/checkpoints/LATEST")
    reached=$((10#${latest#step-}))
    args=() skip=0
    for a in "$@"; do
      if [ $skip = 1 ]; then skip=0; continue; fi
      if [ "$a" = --steps ]; then skip=1; continue; fi
      args+=("$a")
    done
    "$kinema" train vae --run "$run" --device "$device" "${args[@]}" --steps "$reached" 2>&1 | tee -a "$out/train.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
  fi
  cp -r "$run/export" "$result"
  cp "$run/eval.json" "$result/" 2>/dev/null || true
fi
cp "$run/log.csv" "$run/log.png" "$out/" 2>/dev/null || true
tar -cf - -C "$(dirname "$result")" "$name" | split -b 15m - "$out/$name.tar.part-"
# The device returns at most 8 files: device-info.txt, train.log, log.csv and log.png leave four for the parts.
parts=$(ls "$out/$name.tar.part-"* | wc -l)
if [ "$parts" -gt 4 ]; then
  echo "train.sh: the result needs $parts parts of 15 MiB, more than the 4 the device can return beside the logs" >&2
  exit 1
fi
ls -la "$out"
case "$status" in 0|124) exit 0 ;; *) exit "$status" ;; esac
