#include "run/scenario.h"

namespace syncsim {

std::vector<std::string> node_names(const NodeGroup& group) {
  if (group.count == 1) return {group.name};
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(group.count));
  for (int i = 0; i < group.count; ++i) names.push_back(group.name + std::to_string(i));
  return names;
}

}  // namespace syncsim
