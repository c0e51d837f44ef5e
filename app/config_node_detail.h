// Small helpers shared by config_node.cpp and config_document.cpp (positions,
// quoting, key paths); internal to ConfigNode.
#pragma once

#include <string>
#include <string_view>

#include "app/config_node.h"

namespace app::config_detail {

// 1-based, 0 when unknown (yaml-cpp marks are 0-based, -1 when unknown).
inline int one_based(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

// Throws a ScenarioError at a yaml-cpp mark (a key, say, rather than a node).
[[noreturn]] inline void fail_at(const std::string& file, const YAML::Mark& mark,
                                 const std::string& key_path, const std::string& message) {
  throw ScenarioError(file, one_based(mark.line), one_based(mark.column), key_path, message);
}

inline std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// "a.b" + "c" = "a.b.c"; "" + "c" = "c".
inline std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace app::config_detail
