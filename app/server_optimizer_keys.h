// `server_optimizer:` inside a federated `algorithm:` map: the server's step
// after aggregating (algorithms/runtime/server_optimizer.h), written as a
// name (`server_optimizer: fedadam`) or a map with `kind` and its keys.
#pragma once

#include "algorithms/runtime/server_optimizer.h"
#include "app/config_node.h"

namespace app {

// The factory for `node`'s `server_optimizer` key; null when the key is
// absent or `none`. Errors at file:line:col with a did-you-mean.
algo::ServerOptimizerFactory load_server_optimizer(const ConfigNode& node);

}  // namespace app
