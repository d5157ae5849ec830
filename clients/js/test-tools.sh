#!/usr/bin/env bash
# Readies what the browser SDK's tests (BrowserSdkIT, `npm test` here) need, so that `./mvnw verify` needs nothing
# done by hand. Maven runs it before the integration tests (exec-maven-plugin in herald-server's pom).
#  1. playwright-core from the lock file: `npm ci` when node_modules is missing or holds another version.
#  2. Chromium: $CHROMIUM, /usr/bin/chromium, chromium-browser or google-chrome; when none is found and we run as
#     root with apt-get, Debian's `chromium` is installed; otherwise one line says which command to run.
# Writes the chosen browser's path to the file named by $1. Never skips: a missing tool fails the build.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: test-tools.sh <file to write the Chromium path to>}
# Maven passes its skip switches (-DskipTests, -DskipITs, -Dmaven.test.skip) glued together: any "true" skips.
case "${HERALD_SKIP_TEST_TOOLS:-}" in *true*) echo "test-tools: skipped with the integration tests"; exit 0 ;; esac

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "test-tools: Node.js 20+ and npm are needed to test the browser SDK: apt-get install -y nodejs npm" >&2; exit 1; }

locked=$(node -p "require('$HERE/package-lock.json').packages['node_modules/playwright-core'].version")
installed=$(node -p "try { require('$HERE/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$locked" != "$installed" ]; then
  echo "test-tools: npm ci in clients/js (playwright-core $locked)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

find_chromium() {
  local candidate
  for candidate in "${CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium-browser || true)" "$(command -v google-chrome || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

if ! browser=$(find_chromium); then
  if [ -n "${CHROMIUM:-}" ]; then
    echo "test-tools: CHROMIUM=$CHROMIUM is not an executable file" >&2; exit 1
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test-tools: installing Debian's chromium (apt-get install -y chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
    browser=$(find_chromium) || { echo "test-tools: chromium was installed but is not at /usr/bin/chromium" >&2; exit 1; }
  else
    echo "test-tools: no Chromium found for the browser SDK's tests: run 'sudo apt-get install -y chromium' (or set CHROMIUM=/path/to/chrome)" >&2
    exit 1
  fi
fi
mkdir -p "$(dirname "$OUT")"
echo "$browser" > "$OUT"
echo "test-tools: Node $(node --version), playwright-core $locked, $("$browser" --version 2>/dev/null || echo "$browser")"
