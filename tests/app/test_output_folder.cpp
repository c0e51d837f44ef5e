// run/output_folder.h: a run's folder is published whole; what fails or is
// killed before that leaves the previous run byte for byte; one run at a
// time per folder.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "run/output_folder.h"
#include "scratch_folder.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Every entry of `dir` (names starting with '.' too) with its content ("<dir>" for folders).
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> all;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string text = "<dir>";
    if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      text = s.str();
    }
    all[entry.path().filename().string()] = text;
  }
  return all;
}

void publish(const fs::path& dir, const std::vector<syncsim::OutputFile>& files) {
  syncsim::OutputFolder folder(dir);
  folder.stage(files);
  folder.publish();
}

std::string refusal(const fs::path& dir) {
  try {
    syncsim::OutputFolder folder(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a published run replaces the previous one whole and keeps what is not a run output") {
  ScratchFolder scratch("output-folder");
  const fs::path run = scratch.path / "run";
  publish(run, {{"metrics.csv", "old\n"}, {"trace.json", "{}\n"}});
  write(run / "notes.txt", "mine\n");
  // plots/: the previous run's figures and report go, the user's files stay.
  fs::create_directory(run / "plots");
  write(run / "plots" / "accuracy.png", "old figure");
  write(run / "plots" / "report.html", "old report");
  write(run / "plots" / "mine.txt", "mine\n");
  fs::create_directories(run / "points" / "0000-a");
  write(run / "points" / "0000-a" / "done", "");
  publish(run, {{"metrics.csv", "new\n"}, {"summary.csv", "s\n"}});
  CHECK(contents(run) == std::map<std::string, std::string>{{"metrics.csv", "new\n"},
                                                            {"summary.csv", "s\n"},
                                                            {"notes.txt", "mine\n"},
                                                            {"plots", "<dir>"}});
  CHECK(contents(run / "plots") == std::map<std::string, std::string>{{"mine.txt", "mine\n"}});
  // A plots/ of figures only goes whole.
  write(run / "plots" / "loss.svg", "old figure");
  fs::remove(run / "plots" / "mine.txt");
  publish(run, {{"metrics.csv", "newer\n"}});
  CHECK(contents(run) ==
        std::map<std::string, std::string>{{"metrics.csv", "newer\n"}, {"notes.txt", "mine\n"}});
  // Next to it, only the lock file: no staging folder, no previous run.
  CHECK(contents(scratch.path) ==
        std::map<std::string, std::string>{{".run.lock", ""}, {"run", "<dir>"}});
}

TEST_CASE("a run that fails or is killed before publishing leaves the previous run byte for byte") {
  ScratchFolder scratch("output-folder");
  const fs::path run = scratch.path / "run";
  publish(run, {{"metrics.csv", "complete\n"}, {"summary.csv", "s\n"}});
  const auto before = contents(run);
  SECTION("it fails after staging some files") {
    syncsim::OutputFolder folder(run);
    folder.stage({{"metrics.csv", "half\n"}});
    // ... the run fails here: the folder is never published.
  }
  SECTION("it was killed: its staging folder is left, and the next run clears it") {
    fs::create_directory(scratch.path / ".run.staging-999.0");
    write(scratch.path / ".run.staging-999.0" / "metrics.csv", "half\n");
    syncsim::OutputFolder next(run);
    CHECK_FALSE(fs::exists(scratch.path / ".run.staging-999.0"));
  }
  SECTION("a staging folder holding anything but run outputs is left alone") {
    fs::create_directory(scratch.path / ".run.staging-999.0");
    write(scratch.path / ".run.staging-999.0" / "notes.txt", "mine\n");
    syncsim::OutputFolder next(run);
    CHECK(fs::exists(scratch.path / ".run.staging-999.0" / "notes.txt"));
  }
  CHECK(contents(run) == before);
}

TEST_CASE("a run never published leaves no folder it made") {
  ScratchFolder scratch("output-folder");
  {
    syncsim::OutputFolder folder(scratch.path / "a" / "b" / "run");
    folder.stage({{"metrics.csv", "half\n"}});
  }
  CHECK(fs::is_empty(scratch.path));
}

TEST_CASE("a second run into a folder in use is refused until the first is done") {
  ScratchFolder scratch("output-folder");
  const fs::path run = scratch.path / "run";
  {
    syncsim::OutputFolder first(run);
    CHECK(refusal(run).find("another syncsim run or sweep is writing to " + run.string()) == 0);
    CHECK(refusal(scratch.path / "other") == "");  // another folder is free
  }
  CHECK(refusal(run) == "");
}

TEST_CASE("an output folder that is a link or a file is refused") {
  ScratchFolder scratch("output-folder");
  fs::create_directory(scratch.path / "real");
  SECTION("a link to a folder") {
    fs::create_directory_symlink(scratch.path / "real", scratch.path / "link");
    CHECK(refusal(scratch.path / "link") == "refusing to write into " +
                                                (scratch.path / "link").string() +
                                                ": it is a symbolic link (give the folder it "
                                                "points to)");
  }
  SECTION("a file") {
    write(scratch.path / "file", "x");
    CHECK(refusal(scratch.path / "file").find("it is not a folder") != std::string::npos);
  }
  CHECK(fs::is_empty(scratch.path / "real"));
}

TEST_CASE("the current directory, or a folder holding it, is refused as the output folder") {
  ScratchFolder scratch("output-folder");
  fs::create_directories(scratch.path / "a" / "b");
  const fs::path before = fs::current_path();
  fs::current_path(scratch.path / "a" / "b");
  const std::string here = refusal(".");
  const std::string above = refusal(scratch.path / "a");
  const std::string beside = refusal(scratch.path / "c");
  fs::current_path(before);
  INFO(here);
  INFO(above);
  CHECK(here.find("it is the current directory") != std::string::npos);
  CHECK(above.find("it holds the current directory") != std::string::npos);
  CHECK(beside == "");
}
