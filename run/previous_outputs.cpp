#include "run/previous_outputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "run/output_folder.h"

namespace syncsim {
namespace fs = std::filesystem;
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A sweep's files in a point folder besides the run output files
// (app/sweep_runner.h).
bool is_point_file_name(const std::string& name) {
  // A killed point leaves its temporaries, NAME.tmp.PID.N (run/safe_file.h).
  const std::size_t tmp = name.find(".tmp");
  const std::string base = tmp == std::string::npos ? name : name.substr(0, tmp);
  return is_output_file_name(base) || base == "point.yaml" || base == "log.txt" || base == "done" ||
         base == "failed";
}

// Removes `path` if it is a regular file or a symbolic link (the link, not
// its target); anything else is left.
void remove_file(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) return;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error("cannot remove " + path.string() + ": " + std::strerror(errno));
  }
}

// Whether `path` is a folder itself (not a link to one).
bool is_real_folder(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Removes the entries of folder `dir` that `ours` accepts, then `dir` if empty.
template <class Ours>
void clear_folder(const fs::path& dir, Ours ours) {
  if (!is_real_folder(dir)) return;
  for (const std::string& name : folder_entries(dir)) {
    if (ours(name)) remove_file(dir / name);
  }
  ::rmdir(dir.c_str());  // fails, and keeps it, if the user's files remain
}

}  // namespace

std::vector<std::string> folder_entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!is_real_folder(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string describe_non_empty(const fs::path& dir, const std::vector<std::string>& entries) {
  std::string text = dir.string() + " is not empty (it holds ";
  const std::size_t shown = std::min<std::size_t>(entries.size(), 3);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) text += i + 1 == shown && entries.size() == shown ? " and " : ", ";
    text += entries[i];
  }
  if (entries.size() > shown) text += " and " + std::to_string(entries.size() - shown) + " more";
  return text + ")";
}

bool is_report_file_name(const std::string& name) {
  if (name == "report.md" || name == "report.html") return true;
  if (name.size() > 1 && name[0] == '.' && ends_with(name, ".tmp")) return true;
  return ends_with(name, ".png") || ends_with(name, ".pdf") || ends_with(name, ".svg");
}

void clear_report_folder(const fs::path& plots) { clear_folder(plots, is_report_file_name); }

void clear_point_folder(const fs::path& point) { clear_folder(point, is_point_file_name); }

void clear_previous_outputs(const fs::path& dir) {
  for (const std::string& name : output_file_names()) remove_file(dir / name);
  clear_report_folder(dir / "plots");
  clear_sweep_points(dir / "points");
}

void clear_sweep_points(const fs::path& points) {
  for (const std::string& name : folder_entries(points)) clear_point_folder(points / name);
  ::rmdir(points.c_str());
}

}  // namespace syncsim
