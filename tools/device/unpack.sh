#!/usr/bin/env bash
# Here, after a device call of tools/device/train.sh: joins FILES_AT/NAME.tar.part-* (the folder the device tool
# reported as files_at) and unpacks the model folder or VAE export into DEST (default runs/device/NAME), leaving
# the training log beside it. An existing DEST is never overwritten.
#
#   bash tools/device/unpack.sh FILES_AT NAME [DEST]
set -euo pipefail
files=${1:?FILES_AT}
name=${2:?NAME}
dest=${3:-runs/device/$name}
parts=("$files/$name.tar.part-"*)
[ -e "${parts[0]}" ] || { echo "unpack: no $name.tar.part-* in $files" >&2; exit 2; }
[ -e "$dest" ] && { echo "unpack: $dest exists; name another destination" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kinema-unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat "${parts[@]}" | tar -xf - -C "$tmp"
for f in log.csv log.png train.log device-info.txt; do [ -f "$files/$f" ] && cp "$files/$f" "$tmp/$name/"; done
mkdir -p "$(dirname "$dest")"
mv "$tmp/$name" "$dest"
echo "$dest"
