// What a Byzantine worker or client does instead of its honest part, set per
// node group (`cluster: {GROUP: {byzantine: {kind: ..., ...}}}`).
//
// Every kind but label_flip changes the vector the node contributes to a
// server's aggregation (ByzantineAggregation applies it where the server
// receives it, see byzantine_aggregation.h); label_flip changes what the node
// trains on (Replica: every label y of its batches becomes K - 1 - y).
// With x the node's honest contribution (a gradient; for a FedAvg client its
// model minus the global model) and the honest mean and per-coordinate
// standard deviation mu, s over the honest contributions of the same
// aggregation:
//   sign_flip  sends -c * x                      (`scale: c`, default 1)
//   scale      sends  c * x                      (`scale: c`, required)
//   gaussian   sends  N(0, std^2) per coordinate (`std`, default 1), from the
//              node's own stream
//   alie       sends  mu - z * s ("a little is enough", Baruch et al. 2019;
//              `z`, default 1): every attacker sends the same vector, which
//              stays inside the honest spread per coordinate
//   label_flip trains on labels K - 1 - y (no keys)
#pragma once

#include <string>
#include <string_view>

namespace algo {

enum class AttackKind { sign_flip, scale, gaussian, alie, label_flip };

struct AttackSpec {
  AttackKind kind = AttackKind::sign_flip;
  double scale = 1.0;   // sign_flip, scale: c
  double stddev = 1.0;  // gaussian
  double z = 1.0;       // alie
  // label_flip acts in training; the others on the contribution sent.
  bool acts_on_contribution() const { return kind != AttackKind::label_flip; }
};

inline std::string_view attack_name(AttackKind kind) {
  switch (kind) {
    case AttackKind::sign_flip:
      return "sign_flip";
    case AttackKind::scale:
      return "scale";
    case AttackKind::gaussian:
      return "gaussian";
    case AttackKind::alie:
      return "alie";
    case AttackKind::label_flip:
      return "label_flip";
  }
  return "";
}

}  // namespace algo
