#!/usr/bin/env bash
# Measures what installing the published package costs: `npm pack`, then `npm install <tarball>` into an empty temp
# folder; prints the tarball size, the installed node_modules size and the number of installed packages (synthfilter
# included). Targets (issue 17): <= 25 MB and <= 30 packages.
# Usage: bash scripts/measure-pack.sh [--json]     (needs the npm registry or a warm npm cache)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sf-pack-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" 2>"$work/pack.log" | tail -n 1)" || { cat "$work/pack.log" >&2; exit 1; }
mkdir "$work/app"
cd "$work/app"
echo '{"name":"sf-pack-measure","version":"0.0.0","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
tar_bytes=$(stat -c %s "$work/$tarball")
nm_bytes=$(du -sb node_modules | cut -f1)
# every installed package, nested ones included (each has a package.json with a name directly under node_modules)
packages=$(find node_modules -name package.json -not -path '*/node_modules/*/node_modules/*/*/*' \
  | grep -E 'node_modules/(@[^/]+/)?[^/@]+/package.json$' | wc -l)
list=$(npm ls --all --parseable 2>/dev/null | tail -n +2 | sed "s|$work/app/node_modules/||" | sort | tr '\n' ' ')
if [ "${1:-}" = "--json" ]; then
  printf '{"tarball_bytes":%s,"installed_bytes":%s,"packages":%s}\n' "$tar_bytes" "$nm_bytes" "$packages"
else
  echo "tarball:   $tarball $(awk "BEGIN{printf \"%.2f\", $tar_bytes/1e6}") MB"
  echo "installed: $(awk "BEGIN{printf \"%.1f\", $nm_bytes/1e6}") MB in node_modules, $packages packages"
  echo "packages:  $list"
fi
