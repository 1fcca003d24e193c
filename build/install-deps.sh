#!/usr/bin/env bash
# Installs the system packages Kinema uses on Debian/Ubuntu: ffmpeg (MP4 output; without it videos
# fall back to GIF) and, where libstdc++ predates GLIBCXX_3.4.32, patchelf + g++ for the TorchSharp
# compatibility patch (build/glibcxx-compat). Needs the .NET 10 SDK already installed.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v patchelf >/dev/null || need+=(patchelf)
command -v g++ >/dev/null || need+=(g++)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: everything present"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-deps: please install: ${need[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-deps: installed ${need[*]}"
