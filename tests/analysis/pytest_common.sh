# Sourced by the run_*tests.sh scripts: run one pytest file with Debian's
# python3 (headless matplotlib, no caches or bytecode left behind) and fail
# if it collected no test, so a renamed file cannot pass by running nothing.
#   run_pytest WORK_DIR TEST_FILE
run_pytest() {
  local work=$1 test_file=$2 rc
  export PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg MPLCONFIGDIR="$work/mpl"
  set +e
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$test_file"
  rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then
    echo "$(basename "$test_file"): pytest collected no tests" >&2
    return 1
  fi
  return "$rc"
}
