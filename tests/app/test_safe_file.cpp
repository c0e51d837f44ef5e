// run/safe_file.h: what the CLI writes never goes through a link or onto a
// file that is not a regular file, and a planted NAME.tmp is never followed.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "run/outputs.h"
#include "run/safe_file.h"
#include "scratch_folder.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The message of the std::runtime_error write_file_atomically throws, or "".
std::string refusal(const fs::path& path) {
  try {
    syncsim::write_file_atomically(path, "new\n");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a file is written whole through a temporary of its own, and a regular file replaced") {
  ScratchFolder dir("safe-file");
  SECTION("a new file") {
    syncsim::write_file_atomically(dir.path / "a.csv", "x\n");
    CHECK(read(dir.path / "a.csv") == "x\n");
  }
  SECTION("an existing regular file") {
    write(dir.path / "a.csv", "old\n");
    syncsim::write_file_atomically(dir.path / "a.csv", "new\n");
    CHECK(read(dir.path / "a.csv") == "new\n");
  }
  // Nothing but the file is left in the folder: no temporary.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("what is not a regular file is refused and left as it was") {
  ScratchFolder dir("safe-file");
  write(dir.path / "victim", "precious\n");
  SECTION("a symbolic link, to a regular file") {
    fs::create_symlink(dir.path / "victim", dir.path / "link");
    CHECK(refusal(dir.path / "link") == "refusing to write " + (dir.path / "link").string() +
                                            ": it is a symbolic link, and syncsim only replaces "
                                            "regular files (give another path)");
    CHECK(fs::is_symlink(dir.path / "link"));
  }
  SECTION("a dangling symbolic link") {
    fs::create_symlink(dir.path / "nowhere", dir.path / "link");
    CHECK(refusal(dir.path / "link").find("it is a symbolic link") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path / "nowhere"));
  }
  SECTION("a FIFO") {
    REQUIRE(mkfifo((dir.path / "fifo").c_str(), 0644) == 0);
    CHECK(refusal(dir.path / "fifo").find("it is a FIFO") != std::string::npos);
    CHECK(fs::is_fifo(dir.path / "fifo"));
  }
  SECTION("a device") {
    CHECK(refusal("/dev/null").find("refusing to write /dev/null: it is a device") !=
          std::string::npos);
    CHECK(fs::is_character_file("/dev/null"));
  }
  SECTION("a folder") {
    fs::create_directory(dir.path / "sub");
    CHECK(refusal(dir.path / "sub").find("it is a folder") != std::string::npos);
    CHECK(fs::is_directory(dir.path / "sub"));
  }
  CHECK(read(dir.path / "victim") == "precious\n");
  // And no temporary was left behind.
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("a planted NAME.tmp link is not followed: the file it points to is untouched") {
  ScratchFolder dir("safe-file");
  write(dir.path / "victim", "precious\n");
  fs::create_symlink(dir.path / "victim", dir.path / "a.csv.tmp");
  const std::string pid = std::to_string(getpid());
  for (int k = 0; k < 4; ++k) {  // the names this process would try first, too
    fs::create_symlink(dir.path / "victim",
                       dir.path / ("a.csv.tmp." + pid + "." + std::to_string(k)));
  }
  syncsim::write_file_atomically(dir.path / "a.csv", "new\n");
  CHECK(read(dir.path / "a.csv") == "new\n");
  CHECK(read(dir.path / "victim") == "precious\n");
  CHECK(fs::is_symlink(dir.path / "a.csv.tmp"));
}

TEST_CASE("a new file is created exclusively, never over a link") {
  ScratchFolder dir("safe-file");
  write(dir.path / "victim", "precious\n");
  fs::create_symlink(dir.path / "victim", dir.path / "link");
  CHECK(syncsim::create_new_file(dir.path / "link") == -1);
  CHECK(syncsim::create_new_file(dir.path / "victim") == -1);
  const int fd = syncsim::create_new_file(dir.path / "fresh");
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  CHECK(read(dir.path / "victim") == "precious\n");
}
