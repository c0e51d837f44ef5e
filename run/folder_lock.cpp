#include "run/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace syncsim {

FolderLock::FolderLock(const std::filesystem::path& dir, Mode mode, const std::string& tag)
    : path_(dir.parent_path() /
            ("." + dir.filename().string() + (tag.empty() ? "" : "." + tag) + ".lock")) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot write in " + dir.parent_path().string() + " (lock file " +
                             path_.string() + ": " + std::strerror(errno) + ")");
  }
  if (::flock(fd_, (mode == Mode::exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(error == EWOULDBLOCK
                                 ? "another syncsim run or sweep is writing to " + dir.string() +
                                       " (it holds " + path_.string() +
                                       "): wait for it or give another folder"
                                 : "cannot lock " + path_.string() + ": " + std::strerror(error));
  }
}

FolderLock::~FolderLock() { ::close(fd_); }

}  // namespace syncsim
