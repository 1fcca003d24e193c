#!/usr/bin/env bash
# Builds the kit a lent GPU machine runs (DEVELOPERS.md): the CLI published self-contained and trimmed, without the
# CPU libtorch (the machine's own PyTorch supplies libtorch), compressed to .device/kinema.tar.xz.
#
# Why trimmed and compressed: a device call carries the whole working tree in at most 64 MiB. The tracked tree is
# about 40 MiB; the untrimmed publish is 115 MiB without libtorch (38 MiB as .tar.xz), the trimmed one about 43 MiB
# (12 MiB as .tar.xz).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/.device"
stage="$out/stage/kinema"
rm -rf "$out/stage"
mkdir -p "$stage"

# TrimMode=partial trims only the framework's own (trim-safe) assemblies; ours and TorchSharp, which registers
# module fields by reflection, are kept whole. Trimming turns System.Text.Json's reflection off by default, and our
# configs and checkpoints are serialised by reflection, so it is switched back on.
dotnet publish "$root/src/Kinema.Cli" -c Release -r linux-x64 --self-contained -o "$stage" --nologo -v quiet \
  -p:PublishTrimmed=true -p:TrimMode=partial -p:JsonSerializerIsReflectionEnabledByDefault=true \
  -p:SuppressTrimAnalysisWarnings=true -p:DebugType=none -p:InvariantGlobalization=true

# The CPU libtorch from the libtorch-cpu package: on the device, torch's own libraries take its place.
libtorch_native=$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$libtorch_native" ]; then
  echo "pack: the libtorch-cpu-linux-x64 package is not in the NuGet cache; run 'dotnet restore' first" >&2
  exit 1
fi
for f in "$libtorch_native"/*; do rm -f "$stage/$(basename "$f")"; done
# The debugger, tracing and alternative-GC libraries of the runtime: a training run needs none of them.
rm -f "$stage"/{libmscordaccore.so,libmscordbi.so,libcoreclrtraceptprovider.so,libclrgc.so,libclrgcexp.so,createdump}

for needed in kinema kinema.dll TorchSharp.dll libLibTorchSharp.so; do
  [ -e "$stage/$needed" ] || { echo "pack: $needed missing from the publish" >&2; exit 1; }
done

tar -cJf "$out/kinema.tar.xz.tmp" -C "$out/stage" kinema
mv "$out/kinema.tar.xz.tmp" "$out/kinema.tar.xz"
rm -rf "$out/stage"
size=$(stat -c %s "$out/kinema.tar.xz")
# Files deleted but still tracked are skipped (stat fails on them), hence the || true.
tree=$(cd "$root" && git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}' || true)
echo "pack: .device/kinema.tar.xz $((size / 1048576)) MiB; tracked tree $((tree / 1048576)) MiB; together $(((size + tree) / 1048576)) of 64 MiB"
if [ $((size + tree)) -gt $((62 * 1048576)) ]; then
  echo "pack: the kit and the tracked tree leave under 2 MiB below the device's 64 MiB limit; a device call may be refused" >&2
  exit 1
fi
