#include "app/sweep_runner.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "app/child_process.h"
#include "app/memory_budget.h"
#include "app/scenario_loader.h"
#include "run/replicates.h"
#include "run/folder_lock.h"
#include "run/outputs.h"
#include "run/previous_outputs.h"
#include "run/run.h"
#include "run/run_record.h"

namespace app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDone = "done";
constexpr const char* kFailed = "failed";
constexpr const char* kPointYaml = "point.yaml";
constexpr const char* kLog = "log.txt";

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Two shards may collect the same summary at the same moment: each writes
// a temporary of its own (run/safe_file.h).
void write_atomically(const fs::path& path, const std::string& content) {
  write_file_atomically(path, content);
}

std::vector<std::string> split_csv_line(const std::string& line) {
  // summary.csv cells are never quoted (outputs.cpp writes names and numbers).
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

fs::path point_dir(const SweepPlan& plan, const fs::path& out, std::size_t point) {
  return out / "points" / plan.folder_name(point);
}

bool is_complete(const SweepPlan& plan, const fs::path& out, std::size_t point) {
  return fs::exists(point_dir(plan, out, point) / kDone);
}

// Refuses an OUT that holds a run or another sweep: a folder under points/
// that this plan would not write, or a complete point whose point.yaml differs.
void check_out_folder(const SweepPlan& plan, const fs::path& out) {
  const fs::path points = out / "points";
  const std::string advice =
      ": use another output folder (-o), or add --force to start over (the user's files stay)";
  std::error_code ec;
  if (fs::exists(out / "metrics.csv", ec)) {
    throw std::invalid_argument(out.string() + " holds a run (metrics.csv), not a sweep" + advice);
  }
  if (!fs::is_directory(points, ec)) return;
  std::set<std::string> expected;
  for (std::size_t i = 0; i < plan.size(); ++i) expected.insert(plan.folder_name(i));
  std::set<std::string> stray;  // sorted, so the message is the same on every run
  for (const fs::directory_entry& e : fs::directory_iterator(points)) {
    if (!expected.count(e.path().filename().string())) stray.insert(e.path().filename().string());
  }
  if (!stray.empty()) {
    throw std::invalid_argument(points.string() + " holds " + *stray.begin() +
                                ", which is not a point of this sweep" + advice);
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!is_complete(plan, out, i)) continue;
    if (read_text(point_dir(plan, out, i) / kPointYaml) != plan.point_yaml(i)) {
      throw std::invalid_argument(point_dir(plan, out, i).string() +
                                  " was run from a different scenario (its point.yaml differs)" +
                                  advice);
    }
  }
}

// The sweep's hold on OUT (run/folder_lock.h): exclusive for a whole sweep
// (and --collect), so a second sweep or a run into OUT is refused while it
// lasts; shared for shard i/n, with shard i/n's own lock exclusive. OUT must
// not be a symbolic link (outputs are never written through one).
std::vector<std::unique_ptr<FolderLock>> lock_out_folder(const SweepOptions& o) {
  std::error_code ec;
  const fs::path dir = fs::absolute(o.out, ec).lexically_normal();
  const fs::path folder = dir.has_filename() ? dir : dir.parent_path();
  if (ec || folder == folder.root_path()) {
    throw std::runtime_error("cannot use " + o.out.string() + " as the output folder");
  }
  if (fs::is_symlink(folder, ec)) {
    throw std::runtime_error("refusing to write into " + o.out.string() +
                             ": it is a symbolic link (give the folder it points to)");
  }
  fs::create_directories(folder.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("cannot create output folder " + o.out.string() + ": " + ec.message());
  }
  std::vector<std::unique_ptr<FolderLock>> locks;
  const bool whole = o.shards == 1;
  locks.push_back(std::make_unique<FolderLock>(
      folder, whole ? FolderLock::Mode::exclusive : FolderLock::Mode::shared));
  if (!whole) {
    locks.push_back(std::make_unique<FolderLock>(
        folder, FolderLock::Mode::exclusive,
        "shard-" + std::to_string(o.shard) + "-of-" + std::to_string(o.shards)));
  }
  return locks;
}

class PointProcesses {
 public:
  PointProcesses(const SweepPlan& plan, const SweepOptions& o) : plan_(plan), o_(o) {}

  // Starts `point` in a fresh folder.
  void start(std::size_t point) {
    const fs::path dir = point_dir(plan_, o_.out, point);
    std::error_code ec;
    clear_point_folder(dir);  // an earlier attempt's files; the user's stay
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    write_atomically(dir / kPointYaml, plan_.point_yaml(point));

    std::vector<std::string> args = {
        o_.self,         "sweep",   o_.scenario_path,      "-o",
        o_.out.string(), "--point", std::to_string(point), "--progress",
        "never"};
    if (o_.seed) args.insert(args.end(), {"--seed", std::to_string(*o_.seed)});
    if (!o_.max_memory.empty()) args.insert(args.end(), {"--max-memory", o_.max_memory});
    if (o_.level == LogLevel::debug) args.insert(args.end(), {"--log-level", "debug"});
    const pid_t pid = spawn_logged(o_.self, std::move(args), dir / kLog);
    if (o_.level >= LogLevel::debug)
      std::fprintf(stderr, "sweep: started point %zu (pid %d)\n", point, pid);
    running_[pid] = {point, std::chrono::steady_clock::now()};
  }

  std::size_t running() const { return running_.size(); }

  // Waits for one point process. Returns its exit code (0 only if `done` exists).
  int wait_one(std::size_t& finished_point) {
    const ChildExit exit = wait_any_child();
    const pid_t pid = exit.pid;
    const auto it = running_.find(pid);
    if (it == running_.end()) return wait_one(finished_point);  // not ours
    const auto [point, started] = it->second;
    running_.erase(it);
    finished_point = point;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const fs::path dir = point_dir(plan_, o_.out, point);
    int code = exit.code;
    std::string why = exit.why;
    if (code == 0 && !fs::exists(dir / kDone)) {
      code = 1;
      why = "exit 0 without writing 'done'";
    }
    ++finished_;
    if (code == 0) {
      if (o_.level >= LogLevel::info) {
        std::fprintf(stderr, "sweep: [%zu/%zu] %s done (%.1f s)\n", finished_, total_,
                     plan_.folder_name(point).c_str(), seconds);
      }
      return 0;
    }
    const std::string message = last_line(dir / kLog);
    try {
      write_atomically(dir / kFailed, why + "\n" + message + "\n");
    } catch (const std::runtime_error&) {
      // The report below still names the point.
    }
    std::fprintf(stderr, "sweep: [%zu/%zu] point %s FAILED (%s): %s (log: %s)\n", finished_, total_,
                 plan_.folder_name(point).c_str(), why.c_str(), message.c_str(),
                 (dir / kLog).string().c_str());
    return code;
  }

  void set_total(std::size_t total) { total_ = total; }

 private:
  struct Running {
    std::size_t point;
    std::chrono::steady_clock::time_point started;
  };
  const SweepPlan& plan_;
  const SweepOptions& o_;
  std::map<pid_t, Running> running_;
  std::size_t finished_ = 0, total_ = 0;
};

}  // namespace

void check_sweep_folder(const SweepPlan& plan, const fs::path& out) { check_out_folder(plan, out); }

std::vector<std::size_t> incomplete_points(const SweepPlan& plan, const fs::path& out) {
  std::vector<std::size_t> points;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!is_complete(plan, out, i)) points.push_back(i);
  }
  return points;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void run_point(const SweepPlan& plan, std::size_t point, const fs::path& out, double max_memory,
               const std::vector<std::string>& command_line,
               std::chrono::system_clock::time_point start) {
  const Scenario scenario = plan.scenario(point);
  check_memory_budget(scenario, max_memory);
  const fs::path dir = point_dir(plan, out, point);
  const std::vector<ScenarioResult> replicates = run_replicates(scenario);
  std::vector<ReplicateFiles> replicate_files;
  for (const ScenarioResult& r : replicates) {
    replicate_files.push_back({r.scenario.seed, output_files(r)});
  }
  RunRecord record;
  record.command_line = command_line;
  record.scenario_file = plan.file();
  record.scenario_text = plan.text();
  record.sweep_point = point;
  record.start = start;
  record.wall_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - start).count();
  std::vector<OutputFile> files = merge_replicates(scenario, replicate_files);
  files.push_back({"run.json", run_json(record, replicates.front())});
  try {
    write_files(dir, files);
  } catch (const std::runtime_error& e) {
    throw OutputError(e.what());
  }
  for (const RunResult& run : replicates.front().runs) {
    std::printf("%s/%s: stopped by %s at %.3f s simulated, test accuracy %.4f\n",
                plan.folder_name(point).c_str(), run.label.c_str(), run.totals.stop_reason.c_str(),
                sim::to_seconds(run.totals.time), run.totals.final_test_accuracy);
  }
  try {
    write_atomically(dir / kDone, "");
  } catch (const std::runtime_error& e) {
    throw OutputError(e.what());
  }
}

std::string collect_summary(const SweepPlan& plan, const fs::path& out) {
  // Column union in first-seen order: every point writes the same summary
  // columns (run/summary_columns.h); the union still reads points written
  // before they were fixed.
  std::vector<std::string> columns;
  std::map<std::string, std::size_t> column_index;
  std::vector<std::vector<std::map<std::string, std::string>>> rows(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const fs::path file = point_dir(plan, out, i) / "summary.csv";
    if (!is_complete(plan, out, i)) {
      throw std::runtime_error("point " + plan.folder_name(i) + " is not complete");
    }
    const std::optional<std::string> text = read_text(file);
    if (!text) throw std::runtime_error("cannot read " + file.string());
    std::istringstream in(*text);
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = split_csv_line(line);
    for (const std::string& h : header) {
      if (column_index.emplace(h, columns.size()).second) columns.push_back(h);
    }
    while (std::getline(in, line)) {
      const std::vector<std::string> cells = split_csv_line(line);
      if (cells.size() != header.size()) throw std::runtime_error("malformed " + file.string());
      std::map<std::string, std::string> row;
      for (std::size_t c = 0; c < cells.size(); ++c) row[header[c]] = cells[c];
      rows[i].push_back(std::move(row));
    }
  }
  std::ostringstream csv;
  csv << "point,point_dir";
  for (const SweepAxis& a : plan.axes()) {
    // An axis named like a summary column ("algorithm", "seed") gets a prefix.
    csv << ',' << csv_cell(column_index.count(a.path) ? "sweep." + a.path : a.path);
  }
  for (const std::string& c : columns) csv << ',' << c;
  csv << '\n';
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::vector<std::string> values = plan.values(i);
    for (const auto& row : rows[i]) {
      csv << i << ",points/" << csv_cell(plan.folder_name(i));
      for (const std::string& v : values) csv << ',' << csv_cell(v);
      for (const std::string& c : columns) {
        const auto it = row.find(c);
        csv << ',' << (it == row.end() ? "" : it->second);
      }
      csv << '\n';
    }
  }
  return csv.str();
}

int run_sweep(const SweepPlan& plan, const SweepOptions& o) {
  std::vector<std::unique_ptr<FolderLock>> locks;  // held until the sweep ends
  try {
    locks = lock_out_folder(o);
    if (o.force) clear_previous_outputs(o.out);
    check_out_folder(plan, o.out);
  } catch (const std::exception& e) {  // invalid_argument, or runtime_error from a lock
    std::fprintf(stderr, "syncsim: %s\n", e.what());
    return 2;
  }
  std::vector<std::size_t> todo;
  std::size_t mine = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (i % static_cast<std::size_t>(o.shards) != static_cast<std::size_t>(o.shard - 1)) continue;
    ++mine;
    if (!is_complete(plan, o.out, i)) todo.push_back(i);
  }
  int exit_code = 0;
  if (!o.collect_only) {
    if (o.level >= LogLevel::info) {
      std::fprintf(stderr,
                   "sweep: %zu points; shard %d/%d has %zu, %zu already complete, %zu to run with "
                   "%d job(s)\n",
                   plan.size(), o.shard, o.shards, mine, mine - todo.size(), todo.size(), o.jobs);
    }
    PointProcesses processes(plan, o);
    processes.set_total(todo.size());
    std::size_t next = 0;
    while (next < todo.size() || processes.running() > 0) {
      while (next < todo.size() && processes.running() < static_cast<std::size_t>(o.jobs)) {
        processes.start(todo[next++]);
      }
      std::size_t finished = 0;
      const int code = processes.wait_one(finished);
      if (code != 0 && exit_code == 0) exit_code = code == 2 ? 2 : 1;
    }
  }
  std::vector<std::string> incomplete;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!is_complete(plan, o.out, i)) incomplete.push_back(plan.folder_name(i));
  }
  if (!incomplete.empty()) {
    if (exit_code != 0) {
      std::fprintf(stderr,
                   "sweep: %zu point(s) not complete (failed ones above); rerun to retry them\n",
                   incomplete.size());
      return exit_code;
    }
    if (o.collect_only) {
      std::fprintf(stderr, "sweep: cannot collect: %zu point(s) not complete, the first %s\n",
                   incomplete.size(), incomplete.front().c_str());
      return 1;
    }
    if (o.level >= LogLevel::info) {
      std::fprintf(stderr,
                   "sweep: this shard is done; %zu point(s) of other shards are not complete yet. "
                   "The last shard to finish writes summary.csv (or run with --collect)\n",
                   incomplete.size());
    }
    return 0;
  }
  write_atomically(o.out / "summary.csv", collect_summary(plan, o.out));
  if (o.level >= LogLevel::info) {
    std::fprintf(stderr, "sweep: all %zu points complete: %s\n", plan.size(),
                 (o.out / "summary.csv").string().c_str());
  }
  return exit_code;
}

}  // namespace app
