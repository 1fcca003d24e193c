#!/usr/bin/env bash
# Installs the independent C2PA reader used by tests/Kinema.Responsibility.Tests: the C2PA project's
# c2pa-rs SDK compiled to WebAssembly (npm @contentauth/c2pa-wasm; the .wasm ships inside the npm
# package, nothing else is downloaded). Exact versions come from the committed package-lock.json.
# Without it those tests are skipped with a message saying to run this script.
set -euo pipefail
cd "$(dirname "$0")/../tests/Kinema.Responsibility.Tests/js"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: install Node.js (20 or newer) to run the independent C2PA read-back tests" >&2
  exit 1
fi
npm ci --no-audit --no-fund --ignore-scripts
