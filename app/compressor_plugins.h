// The parse functions of the lossy compressors (`compressor:` inside
// `algorithm:`; compression.md): each validates its keys and returns a
// factory with every parameter resolved. Registered in plugin_registry.cpp.
#pragma once

#include "algorithms/runtime/compressor.h"
#include "app/config_node.h"

namespace app {

// {kind: topk | randk, fraction: F | count: K, error_feedback: B}
algo::CompressorFactory parse_topk(const ConfigNode& node);
algo::CompressorFactory parse_randk(const ConfigNode& node);
// {kind: qsgd, levels: S, error_feedback: B}
algo::CompressorFactory parse_qsgd(const ConfigNode& node);
// sign, or {kind: sign, error_feedback: B}
algo::CompressorFactory parse_sign(const ConfigNode& node);

}  // namespace app
