// The schema of the plug-ins an algorithm entry may name (aggregators,
// compressors) and of the Byzantine attacks a cluster group may run
// (docs/extending.md, docs/robustness-and-privacy.md, docs/compression.md).
#include "app/schema.h"
#include "app/schema_algorithm_keys.h"

namespace app::schema {

std::vector<Section> plugin_sections() {
  return {
      {"plugin",
       "aggregator / compressor (map form, a plug-in without keys)",
       "`aggregator: mean` and `aggregator: {kind: mean}` are the same. Plug-ins with keys of "
       "their own have sections below.",
       {
           {"kind", "string", "", "required", "a registered plug-in name", "the plug-in"},
       }},
      {"aggregator.trimmed_mean",
       "aggregator (kind: trimmed_mean)",
       "Per coordinate, drop the floor(beta n) smallest and largest values and average the rest "
       "(docs/robustness-and-privacy.md).",
       {
           {"kind", "string", "", "required", "trimmed_mean", "the rule"},
           {"beta", "number", "fraction", "required", "[0, 0.5)", "fraction trimmed from each end"},
       }},
      {"aggregator.krum",
       "aggregator (kind: krum)",
       "The contribution with the smallest sum of squared distances to its n - f - 2 nearest "
       "others.",
       {
           {"kind", "string", "", "required", "krum", "the rule"},
           {"f", "integer", "attackers", "required", ">= 0", "attackers assumed"},
       }},
      {"aggregator.multi_krum",
       "aggregator (kind: multi_krum)",
       "The mean of the m best contributions by Krum's score.",
       {
           {"kind", "string", "", "required", "multi_krum", "the rule"},
           {"f", "integer", "attackers", "required", ">= 0", "attackers assumed"},
           {"m", "integer", "contributions", "required", "1 .. 1000000", "how many are averaged"},
       }},
      {"aggregator.geometric_median",
       "aggregator (kind: geometric_median)",
       "Fixed-iteration Weiszfeld, started at the mean: deterministic.",
       {
           {"kind", "string", "", "required", "geometric_median", "the rule"},
           {"iterations", "integer", "", "10", "0 .. 1000", "Weiszfeld steps"},
       }},
      {"aggregator.centered_clipping",
       "aggregator (kind: centered_clipping)",
       "Karimireddy et al. 2021: clip each contribution's distance to the last aggregate at tau.",
       {
           {"kind", "string", "", "required", "centered_clipping", "the rule"},
           {"tau", "number", "L2 norm", "required", "> 0", "clipping radius"},
           {"iterations", "integer", "", "1", "1 .. 1000", "clipping iterations"},
       }},
      {"byzantine.sign_flip",
       "cluster.<group>.byzantine (kind: sign_flip)",
       "Sends -c times its honest part.",
       {
           {"kind", "string", "", "required", "sign_flip", "the attack"},
           {"scale", "number", "", "1", ">= 0", "c"},
       }},
      {"byzantine.scale",
       "cluster.<group>.byzantine (kind: scale)",
       "Sends c times its honest part.",
       {
           {"kind", "string", "", "required", "scale", "the attack"},
           {"scale", "number", "", "required", "any", "c"},
       }},
      {"byzantine.gaussian",
       "cluster.<group>.byzantine (kind: gaussian)",
       "Sends Gaussian noise from the node's own stream.",
       {
           {"kind", "string", "", "required", "gaussian", "the attack"},
           {"std", "number", "", "1", ">= 0", "standard deviation per coordinate"},
       }},
      {"byzantine.alie",
       "cluster.<group>.byzantine (kind: alie)",
       "A little is enough (Baruch et al. 2019): the honest mean minus z times the honest "
       "per-coordinate standard deviation.",
       {
           {"kind", "string", "", "required", "alie", "the attack"},
           {"z", "number", "", "1", "any", "z"},
       }},
      {"compressor.sparsifier",
       "compressor (kind: topk or randk)",
       "Keep k elements: the largest in magnitude (topk) or a uniform random choice from the "
       "sender's own stream (randk). Give fraction or count. docs/compression.md.",
       {
           {"kind", "string", "", "required", "topk, randk", "the sparsifier"},
           {"fraction", "number", "fraction of elements", "none (this or count)", "(0, 1]",
            "keep ceil(fraction x n) elements, at least 1"},
           {"count", "integer", "elements", "none (this or fraction)", ">= 1",
            "keep min(count, n) elements"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
      {"compressor.qsgd",
       "compressor (kind: qsgd)",
       "Stochastic quantisation to s levels per sign (QSGD), rounding from the sender's own "
       "stream. docs/compression.md.",
       {
           {"kind", "string", "", "required", "qsgd", "the quantiser"},
           {"levels", "integer", "levels", "required", "1 .. 2147483647", "s"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
      {"compressor.sign",
       "compressor (kind: sign)",
       "One bit per element and one scale (the mean magnitude). docs/compression.md.",
       {
           {"kind", "string", "", "required", "sign", "scaled sign"},
           {"error_feedback", "bool", "", "false", "true, false",
            "add what was not sent to the next vector"},
       }},
  };
}

}  // namespace app::schema
