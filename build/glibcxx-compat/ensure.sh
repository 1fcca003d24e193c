#!/usr/bin/env bash
# Makes TorchSharp's native bridge loadable on Linux whose libstdc++ predates GLIBCXX_3.4.32
# (Debian 12, Ubuntu 22.04). Called by the build for every output folder that contains
# runtimes/linux-x64/native/libLibTorchSharp.so. Does nothing where the system already
# provides the symbol version. The patched library is cached in CACHE_DIR, keyed by the
# original's checksum, and copied over the output copy (never edited in place, because the
# output copy may be a hard link into the NuGet cache).
#
# usage: ensure.sh OUTPUT_DIR CACHE_DIR
#   OUTPUT_DIR: a build or publish folder (natives either in runtimes/linux-x64/native/ or beside the app)
set -euo pipefail
output_dir=${1%/}
cache_dir=$2
native_dir="$output_dir/runtimes/linux-x64/native"
[ -f "$native_dir/libLibTorchSharp.so" ] || native_dir="$output_dir"
lib="$native_dir/libLibTorchSharp.so"
shim_name=libkinema_glibcxx_shim.so
here=$(cd "$(dirname "$0")" && pwd)

[ -f "$lib" ] || exit 0
[ "$(uname -s)" = Linux ] || exit 0

system_libstdcxx=$( (/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null) | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
if [ -n "$system_libstdcxx" ] && grep -q 'GLIBCXX_3\.4\.32' "$system_libstdcxx"; then
  exit 0
fi
# Already patched (a previous build of this output folder)?
if [ -f "$native_dir/$shim_name" ] && readelf -d "$lib" 2>/dev/null | grep -q "$shim_name"; then
  exit 0
fi

for tool in patchelf g++ python3 readelf; do
  if ! command -v "$tool" >/dev/null; then
    echo "error KINEMA001: this system's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp needs; patching it requires '$tool' (Debian/Ubuntu: apt-get install patchelf g++ python3 binutils)" >&2
    exit 1
  fi
done

sum=$(sha256sum "$lib" | cut -c1-16)
cached="$cache_dir/$sum"
if [ ! -f "$cached/libLibTorchSharp.so" ] || [ ! -f "$cached/$shim_name" ]; then
  mkdir -p "$cache_dir"
  work=$(mktemp -d "$cache_dir/tmp.XXXXXX")
  cp "$lib" "$work/libLibTorchSharp.so"
  python3 "$here/mark_version_weak.py" "$work/libLibTorchSharp.so" GLIBCXX_3.4.32 >/dev/null
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$work/libLibTorchSharp.so"
  patchelf --add-needed "$shim_name" "$work/libLibTorchSharp.so"
  g++ -shared -fPIC -O2 -o "$work/$shim_name" "$here/glibcxx_shim.cpp"
  rm -rf "$cached"
  mv "$work" "$cached"
fi
# Replace, never overwrite: the output file may be a hard link into the package cache.
cp "$cached/libLibTorchSharp.so" "$native_dir/.libLibTorchSharp.so.tmp"
mv -f "$native_dir/.libLibTorchSharp.so.tmp" "$lib"
cp "$cached/$shim_name" "$native_dir/.$shim_name.tmp"
mv -f "$native_dir/.$shim_name.tmp" "$native_dir/$shim_name"
echo "kinema: patched libLibTorchSharp.so for libstdc++ without GLIBCXX_3.4.32 ($native_dir)"
