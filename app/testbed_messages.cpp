#include "app/testbed_messages.h"

#include <cstdio>
#include <map>

namespace app::testbed {

std::string messages_csv(const Plan& plan, const OpTimes& measured) {
  struct Row {
    int from = -1, to = -1;
    std::int64_t bytes = 0;
    sim::Time predicted_send = 0, predicted_delivery = 0, measured_send = 0, measured_delivery = 0;
  };
  std::map<std::uint64_t, Row> rows;
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    for (std::size_t i = 0; i < plan.ops[h].size(); ++i) {
      const Op& op = plan.ops[h][i];
      if (op.kind == Op::Kind::compute) continue;
      Row& r = rows[op.message];
      r.bytes = op.bytes;
      if (op.kind == Op::Kind::send) {
        r.from = static_cast<int>(h);
        r.to = op.peer;
        r.predicted_send = op.sim_time;
        r.measured_send = measured[h][i];
      } else {
        r.predicted_delivery = op.sim_time;
        r.measured_delivery = measured[h][i];
      }
    }
  }
  std::string out =
      "message,from,to,bytes,predicted_send_s,predicted_delivery_s,measured_send_s,"
      "measured_delivery_s\n";
  for (const auto& [message, r] : rows) {
    char line[256];
    std::snprintf(line, sizeof line, "%llu,%d,%d,%lld,%.9f,%.9f,%.9f,%.9f\n",
                  static_cast<unsigned long long>(message), r.from, r.to,
                  static_cast<long long>(r.bytes), static_cast<double>(r.predicted_send) * 1e-9,
                  static_cast<double>(r.predicted_delivery) * 1e-9,
                  static_cast<double>(r.measured_send) * 1e-9,
                  static_cast<double>(r.measured_delivery) * 1e-9);
    out += line;
  }
  return out;
}

}  // namespace app::testbed
