#!/usr/bin/env bash
# Installs every Debian 12 package syncsim needs to build, test, benchmark and
# plot. Idempotent: apt-get skips what is already installed. Run as root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian.sh: run as root (it calls apt-get install)" >&2
  exit 1
fi

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries (DESIGN.md: Boost.Graph, Eigen, yaml-cpp, Catch2, Google Benchmark)
  libboost-graph-dev libeigen3-dev libyaml-cpp-dev catch2 libbenchmark-dev
  # CLI parsing (CLI11) and gzip reading of IDX files (zlib)
  libcli11-dev zlib1g-dev
  # the default dataset: Fashion-MNIST as gzipped IDX under /usr/share/datasets
  dataset-fashion-mnist
  # analysis/ (plots and reports from the CSV outputs) and its tests
  python3 python3-matplotlib python3-pandas python3-pytest
  # `syncsim topology --dot` pictures and the HTML reports: rendered by tests
  graphviz chromium
  # the fuzz preset: clang 14 and its libFuzzer runtime (tests/fuzz/)
  clang-14 libclang-rt-14-dev
  # the `format` test (scripts/check-format.sh)
  clang-format-14
  # `syncsim sweep --slurm` against a real one-node cluster (tests/slurm/)
  slurm-wlm munge
)

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup-debian.sh: all ${#packages[@]} packages present"
