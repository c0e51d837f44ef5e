#!/usr/bin/env bash
# Writes an IDX data folder DIR whose float32 features hold a NaN (sample 1,
# byte 36): the loader reads only the features' header, so the scenario loads
# and the run fails. Tests use it for "fails at run time, not at load".
set -euo pipefail
dir=$1
mkdir -p "$dir"
/usr/bin/python3 -c 'import struct, sys
values = [1.0] * 5 + [float("nan")] + [1.0] * 2
open(sys.argv[1], "wb").write(struct.pack(">IIII", 0xD03, 2, 2, 2) + struct.pack(">8f", *values))' \
  "$dir/train-images-idx3-ubyte"
cp "$dir/train-images-idx3-ubyte" "$dir/t10k-images-idx3-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x01\x09' >"$dir/train-labels-idx1-ubyte"
cp "$dir/train-labels-idx1-ubyte" "$dir/t10k-labels-idx1-ubyte"
