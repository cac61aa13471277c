#!/usr/bin/env bash
# Publishability: each package as npm would pack it, checked by publint (--strict: warnings fail)
# and by Are The Types Wrong (attw --pack: every resolution mode — node10, node16 from CJS and
# from ESM, bundler — must find working types for every entry point). Needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
for package in core pkgr runtimes fleet cli-lite; do
  echo "== @deploykit/$package"
  npx --no-install publint --strict "packages/$package"
  (cd "packages/$package" && npx --no-install attw --pack . --format table-flipped)
done
