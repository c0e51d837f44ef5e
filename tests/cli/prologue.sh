# Sourced first by the CLI test scripts, with their arguments:
#   source prologue.sh SYNCSIM_BINARY SOURCE_DIR CASE
# Strict mode, the three arguments, a scratch folder removed at exit, fail().
set -euo pipefail
syncsim=$1
src=$2
case_name=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
