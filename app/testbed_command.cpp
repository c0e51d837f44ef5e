// syncsim testbed, calibrate and the hidden testbed-node (app/testbed_command.h).
#include "app/testbed_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/commands.h"
#include "app/scenario_loader.h"
#include "app/testbed_calibration.h"
#include "app/testbed_messages.h"
#include "app/testbed_network.h"
#include "app/testbed_node.h"
#include "app/testbed_plan.h"
#include "app/testbed_report.h"
#include "app/testbed_runner.h"
#include "run/run.h"
#include "run/scenario_error.h"
#include "run/world.h"

namespace app {
namespace {

using testbed::OpTimes;
using testbed::Plan;

// What a testbed may move: enough for minutes of traffic at the rates it
// is meant for, not a model's whole training.
constexpr std::int64_t kMaxBytes = std::int64_t{4} << 30;
constexpr std::int64_t kMaxMessages = 200'000;

syncsim::Scenario load_for_testbed(const std::string& path) {
  syncsim::Scenario s = load_scenario(path);
  if (s.algorithms.size() != 1) {
    throw syncsim::ScenarioError(s.file, 0, 0, "algorithms",
                                 "a testbed replays one algorithm; this scenario has " +
                                     std::to_string(s.algorithms.size()));
  }
  if (s.topology.kind != "star" && s.topology.kind != "tree") {
    throw syncsim::ScenarioError(
        s.file, 0, 0, "topology.kind",
        "a testbed builds star and tree topologies, not '" + s.topology.kind + "'");
  }
  s.timing_only = true;    // the math is not replayed
  s.outputs.trace = true;  // records every message and compute span
  s.outputs.events = false;
  s.outputs.links = false;
  return s;
}

// The recorded schedule of the scenario, refused if it is too large.
Plan plan_of_scenario(const syncsim::Scenario& s) {
  const syncsim::ScenarioResult result = syncsim::run(s);
  Plan plan = testbed::plan_of(result.runs.front());
  const std::int64_t bytes = testbed::total_bytes(plan), messages = testbed::total_messages(plan);
  if (bytes > kMaxBytes || messages > kMaxMessages) {
    throw syncsim::ScenarioError(s.file, 0, 0, "stop",
                                 "a testbed run would send " + std::to_string(messages) +
                                     " messages, " + std::to_string(bytes) +
                                     " bytes; the testbed takes at most 200000 messages and "
                                     "4GiB: stop earlier or use a smaller model");
  }
  return plan;
}

std::vector<double> step_seconds(const Plan& plan, const OpTimes& times) {
  const std::vector<sim::Time> b = testbed::step_bounds(plan, times);
  std::vector<double> seconds;
  for (std::size_t k = 1; k < b.size(); ++k)
    seconds.push_back(static_cast<double>(b[k] - b[k - 1]) * 1e-9);
  return seconds;
}

// Runs `plan` on the scenario's network; measured seconds per step. Writes
// messages.csv into `out`.
std::vector<double> measure(const syncsim::Scenario& s, const Plan& plan,
                            const std::filesystem::path& out) {
  const topology::Topology topo = syncsim::build_topology(s);
  try {
    testbed::check_buildable(topo);
  } catch (const std::invalid_argument& e) {
    throw syncsim::ScenarioError(s.file, 0, 0, "topology", e.what());
  }
  const double limit = 60 + 20 * static_cast<double>(plan.end) * 1e-9;
  const OpTimes times = testbed::run_plan(topo, plan, out, limit);
  testbed::write_text(out / "messages.csv", testbed::messages_csv(plan, times));
  return step_seconds(plan, times);
}

std::vector<testbed::StepRow> rows_of(const std::vector<double>& predicted,
                                      const std::vector<double>& measured) {
  std::vector<testbed::StepRow> rows;
  for (std::size_t k = 0; k < predicted.size() && k < measured.size(); ++k) {
    rows.push_back({static_cast<int>(k) + 1, predicted[k], measured[k], std::nullopt});
  }
  return rows;
}

double total(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum;
}

// Runs a testbed command: the refusals (exit 2) and interruptions that
// testbed and calibrate share.
int guarded(const std::function<int()>& body) {
  if (const std::string why = testbed::missing_features(); !why.empty()) {
    std::cerr << "syncsim: " << why << '\n';
    return kExitBadInput;
  }
  try {
    return body();
  } catch (const testbed::Interrupted& e) {
    std::cerr << "syncsim: testbed " << e.what() << "; everything it made is removed\n";
    return 128 + e.signal;
  } catch (const testbed::SetupError& e) {
    std::cerr << "syncsim: this machine cannot build the testbed: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const syncsim::ScenarioError&) {
    throw;
  } catch (const std::runtime_error& e) {
    std::cerr << "syncsim: the testbed failed: " << e.what() << '\n';
    return kExitInternal;
  }
}

std::filesystem::path output_folder(const std::string& out_dir, const syncsim::Scenario& s) {
  const std::filesystem::path out = out_dir.empty()
                                        ? std::filesystem::path("runs") / (s.name + "-testbed")
                                        : std::filesystem::path(out_dir);
  check_output_folder(out);
  std::filesystem::create_directories(out);
  return out;
}

}  // namespace

int testbed_node_command(const std::string& plan_file, int rank) {
  return testbed::node_main(plan_file, rank);
}

int testbed_command(const std::string& scenario_path, const std::string& out_dir) {
  const syncsim::Scenario s = load_for_testbed(scenario_path);
  const Plan plan = plan_of_scenario(s);
  return guarded([&] {
    const std::filesystem::path out = output_folder(out_dir, s);
    const std::vector<double> predicted = step_seconds(plan, testbed::simulated_times(plan));
    const std::vector<double> measured = measure(s, plan, out);
    const auto rows = rows_of(predicted, measured);
    testbed::write_text(out / "testbed.csv", testbed::steps_csv(rows));
    testbed::write_text(out / "testbed.svg", testbed::steps_svg(rows, s.name + ": testbed"));
    std::printf("%s: %zu steps, predicted %.4f s, measured %.4f s, error %+.2f%%; %s\n",
                s.name.c_str(), rows.size(), total(predicted), total(measured),
                100 * testbed::relative_error(total(predicted), total(measured)),
                (out / "testbed.csv").c_str());
    return 0;
  });
}

int calibrate_command(const std::string& scenario_path, const std::string& out_dir,
                      const std::vector<std::int64_t>& sizes, int repeats) {
  syncsim::Scenario s = load_for_testbed(scenario_path);
  const Plan plan = plan_of_scenario(s);
  const topology::Topology topo = syncsim::build_topology(s);
  const auto hosts = topo.hosts();
  // The hosts on host 0's switch, and the slowest of their links.
  std::vector<int> members;
  const auto first = topo.incident_links(hosts.at(0));
  double bandwidth = 0;
  sim::Time latency = 0;
  for (std::size_t r = 0; r < hosts.size(); ++r) {
    const auto links = topo.incident_links(hosts[r]);
    if (links.size() != 1 || first.size() != 1 || links[0].second != first[0].second) continue;
    members.push_back(static_cast<int>(r));
    const topology::LinkParams p = topo.link(links[0].first);
    bandwidth = members.size() == 1 ? p.bandwidth_bytes_per_s
                                    : std::min(bandwidth, p.bandwidth_bytes_per_s);
    latency = std::max(latency, p.latency);
  }
  if (members.size() < 2) {
    throw syncsim::ScenarioError(s.file, 0, 0, "topology",
                                 "calibrate times transfers among the hosts of the first host's "
                                 "switch: it needs two or more");
  }
  const double latency_s = 2 * static_cast<double>(latency) * 1e-9;  // host, switch, host
  return guarded([&] {
    const std::filesystem::path out = output_folder(out_dir, s);
    const Plan shift = testbed::shift_plan(static_cast<int>(hosts.size()), members, sizes, repeats);
    const double seconds = 8 * static_cast<double>(testbed::total_bytes(shift)) / bandwidth;
    const auto points = testbed::round_points(
        shift, testbed::run_plan(topo, shift, out, 60 + 5 * seconds), members);
    const testbed::LineFit fit = testbed::fit_line(testbed::median_per_size(points));
    topology::Calibration c;
    c.bandwidth_efficiency = std::min(1.0, 1 / (fit.slope_s_per_byte * bandwidth));
    c.message_overhead = std::max<sim::Time>(0, std::llround((fit.intercept_s - latency_s) * 1e9));
    char fragment[640];
    std::snprintf(fragment, sizeof fragment,
                  "# syncsim calibrate: %zu sizes x %d rounds of a shift among %zu hosts\n"
                  "# fit (median round per size): seconds = %.6g + bytes x %.6g\n"
                  "# headers allow %.4f (data frames alone) to %.4f (one ACK per 2 segments)\n"
                  "topology:\n  bandwidth_efficiency: %.4f\n  message_overhead: %lldns\n",
                  sizes.size(), repeats, members.size(), fit.intercept_s, fit.slope_s_per_byte,
                  testbed::header_efficiency(0), testbed::header_efficiency(0.5),
                  c.bandwidth_efficiency, static_cast<long long>(c.message_overhead));
    testbed::write_text(out / "calibration.yaml", fragment);
    std::string points_csv = "bytes,measured_s,fitted_s\n";
    for (const auto& [bytes, seconds] : points) {
      char line[128];
      std::snprintf(line, sizeof line, "%.0f,%.6f,%.6f\n", bytes, seconds,
                    fit.intercept_s + fit.slope_s_per_byte * bytes);
      points_csv += line;
    }
    testbed::write_text(out / "calibration.csv", points_csv);

    const std::vector<double> predicted = step_seconds(plan, testbed::simulated_times(plan));
    syncsim::Scenario calibrated = s;
    calibrated.topology.calibration = c;
    const Plan calibrated_plan = plan_of_scenario(calibrated);
    const std::vector<double> after =
        step_seconds(calibrated_plan, testbed::simulated_times(calibrated_plan));
    const std::vector<double> measured = measure(s, plan, out);
    auto rows = rows_of(predicted, measured);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      rows[k].calibrated_s = k < after.size() ? after[k] : 0.0;
    }
    testbed::write_text(out / "testbed.csv", testbed::steps_csv(rows));
    testbed::write_text(out / "testbed.svg", testbed::steps_svg(rows, s.name + ": testbed"));
    std::fputs(fragment, stdout);
    std::printf(
        "%s: measured %.4f s; predicted %.4f s (error %+.2f%%), calibrated %.4f s "
        "(error %+.2f%%); %s\n",
        s.name.c_str(), total(measured), total(predicted),
        100 * testbed::relative_error(total(predicted), total(measured)), total(after),
        100 * testbed::relative_error(total(after), total(measured)),
        (out / "calibration.yaml").c_str());
    return 0;
  });
}

}  // namespace app
