// The bodies of the libFuzzer targets, shared by the fuzzers (built with
// clang, SYNCSIM_FUZZ=ON) and by the regression test that replays every kept
// input in the normal unit suite (any compiler).
//
// Each function feeds one input to one parser the way the syncsim command
// would, swallows the errors a user is meant to see (ScenarioError, UnitError,
// DataError) and checks what a successful parse promises. Anything else
// escaping is a bug: an unexpected exception type, or fuzz::Bug for a broken
// promise. Under libFuzzer an escaping exception aborts, which is a crash.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>

namespace fuzz {

struct Bug : std::logic_error {
  using std::logic_error::logic_error;
};

// The scenario loader on YAML text (file name "fuzz.yaml"); a scenario that
// loads and has at most 64 nodes also gets its topology built, as `run` and
// `topology` do. Never touches the filesystem.
void scenario(std::span<const std::uint8_t> input);

// The four unit parsers (bytes, bandwidth, duration, FLOP rate) on the text:
// a value they return is finite and not negative.
void units(std::span<const std::uint8_t> input);

// The IDX reader (fuzz_idx_target.cpp, needs only syncsim_ml). The input is an images file and a
// labels file, split after the first byte pair (a big-endian length of the images part); both are
// written to a private temporary folder and loaded (gzip or plain). A loaded
// dataset has one label in [0, num_classes) per row, num_classes at most
// ml::kMaxClasses, and finite features (unsigned-byte pixels in [0, 1]).
void idx(std::span<const std::uint8_t> input);

// The CSV dataset reader (fuzz_csv_target.cpp, needs only syncsim_ml). The
// first byte picks the columns (bits 0-1: client column none, required or
// optional; bit 2: label column "y" instead of "label"); the rest is the
// file. scan_csv and load_csv accept and refuse the same files and agree on
// rows, features, classes and clients; a loaded dataset keeps the Dataset
// invariant with finite features.
void csv(std::span<const std::uint8_t> input);

}  // namespace fuzz
