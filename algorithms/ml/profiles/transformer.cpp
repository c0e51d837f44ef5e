// Transformer encoders and decoders of d = 768, 12 layers, 12 heads, a
// 4d feed-forward: BERT-base (Devlin et al. 2019; encoder and pooler, the
// 110M model, without the pre-training heads) and GPT-2 small (Radford et
// al. 2019, the 124M model; its output projection is tied to the token
// embedding, so it adds FLOPs but no parameters). One sample is one sequence
// of `sequence_length` tokens.
#include <stdexcept>
#include <string>

#include "algorithms/ml/profiles/layer_shapes.h"

namespace ml {
namespace {

constexpr int kWidth = 768;
constexpr int kLayers = 12;
constexpr int kFeedForward = 4 * kWidth;
constexpr std::int64_t kNorm = 2 * kWidth;  // a layer norm's scale and shift

ProfileLayer embedding(const std::string& name, std::int64_t parameters, int tokens) {
  ProfileLayer l;
  l.name = name;
  l.kind = LayerKind::embedding;
  l.parameters = parameters;
  // A lookup (and a sum of the position embedding): no multiply-adds.
  l.activation_bytes = static_cast<std::int64_t>(tokens) * kWidth * 4;
  return l;
}

// Attention's two matrix products per head, summed over heads: the scores
// Q K^T (L x L x d multiply-adds) and their weighted sum of V (the same).
ProfileLayer attention(const std::string& name, int tokens) {
  ProfileLayer l;
  l.name = name;
  l.kind = LayerKind::attention;
  const double l2 = static_cast<double>(tokens) * tokens;
  l.forward_flops = 2.0 * 2.0 * l2 * kWidth;
  l.backward_flops = shapes::default_backward(l.forward_flops);
  l.activation_bytes = static_cast<std::int64_t>(l2 * 12 * 4 + tokens * kWidth * 4.0);
  return l;
}

// One block. Its two layer norms (after their sublayers in BERT, before
// them in GPT-2) have parameters but no multiply-adds: they ride with the
// qkv and ffn.in layers.
void block(LayerProfile& p, int index, int tokens) {
  const std::string prefix = "layer" + std::to_string(index) + ".";
  p.layers.push_back(
      shapes::linear(prefix + "attention.qkv", kWidth, 3 * kWidth, tokens, true, kNorm));
  p.layers.push_back(attention(prefix + "attention.scores", tokens));
  p.layers.push_back(shapes::linear(prefix + "attention.output", kWidth, kWidth, tokens));
  p.layers.push_back(shapes::linear(prefix + "ffn.in", kWidth, kFeedForward, tokens, true, kNorm));
  p.layers.push_back(shapes::linear(prefix + "ffn.out", kFeedForward, kWidth, tokens));
}

void check_length(int tokens, int most, const char* model) {
  if (tokens < 1 || tokens > most) {
    throw std::invalid_argument(std::string(model) + " takes sequences of 1 to " +
                                std::to_string(most) + " tokens, got " + std::to_string(tokens));
  }
}

}  // namespace

LayerProfile bert_base(int sequence_length) {
  check_length(sequence_length, 512, "bert_base");
  LayerProfile p;
  p.name = "bert_base";
  // Token (30522), position (512) and segment (2) embeddings, and their norm.
  p.layers.push_back(
      embedding("embeddings", (30522LL + 512 + 2) * kWidth + kNorm, sequence_length));
  for (int i = 0; i < kLayers; ++i) block(p, i, sequence_length);
  p.layers.push_back(shapes::linear("pooler", kWidth, kWidth, 1));  // the first token only
  return p;
}

LayerProfile gpt2_small(int sequence_length) {
  check_length(sequence_length, 1024, "gpt2_small");
  LayerProfile p;
  p.name = "gpt2_small";
  p.layers.push_back(embedding("embeddings", (50257LL + 1024) * kWidth, sequence_length));
  for (int i = 0; i < kLayers; ++i) block(p, i, sequence_length);
  // The final norm, and the output projection tied to the token embedding.
  p.layers.push_back(shapes::linear("lm_head", kWidth, 50257, sequence_length, false, 0));
  p.layers.back().parameters = kNorm;
  return p;
}

}  // namespace ml
