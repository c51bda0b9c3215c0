#!/usr/bin/env bash
# Refreshes the vendored Det Fælles Designsystem (npm dkfds) under
# web/vendor/dkfds and axe-core (npm axe-core) under
# tests/browser/testdata from the npm registry. The files are copied
# unchanged; only what the app uses is kept. Run it by hand when upgrading;
# nothing is ever fetched at run time or by the build.
set -euo pipefail
DKFDS_VERSION="${DKFDS_VERSION:-11.2.0}"
AXE_VERSION="${AXE_VERSION:-4.14.1}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
(cd "$build" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  "dkfds@$DKFDS_VERSION" "axe-core@$AXE_VERSION" >/dev/null)
src="$build/node_modules/dkfds/dist"
dst="$here/web/vendor/dkfds"
rm -rf "$dst"
mkdir -p "$dst/css" "$dst/js" "$dst/img" "$dst/fonts/IBMPlexSans/complete"
cp "$build/node_modules/dkfds/LICENSE.md" "$dst/LICENSE.md"
cp "$build/node_modules/dkfds/package.json" "$dst/package.json"
cp "$src/css/dkfds-virkdk.min.css" "$src/css/dkfds-borgerdk.min.css" "$dst/css/"
cp "$src/js/dkfds.min.js" "$dst/js/"
cp "$src/img/all-svg-icons.svg" "$src/img/logo_virk.svg" "$src/img/logo-borgerdk.svg" "$src/img/logo-placeholder.png" "$dst/img/"
cp -r "$src/img/svg-icons" "$dst/img/"
# The fonts the stylesheets reference (woff2 and woff of the weights in use,
# the regular eot/ttf fallbacks) and the font license.
for kind in woff2 woff; do
  mkdir -p "$dst/fonts/IBMPlexSans/complete/$kind"
  for f in $(grep -o "IBMPlexSans/complete/$kind/[A-Za-z-]*\.$kind" "$src/css/dkfds-virkdk.min.css" "$src/css/dkfds-borgerdk.min.css" | sed 's/.*\///' | sort -u); do
    cp "$src/fonts/IBMPlexSans/complete/$kind/$f" "$dst/fonts/IBMPlexSans/complete/$kind/"
  done
  cp "$src/fonts/IBMPlexSans/complete/$kind/license.txt" "$dst/fonts/IBMPlexSans/complete/$kind/"
done
mkdir -p "$dst/fonts/IBMPlexSans/complete/eot" "$dst/fonts/IBMPlexSans/complete/ttf"
cp "$src/fonts/IBMPlexSans/complete/eot/IBMPlexSans-Regular.eot" "$dst/fonts/IBMPlexSans/complete/eot/"
cp "$src/fonts/IBMPlexSans/complete/ttf/IBMPlexSans-Regular.ttf" "$dst/fonts/IBMPlexSans/complete/ttf/"
# axe-core for the browser tests (injected locally, never from a CDN).
axe="$root/tests/browser/testdata"
mkdir -p "$axe"
cp "$build/node_modules/axe-core/axe.min.js" "$axe/axe.min.js"
cp "$build/node_modules/axe-core/LICENSE" "$axe/axe-core.LICENSE"
echo "vendored dkfds $DKFDS_VERSION into $dst and axe-core $AXE_VERSION into $axe"
