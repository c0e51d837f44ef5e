#include "run/output_folder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "run/previous_outputs.h"
#include "run/safe_file.h"

namespace syncsim {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kOutputFileNames = {
    "metrics.csv",   "summary.csv", "staleness.csv",     "nodes.csv",  "timing.csv",
    "partition.csv", "clocks.csv",  "suspicions.csv",    "events.csv", "trace.json",
    "links.csv",     "run.json",    "summary_stats.csv", "paired.csv", "rounds.csv",
    "clients.csv",   "steps.csv"};

std::string error_text(int error) { return std::strerror(error); }

// Throws unless `dir` is absent or a folder (a link to one is refused too).
void require_folder_or_absent(const fs::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("cannot create output folder " + dir.string() + ": " +
                             error_text(errno));
  }
  if (S_ISLNK(st.st_mode)) {
    throw std::runtime_error("refusing to write into " + dir.string() +
                             ": it is a symbolic link (give the folder it points to)");
  }
  if (!S_ISDIR(st.st_mode)) {
    throw std::runtime_error("cannot use output folder " + dir.string() + ": it is not a folder");
  }
}

// True if every entry of `dir` is a run output file (a staging folder a
// killed run left behind): removing it loses nothing of the user's.
bool holds_only_output_files(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!is_output_file_name(entry.path().filename().string())) return false;
  }
  return !ec;
}

// Creates a new folder `prefix` + a suffix of this process's own, with the
// permissions a plain mkdir gives (mkdtemp's 0700 would reach the published
// folder); mkdir never follows a link or reuses a name.
fs::path make_fresh_folder(const fs::path& parent, const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path path =
        parent / (prefix + std::to_string(::getpid()) + "." + std::to_string(counter++));
    if (::mkdir(path.c_str(), 0777) == 0) return path;
    if (errno != EEXIST) break;
  }
  throw std::runtime_error("cannot write in " + parent.string() + ": " + error_text(errno));
}

}  // namespace

const std::vector<std::string>& output_file_names() { return kOutputFileNames; }

bool is_output_file_name(const std::string& name) {
  for (const std::string& n : kOutputFileNames) {
    if (n == name) return true;
  }
  return false;
}

OutputFolder::OutputFolder(const fs::path& dir) {
  std::error_code ec;
  dir_ = fs::absolute(dir, ec).lexically_normal();
  if (!dir_.has_filename()) dir_ = dir_.parent_path();
  if (ec || dir_ == dir_.root_path()) {
    throw std::runtime_error("cannot use " + dir.string() + " as the output folder");
  }
  require_folder_or_absent(dir_);
  // Publishing swaps the folder for a new one: a shell or a program working
  // in it, or below it, would be left in a deleted directory.
  const fs::path cwd = fs::current_path(ec).lexically_normal();
  if (!ec && fs::exists(dir_) && fs::equivalent(dir_, cwd, ec)) {
    throw std::runtime_error("cannot use " + dir.string() +
                             " as the output folder: it is the current directory (give a "
                             "folder of its own, e.g. runs/NAME)");
  }
  for (fs::path p = cwd; !ec && p.has_relative_path(); p = p.parent_path()) {
    if (p.parent_path() == dir_) {
      throw std::runtime_error("cannot use " + dir.string() +
                               " as the output folder: it holds the current directory (give a "
                               "folder of its own, e.g. runs/NAME)");
    }
  }
  parent_ = dir_.parent_path();
  for (fs::path p = parent_; !fs::exists(p, ec) && p.has_relative_path(); p = p.parent_path()) {
    created_.push_back(p);
  }
  fs::create_directories(parent_, ec);
  if (ec) {
    throw std::runtime_error("cannot create output folder " + dir.string() + ": " + ec.message());
  }
  lock_.emplace(dir_, FolderLock::Mode::exclusive);
  const std::string name = dir_.filename().string();
  // With the lock held, no other run owns a staging folder of this name:
  // one a killed run left behind goes, if it holds only run outputs.
  // A mount point (a container's volume) cannot be renamed: its files are
  // staged inside it and renamed in one by one when all are complete.
  struct stat dir_st {
  }, parent_st{};
  in_place_ = ::stat(dir_.c_str(), &dir_st) == 0 && ::stat(parent_.c_str(), &parent_st) == 0 &&
              dir_st.st_dev != parent_st.st_dev;
  const fs::path staging_parent = in_place_ ? dir_ : parent_;
  const std::string prefix = "." + name + ".staging-";
  for (const auto& entry : fs::directory_iterator(staging_parent, ec)) {
    const std::string entry_name = entry.path().filename().string();
    if (entry_name.rfind(prefix, 0) == 0 && entry.is_directory(ec) && !entry.is_symlink(ec) &&
        holds_only_output_files(entry.path())) {
      fs::remove_all(entry.path(), ec);
    }
  }
  staging_ = make_fresh_folder(staging_parent, prefix);
}

OutputFolder::~OutputFolder() {
  std::error_code ignored;
  if (!staging_.empty()) fs::remove_all(staging_, ignored);
  // A run that never published leaves no folder it made: the lock file goes
  // too, from a parent no other run could have known of before this one.
  if (!published_ && !created_.empty()) fs::remove(lock_->path(), ignored);
  lock_.reset();
  if (!published_) {
    for (const fs::path& p : created_) fs::remove(p, ignored);  // deepest first; only if empty
  }
}

void OutputFolder::stage(const std::vector<OutputFile>& files) {
  for (const auto& [name, content] : files) {
    write_file_atomically(staging_ / name, content);
    staged_.push_back(name);
  }
}

std::vector<fs::path> OutputFolder::publish() {
  require_folder_or_absent(dir_);
  if (in_place_) {
    publish_file_by_file();
  } else {
    publish_folder();
  }
  published_ = true;
  std::vector<fs::path> published;
  for (const std::string& name : staged_) published.push_back(dir_ / name);
  return published;
}

void OutputFolder::publish_file_by_file() {
  for (const std::string& name : staged_) require_replaceable_file(dir_ / name);
  for (const std::string& name : staged_) {
    if (::rename((staging_ / name).c_str(), (dir_ / name).c_str()) != 0) {
      throw std::runtime_error("cannot publish " + (dir_ / name).string() + ": " +
                               error_text(errno));
    }
  }
  // The previous run's files that this one does not write go: no mix.
  for (const std::string& name : kOutputFileNames) {
    bool staged = false;
    for (const std::string& n : staged_) staged = staged || n == name;
    struct stat st {};
    if (!staged && ::lstat((dir_ / name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      ::unlink((dir_ / name).c_str());
    }
  }
  // Figures drawn from the previous run would describe a run that is gone,
  // and a sweep's points are not part of a run.
  clear_report_folder(dir_ / "plots");
  clear_sweep_points(dir_ / "points");
  std::error_code ignored;
  fs::remove(staging_, ignored);
  staging_.clear();
}

void OutputFolder::publish_folder() {
  // RENAME_NOREPLACE / RENAME_EXCHANGE: the new folder appears, or trades
  // places with the previous one, in one step.
  const bool replacing = fs::exists(dir_);
  const unsigned flags = replacing ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, dir_.c_str(), flags) != 0) {
    const int error = errno;
    if (error != EINVAL && error != ENOSYS) {
      throw std::runtime_error("cannot publish " + dir_.string() + ": " + error_text(error));
    }
    // A file system without renameat2: the previous folder steps aside
    // into an empty folder of its own first, then the new one takes its name.
    fs::path aside;
    if (replacing) {
      aside = make_fresh_folder(parent_, "." + dir_.filename().string() + ".staging-");
      if (::rename(dir_.c_str(), aside.c_str()) != 0) {
        throw std::runtime_error("cannot publish " + dir_.string() + ": " + error_text(errno));
      }
    }
    if (::rename(staging_.c_str(), dir_.c_str()) != 0) {
      const int error = errno;
      if (replacing) ::rename(aside.c_str(), dir_.c_str());  // the previous run goes back
      throw std::runtime_error("cannot publish " + dir_.string() + ": " + error_text(error));
    }
    staging_ = aside;
  } else if (!replacing) {
    staging_.clear();
  }
  // staging_ now holds the previous run, if there was one.
  if (!staging_.empty()) {
    try {
      carry_over_foreign_entries(staging_);
    } catch (...) {
      staging_.clear();  // what could not move stays there, for the user
      throw;
    }
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
    staging_.clear();
  }
}

void OutputFolder::carry_over_foreign_entries(const fs::path& previous) const {
  // Figures drawn from the previous run would describe a run that is gone,
  // and a sweep's points are not part of a run: plots/ and points/ move only
  // if the user's own files remain in them.
  clear_previous_outputs(previous);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(previous, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_output_file_name(name)) continue;
    // The new folder holds run output files only: no name is taken.
    if (::rename(entry.path().c_str(), (dir_ / name).c_str()) != 0) {
      throw std::runtime_error("cannot move " + name + " into the new " + dir_.string() + " (" +
                               error_text(errno) + "); it is in " + previous.string());
    }
  }
}

}  // namespace syncsim
