// libFuzzer entry point for fuzz::csv (see fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::csv({data, size});
  return 0;
}
