#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format 14 makes of it
# with the repository's .clang-format (100 columns, Google style, includes
# left in their written order). Fix with: scripts/check-format.sh --fix
# Runs as the ctest test `format` (label docs), so the suite enforces it.
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ]; then
  echo "check-format.sh: clang-format 14 is not installed (scripts/setup-debian.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  "$format" -i "${files[@]}"
  exit 0
fi
if ! "$format" --dry-run --Werror "${files[@]}" 2> /tmp/check-format.$$; then
  grep -o '^[^:]*:[0-9]*:' /tmp/check-format.$$ | sort -u | head -20 >&2
  echo "check-format.sh: the files above are not clang-formatted; run scripts/check-format.sh --fix" >&2
  rm -f /tmp/check-format.$$
  exit 1
fi
rm -f /tmp/check-format.$$
# clang-format cannot break a string literal (a scenario held in a raw
# string), so the 100-column limit is checked on its own.
long=$(awk 'length > 100 {print FILENAME ":" FNR}' "${files[@]}")
if [ -n "$long" ]; then
  echo "$long" >&2
  echo "check-format.sh: the lines above are longer than 100 columns" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files formatted, none over 100 columns"
