#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's redis-server (Redis state backend tests) and
# chromium (report.html is checked in a real headless browser). Runs before `npm test`; a no-op when present.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "ensure-test-deps: installing ${need[*]} (Debian packages)" >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "ensure-test-deps: cannot install ${need[*]}: run as root: apt-get update && apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# apt's output (~100 lines) goes to a log in a temp folder, printed only when the install fails
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/sf-test-deps-XXXXXX")"
log="$log_dir/apt.log"
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-test-deps: installing ${need[*]} failed (log above, kept in $log)" >&2
  exit 1
fi
rm -rf "$log_dir"
for c in redis-server chromium; do command -v "$c" >/dev/null 2>&1 || { echo "ensure-test-deps: $c still missing" >&2; exit 1; }; done
echo "ensure-test-deps: installed ${need[*]}" >&2
