// Output files that never destroy data (DESIGN.md, "Outputs"): syncsim never
// writes through a symbolic link or onto anything but a regular file, and a
// file it writes is either its old self or complete. Every file the CLI and
// the library write goes through here.
#pragma once

#include <filesystem>
#include <string>

namespace syncsim {

// Throws std::runtime_error, with a message naming `path` and what it is,
// unless `path` does not exist yet or is a regular file. A symbolic link is
// refused whatever it points to (it is never followed), and so are folders,
// devices (/dev/null), FIFOs and sockets.
void require_replaceable_file(const std::filesystem::path& path);

// Writes `content` to a temporary file created exclusively next to `path`
// (O_CREAT | O_EXCL | O_NOFOLLOW, a name of this process's own, so nothing
// planted there is followed or truncated), then renames it over `path`: a
// reader sees the old file or the complete new one. REQUIRES nothing of
// `path`: if require_replaceable_file refuses it, this throws the same
// std::runtime_error and writes nothing. Other failures (a full disk, no
// permission) throw std::runtime_error naming the path; the temporary file is
// removed.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

// Creates `path` as a new, empty regular file (O_CREAT | O_EXCL | O_NOFOLLOW)
// and returns its open descriptor (O_WRONLY | O_CLOEXEC), or -1 with errno set
// if it exists (as anything, a dangling link included) or cannot be created.
int create_new_file(const std::filesystem::path& path);

}  // namespace syncsim
