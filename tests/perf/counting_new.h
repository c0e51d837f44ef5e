// Counts every heap allocation of the test binary: the replacement global
// operator new in counting_new.cpp bumps it. Single-threaded tests read it
// around a steady-state stretch to prove the stretch allocates nothing.
#pragma once

#include <cstdint>

namespace perf {

std::uint64_t heap_allocations();  // since the program started

}  // namespace perf
