// trace.json (Chrome trace-event format, "JSON object format"), declared in
// outputs.h. Kept apart from the CSV writers: it is the one JSON output.
//
// Mapping: pid = algorithm run (1, 2, ... in scenario order), tid = node
// (host id + 1), both named by metadata events. Compute and wait spans are
// complete events ("X") on the node's track: a node's algorithm process
// computes or waits one thing at a time, so they never overlap there.
// Sends overlap (a collective starts several at once), so each is an async
// span ("b"/"e", id = message number) from flow start to delivery, on the
// sender; each delivery is an instant ("i") on the receiver.
#include <cstdio>
#include <string>

#include "run/json_text.h"
#include "run/outputs.h"

namespace syncsim {
namespace {

// Chrome's ts/dur are microseconds; integer nanoseconds print exactly as
// microseconds with three decimals, so the text never depends on float rounding.
std::string micros(sim::Time ns) {
  char buffer[32];
  const long long v = ns;
  std::snprintf(buffer, sizeof buffer, "%s%lld.%03lld", v < 0 ? "-" : "", (v < 0 ? -v : v) / 1000,
                (v < 0 ? -v : v) % 1000);
  return buffer;
}

class TraceWriter {
 public:
  // One event object; `fields` is the text after the common pid/tid prefix.
  void event(int pid, int tid, const std::string& fields) {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_ +=
        "{\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + "," + fields + "}";
  }
  std::string finish() { return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[" + out_ + "\n]}\n"; }

 private:
  std::string out_;
  bool first_ = true;
};

void write_run(TraceWriter& w, int pid, const RunResult& r) {
  w.event(
      pid, 0,
      "\"ph\":\"M\",\"name\":\"process_name\",\"args\":{\"name\":" + json_quoted(r.label) + "}");
  w.event(pid, 0,
          "\"ph\":\"M\",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":" +
              std::to_string(pid) + "}");
  for (std::size_t n = 0; n < r.node_names.size(); ++n) {
    const int tid = static_cast<int>(n) + 1;
    w.event(pid, tid,
            "\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":" +
                json_quoted(r.node_names[n]) + "}");
    w.event(pid, tid,
            "\"ph\":\"M\",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" +
                std::to_string(tid) + "}");
  }
  for (const sim::Recorder::Span& s : r.spans) {
    const bool compute = s.kind == sim::Recorder::Span::Kind::compute;
    const std::string name = compute ? std::string("compute") : std::string("wait ") + s.what;
    w.event(pid, s.node + 1,
            "\"ph\":\"X\",\"cat\":\"" + std::string(compute ? "compute" : "wait") +
                "\",\"name\":" + json_quoted(name) + ",\"ts\":" + micros(s.start) +
                ",\"dur\":" + micros(s.end - s.start));
  }
  for (const sim::Recorder::MessageEvent& e : r.messages) {
    const std::string peer = json_quoted(r.node_names[static_cast<std::size_t>(e.peer)]);
    const std::string args = "\"args\":{\"" + std::string(e.receive ? "from" : "to") +
                             "\":" + peer + ",\"bytes\":" + format_number(e.bytes) +
                             ",\"lamport\":" + std::to_string(e.lamport) + "}";
    const std::string id = "\"id\":" + std::to_string(e.message);
    const std::string ts = "\"ts\":" + micros(e.true_time);
    if (!e.receive) {
      w.event(pid, e.node + 1,
              "\"ph\":\"b\",\"cat\":\"send\",\"name\":" +
                  json_quoted(std::string("send ") + e.tag) + "," + id + "," + ts + "," + args);
    } else {
      // The async span ends on the sender's track, at the delivery.
      w.event(pid, e.peer + 1,
              "\"ph\":\"e\",\"cat\":\"send\",\"name\":" +
                  json_quoted(std::string("send ") + e.tag) + "," + id + "," + ts);
      w.event(pid, e.node + 1,
              "\"ph\":\"i\",\"s\":\"t\",\"cat\":\"receive\",\"name\":" +
                  json_quoted(std::string("receive ") + e.tag) + "," + ts + "," + args);
    }
  }
}

}  // namespace

std::string trace_json(const ScenarioResult& result) {
  TraceWriter w;
  for (std::size_t i = 0; i < result.runs.size(); ++i) {
    write_run(w, static_cast<int>(i) + 1, result.runs[i]);
  }
  return w.finish();
}

}  // namespace syncsim
