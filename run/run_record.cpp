#include "run/run_record.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <sstream>

#include "run/build_info.h"
#include "run/json_text.h"
#include "run/outputs.h"  // format_number
#include "run/sha256.h"

namespace syncsim {
namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// One "key": value line of the object; the first has no leading comma.
class JsonObject {
 public:
  void raw(const std::string& key, const std::string& value) {
    out_ << (first_ ? "{\n" : ",\n") << "  " << json_quoted(key) << ": " << value;
    first_ = false;
  }
  void text(const std::string& key, std::string_view value) { raw(key, json_quoted(value)); }
  std::string finish() {
    out_ << "\n}\n";
    return out_.str();
  }

 private:
  std::ostringstream out_;
  bool first_ = true;
};

}  // namespace

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t seconds =
      static_cast<std::time_t>(std::chrono::floor<std::chrono::seconds>(ms).count());
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  const long long millis = (ms.count() % 1000 + 1000) % 1000;
  char text[48];
  std::snprintf(text, sizeof text, "%s.%03lldZ", date, millis);
  return text;
}

std::string run_json(const RunRecord& record, const ScenarioResult& result) {
  int threads = 1;
  for (const RunResult& r : result.runs) threads = std::max(threads, r.threads);
  return run_json(record, result.scenario, threads);
}

std::string run_json(const RunRecord& record, const Scenario& scenario, int threads) {
  const BuildInfo& build = build_info();
  std::string command_line = "[";
  for (std::size_t i = 0; i < record.command_line.size(); ++i) {
    command_line += (i ? ", " : "") + json_quoted(record.command_line[i]);
  }
  command_line += "]";

  JsonObject json;
  json.text("syncsim_version", build.version);
  json.text("commit", build.commit);
  json.text("build_type", build.build_type);
  json.text("isa", build.isa);
  json.text("flags", build.flags);
  json.text("compiler", build.compiler);
  json.text("scenario", scenario.name);
  json.text("scenario_file", record.scenario_file);
  json.text("scenario_sha256", sha256_hex(record.scenario_text));
  json.raw("sweep_point", record.sweep_point ? std::to_string(*record.sweep_point) : "null");
  json.raw("seed", std::to_string(scenario.seed));
  json.raw("replicates", std::to_string(scenario.replicates));
  json.raw("threads", std::to_string(threads));
  json.text("start_time", utc_timestamp(record.start));
  json.raw("wall_time_s", format_number(record.wall_seconds));
  json.text("host", host_name());
  json.raw("command_line", command_line);
  json.text("scenario_text", record.scenario_text);
  return json.finish();
}

}  // namespace syncsim
