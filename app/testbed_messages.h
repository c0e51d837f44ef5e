// messages.csv of a testbed run (docs/testbed.md): every replayed message
// with its simulated and its measured send and delivery, so a run can be
// compared message by message, or its measured sends replayed through the
// model (analysis/testbed_replay.py).
#pragma once

#include <string>

#include "app/testbed_plan.h"

namespace app::testbed {

// One row per message, in message-number order: message, from, to, bytes,
// predicted_send_s, predicted_delivery_s, measured_send_s,
// measured_delivery_s. `measured` holds the times of `plan`'s ops as
// run_plan returns them.
std::string messages_csv(const Plan& plan, const OpTimes& measured);

}  // namespace app::testbed
