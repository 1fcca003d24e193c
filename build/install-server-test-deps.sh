#!/usr/bin/env bash
# Installs what the kinema serve tests drive the server with: the openai and playwright-core npm
# packages (exact versions from tests/Kinema.Server.Tests/js/package-lock.json) and Debian's Chromium.
# Safe to run again; without it those tests are reported as skipped, with the reason.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js="$root/tests/Kinema.Server.Tests/js"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
# Chromium from the distribution; playwright-core never downloads a browser.
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi

if [ ! -d "$js/node_modules/openai" ] || [ ! -d "$js/node_modules/playwright-core" ] || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "server test dependencies ready: node $(node --version), $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing')"
