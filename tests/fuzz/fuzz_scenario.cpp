// libFuzzer entry point for fuzz::scenario (see fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::scenario({data, size});
  return 0;
}
