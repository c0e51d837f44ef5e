// Host names "h0", "h1", ... for topology tests.
#pragma once

#include <string>
#include <vector>

inline std::vector<std::string> host_names(int n) {
  std::vector<std::string> result;
  for (int i = 0; i < n; ++i) result.push_back(std::string("h").append(std::to_string(i)));
  return result;
}
