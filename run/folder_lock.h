// FolderLock: one writer at a time into an output folder (DESIGN.md,
// "Outputs"). An flock on `.NAME.lock` beside the folder (in its parent),
// held for the object's life and released by the kernel if the process dies:
//   * a run and a whole sweep hold it exclusively: a second run or sweep into
//     the same folder is refused;
//   * a shard of a sweep holds it shared, so the sweep's other shards may
//     write alongside (but no run and no whole sweep), and holds
//     `.NAME.shard-I-of-N.lock` exclusively, so the same shard twice is
//     refused.
// The lock files are kept (removing one races with its next user).
#pragma once

#include <filesystem>
#include <string>

namespace syncsim {

class FolderLock {
 public:
  enum class Mode { exclusive, shared };

  // Opens (creating it if needed, never through a link) `.NAME.lock` in
  // dir's parent, where NAME is dir's file name (`.NAME.<tag>.lock` for a
  // tag), and takes its flock without waiting. REQUIRES: dir is absolute and
  // normalised, and its parent exists. Throws std::runtime_error naming `dir`
  // if another syncsim process holds the lock in a conflicting mode, or
  // naming the lock file if it cannot be opened or locked.
  FolderLock(const std::filesystem::path& dir, Mode mode, const std::string& tag = "");
  ~FolderLock();  // releases the lock
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // the lock file
  int fd_ = -1;                 // holds the flock until destruction
};

}  // namespace syncsim
