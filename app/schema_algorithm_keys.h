// Keys that several algorithm kinds share, and the parts of the algorithm
// schema defined in their own files; used only by app/schema_*.cpp, which
// assemble the `algorithm:` sections (app/schema.h says how keys are added).
#pragma once

#include <string>
#include <vector>

#include "app/schema.h"

namespace app::schema {

Key kind_key(const std::string& kind);
Key label_key();
Key workers_key();
Key batch_key();
Key assignment_key();
Key aggregator_key();
Key compressor_key();

// The federated kinds' sections (schema_federated.cpp) and the plug-ins'
// (schema_plugins.cpp), in the reference's order.
std::vector<Section> federated_sections();
std::vector<Section> plugin_sections();

}  // namespace app::schema
