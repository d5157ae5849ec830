#!/usr/bin/env bash
# Readies what the Pusher compatibility tests (PusherCompatIT, `npm test` here) need, so that `./mvnw verify` needs
# nothing done by hand: the npm packages at the versions of package-lock.json (Chromium is clients/js/test-tools.sh's) (`npm ci` when node_modules is missing
# or holds another version of one of them). Maven runs it before the integration tests (herald-server's pom).
# Never skips: a missing tool fails the build.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Maven passes its skip switches (-DskipTests, -DskipITs, -Dmaven.test.skip) glued together: any "true" skips.
case "${HERALD_SKIP_TEST_TOOLS:-}" in *true*) echo "pusher-compat test-tools: skipped with the integration tests"; exit 0 ;; esac

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "pusher-compat test-tools: Node.js 20+ and npm are needed for the Pusher compatibility tests: apt-get install -y nodejs npm" >&2; exit 1; }

stale=
for package in pusher-js laravel-echo pusher playwright-core; do
  locked=$(node -p "require('$HERE/package-lock.json').packages['node_modules/$package'].version")
  installed=$(node -p "try { require('$HERE/node_modules/$package/package.json').version } catch { '' }")
  [ "$locked" = "$installed" ] || stale="$stale $package@$locked"
done
if [ -n "$stale" ]; then
  echo "pusher-compat test-tools: npm ci in clients/pusher-compat ($stale )"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "pusher-compat test-tools: Node $(node --version), $(cd "$HERE" && node -p "['pusher-js','laravel-echo','pusher','playwright-core'].map(p => p + ' ' + require('./node_modules/' + p + '/package.json').version).join(', ')")"
