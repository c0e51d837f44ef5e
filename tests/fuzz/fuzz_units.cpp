// libFuzzer entry point for fuzz::units (see fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::units({data, size});
  return 0;
}
