// `algorithm:` keys of the fedavg family for client devices: see
// docs/federated.md ("Devices") and the schema (app/schema_algorithms.cpp).
#include "app/fl_devices_loader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "app/schema.h"
#include "app/spelling.h"
#include "app/units.h"

namespace app {
namespace {

constexpr std::size_t kMaxTraceRows = 10'000'000;  // keeps a wrong file from filling memory

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(trim(field));
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A relative trace path is taken from the scenario file's folder, so a
// scenario and its traces move together and run from any working folder.
std::string resolve(const ConfigNode& at) {
  const std::filesystem::path path(at.as_string());
  if (path.empty()) at.fail("expected a path to a CSV file");
  if (path.is_absolute()) return path.string();
  return (std::filesystem::path(at.file()).parent_path() / path).lexically_normal().string();
}

// A trace file's rows after its header, each with its line number; every
// problem fails at `at` naming file:line.
class TraceReader {
 public:
  TraceReader(const ConfigNode& at, std::vector<std::string> header, std::vector<std::string> names)
      : at_(at), path_(resolve(at)), header_(std::move(header)), names_(std::move(names)) {}

  template <class OnRow>
  void read(OnRow on_row) {
    std::ifstream in(path_);
    if (!in) at_.fail("cannot read the trace file " + path_);
    std::string line;
    const std::string expected = join(header_, ",");
    if (!std::getline(in, line) || split_row(trim(line)) != header_) {
      at_.fail(path_ + ":1: expected the header " + expected);
    }
    std::size_t rows = 0;
    for (int number = 2; std::getline(in, line); ++number) {
      line_ = number;
      if (trim(line).empty()) continue;
      if (++rows > kMaxTraceRows) fail("more than 10000000 rows");
      const std::vector<std::string> fields = split_row(trim(line));
      if (fields.size() != header_.size())
        fail("expected " + expected + ", got '" + trim(line) + "'");
      on_row(client(fields[0]), fields);
    }
  }
  [[noreturn]] void fail(const std::string& message) const {
    at_.fail(path_ + ":" + std::to_string(line_) + ": " + message);
  }
  double seconds(const std::string& field, const char* column) const {
    try {
      std::size_t used = 0;
      const double value = std::stod(field, &used);
      if (used == field.size() && std::isfinite(value) && value >= 0) return value;
    } catch (const std::exception&) {
    }
    fail(std::string(column) + ": expected a number of seconds >= 0, got '" + field + "'");
  }

 private:
  int client(const std::string& name) const {
    for (std::size_t k = 0; k < names_.size(); ++k) {
      if (names_[k] == name) return static_cast<int>(k);
    }
    const std::string near = did_you_mean(name, names_);
    fail("client: '" + name + "' is not a client of this algorithm" +
         (near.empty() ? "" : " (did you mean '" + near + "'?)"));
  }
  const ConfigNode& at_;
  std::string path_;
  std::vector<std::string> header_, names_;
  int line_ = 1;
};

std::vector<std::string> client_names(const std::vector<int>& clients,
                                      const std::vector<NodeGroup>& groups) {
  std::vector<std::string> all;
  for (const NodeGroup& g : groups) {
    for (std::string& name : node_names(g)) all.push_back(std::move(name));
  }
  std::vector<std::string> names;
  for (int c : clients) names.push_back(all.at(static_cast<std::size_t>(c)));
  return names;
}

std::vector<std::vector<algo::OnlineInterval>> availability_trace(
    const ConfigNode& at, const std::vector<std::string>& names) {
  std::vector<std::vector<algo::OnlineInterval>> intervals(names.size());
  TraceReader reader(at, {"client", "start_s", "end_s"}, names);
  reader.read([&](int client, const std::vector<std::string>& f) {
    const sim::Time start = sim::from_seconds(reader.seconds(f[1], "start_s"));
    const sim::Time end = sim::from_seconds(reader.seconds(f[2], "end_s"));
    if (end <= start) reader.fail("end_s must be greater than start_s");
    intervals[static_cast<std::size_t>(client)].push_back({start, end});
  });
  return intervals;
}

double bandwidth_field(const TraceReader& reader, const std::string& field, const char* column) {
  try {
    const double value = parse_bandwidth(field);
    if (value > 0 && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  reader.fail(std::string(column) + ": expected a bandwidth > 0 such as 2Mbps, got '" + field +
              "'");
}

std::vector<algo::DeviceProfile> device_trace(const ConfigNode& at,
                                              const std::vector<std::string>& names) {
  std::vector<algo::DeviceProfile> profiles(names.size());
  std::vector<bool> seen(names.size(), false);
  TraceReader reader(at, {"client", "compute", "uplink", "downlink"}, names);
  reader.read([&](int client, const std::vector<std::string>& f) {
    if (seen[static_cast<std::size_t>(client)])
      reader.fail("client '" + f[0] + "' is listed twice");
    seen[static_cast<std::size_t>(client)] = true;
    algo::DeviceProfile& p = profiles[static_cast<std::size_t>(client)];
    p.compute = reader.seconds(f[1], "compute");
    if (!(p.compute > 0)) reader.fail("compute: expected a factor > 0, got '" + f[1] + "'");
    p.uplink = bandwidth_field(reader, f[2], "uplink");
    p.downlink = bandwidth_field(reader, f[3], "downlink");
  });
  return profiles;
}

algo::DiurnalAvailability diurnal(const ConfigNode& node) {
  node.check_keys(schema::keys("algorithm.fed.diurnal"));
  algo::DiurnalAvailability d;
  const double scale =
      node.has("time_scale") ? node.child("time_scale").as_double_in(1e-9, 1e6) : 1.0;
  node.require(!node.has("time_scale") || scale > 0, "time_scale must be greater than zero");
  d.period = sim::from_seconds(24.0 * 3600.0 * scale);
  if (d.period <= 0) node.child("time_scale").fail("the period 24h x time_scale rounds to 0 ns");
  if (auto m = node.optional_child("mean_session")) {
    d.mean_session = m->as_duration();
    m->require(d.mean_session > 0, "mean_session must be greater than zero");
  }
  if (auto p = node.optional_child("peak_fraction")) {
    d.peak = p->as_double_in(0.0, 1.0);
    p->require(d.peak > 0, "peak_fraction must be greater than zero");
  }
  d.trough = std::min(d.trough, d.peak);
  if (auto t = node.optional_child("trough_fraction")) {
    d.trough = t->as_double_in(0.0, 1.0);
    t->require(d.trough > 0 && d.trough <= d.peak,
               "trough_fraction must be greater than zero and at most peak_fraction");
  }
  return d;
}

std::vector<algo::DeviceTier> tiers(const ConfigNode& node) {
  if (!node.is_sequence() || node.size() == 0) node.fail("expected a list of tiers");
  std::vector<algo::DeviceTier> tiers;
  double total = 0.0;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const ConfigNode t = node.at(i);
    t.check_keys(schema::keys("algorithm.fed.tiers"));
    algo::DeviceTier tier;
    tier.name = t.child("name").as_string();
    for (const algo::DeviceTier& other : tiers) {
      if (other.name == tier.name) t.child("name").fail("tier '" + tier.name + "' is named twice");
    }
    tier.share = t.child("share").as_double_in(0.0, 1.0);
    t.child("share").require(tier.share > 0, "share must be greater than zero");
    total += tier.share;
    if (auto c = t.optional_child("compute")) {
      tier.profile.compute = c->as_double_in(0.0, 1e6);
      c->require(tier.profile.compute > 0, "compute must be greater than zero");
    }
    for (const char* key : {"uplink", "downlink"}) {
      if (!t.has(key)) continue;
      const double speed = t.child(key).as_bandwidth();
      t.child(key).require(speed > 0, std::string(key) + " must be greater than zero");
      (std::string(key) == "uplink" ? tier.profile.uplink : tier.profile.downlink) = speed;
    }
    tiers.push_back(std::move(tier));
  }
  if (std::abs(total - 1.0) > 1e-9) {
    node.fail("the tiers' shares must sum to 1, got " + schema::number_text(total));
  }
  return tiers;
}

algo::OortConfig oort(const ConfigNode& node) {
  node.check_keys(schema::keys("algorithm.fed.oort"));
  algo::OortConfig o;
  if (auto e = node.optional_child("exploration")) o.exploration = e->as_double_in(0.0, 1.0);
  if (auto a = node.optional_child("alpha")) o.alpha = a->as_double_in(0.0, 100.0);
  if (auto t = node.optional_child("preferred_duration")) {
    o.preferred_duration = t->as_duration();
    t->require(o.preferred_duration > 0, "preferred_duration must be greater than zero");
  }
  return o;
}

}  // namespace

algo::FlDevicesConfig load_fl_devices(const ConfigNode& node, const std::vector<int>& clients,
                                      const std::vector<NodeGroup>& groups) {
  algo::FlDevicesConfig config;
  const std::vector<std::string> names = client_names(clients, groups);
  if (node.has("availability_trace") && node.has("diurnal")) {
    node.child("diurnal").fail("give availability_trace or diurnal, not both");
  }
  if (auto a = node.optional_child("availability_trace")) {
    config.availability_trace = availability_trace(*a, names);
  }
  if (auto d = node.optional_child("diurnal")) config.diurnal = diurnal(*d);
  if (node.has("tiers") && node.has("device_trace")) {
    node.child("device_trace").fail("give tiers or device_trace, not both");
  }
  if (auto t = node.optional_child("tiers")) config.tiers = tiers(*t);
  if (auto d = node.optional_child("device_trace")) config.device_trace = device_trace(*d, names);
  if (auto o = node.optional_child("over_selection"))
    config.over_selection = o->as_double_in(0.0, 100.0);
  if (auto s = node.optional_child("selection")) {
    const std::string policy = s->as_string();
    if (policy == "oort") {
      config.selection = algo::SelectionPolicy::oort;
    } else if (policy != "uniform") {
      const std::string near = did_you_mean(policy, {"uniform", "oort"});
      s->fail("unknown selection '" + policy + "' (allowed: uniform, oort" +
              (near.empty() ? "" : "; did you mean '" + near + "'?") + ")");
    }
  }
  if (auto o = node.optional_child("oort")) {
    o->require(config.selection == algo::SelectionPolicy::oort, "oort: needs selection: oort");
    config.oort = oort(*o);
  }
  return config;
}

double load_holdout(const ConfigNode& node) {
  if (auto h = node.optional_child("holdout")) return h->as_double_in(0.0, 0.9);
  return 0.0;
}

}  // namespace app
