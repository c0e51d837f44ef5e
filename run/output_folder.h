// OutputFolder: a run's output folder, published whole (DESIGN.md,
// "Outputs"). The files are written into a fresh staging folder next to it
// and put in its place with one rename, so a reader, or a run that fails or
// is killed, sees the previous complete run or the new one, never a mix; a
// lock refuses a second run into the same folder while this one lasts.
//
//   syncsim::OutputFolder folder("runs/mine");  // locks; throws if in use
//   ... run the scenario ...
//   folder.stage(syncsim::output_files(result));
//   folder.publish();                           // runs/mine is the new run
//
// Next to runs/mine it keeps `.mine.lock` (empty, kept: removing a lock file
// races with its next user) and, while a run lasts, `.mine.staging-PID.N`.
// A folder that is a mount point (a container's volume) cannot be renamed:
// there the staging folder is inside it, and the complete files are renamed
// in one by one, which a kill can interrupt (the only case of a mix).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "run/folder_lock.h"

namespace syncsim {

// One output file: its name in the folder and its whole content.
using OutputFile = std::pair<std::string, std::string>;

class OutputFolder {
 public:
  // Creates the parent folders if needed, takes the lock (flock on
  // `.NAME.lock` in the parent) and makes an empty staging folder. Throws
  // std::runtime_error, naming the folder, if another run holds the lock,
  // if `dir` is a symbolic link or exists and is not a folder, or if the
  // parent cannot be written.
  explicit OutputFolder(const std::filesystem::path& dir);
  // Removes the staging folder unless published, and releases the lock; a
  // folder never published also removes the parent folders it created.
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // Writes `files` into the staging folder (run/safe_file.h). REQUIRES: not
  // yet published. Throws std::runtime_error naming a file it cannot write;
  // `dir` is untouched either way.
  void stage(const std::vector<OutputFile>& files);

  // Puts the staging folder in the place of `dir` with one rename (an
  // exchange when `dir` exists) and returns the published files' paths.
  // Entries of the previous folder that are not run output files (notes,
  // the user's own files in plots/) are moved into the new one; the previous run's output files and
  // the report files in plots/ (run/previous_outputs.h) are removed, so none
  // of them mixes with the new run. REQUIRES: staged, not
  // yet published. Throws std::runtime_error if `dir` became a link or a
  // file meanwhile.
  std::vector<std::filesystem::path> publish();

 private:
  void publish_folder();        // the staging folder takes dir_'s place
  void publish_file_by_file();  // in_place_: each staged file is renamed into dir_
  void carry_over_foreign_entries(const std::filesystem::path& previous) const;

  // Constant after construction.
  std::filesystem::path dir_;                   // absolute, normalised
  std::filesystem::path parent_;                // dir_'s parent, where the lock and staging live
  std::optional<FolderLock> lock_;              // held until destruction
  std::vector<std::filesystem::path> created_;  // missing parents this made, deepest first
  // dir_ is a mount point (it cannot be renamed): staged inside it, and
  // published file by file once all are complete.
  bool in_place_ = false;
  // The staging folder; empty once published.
  std::filesystem::path staging_;
  std::vector<std::string> staged_;  // names written by stage()
  bool published_ = false;
};

// Whether `name` is one a run writes into its folder (outputs.h's list).
bool is_output_file_name(const std::string& name);
// Every such name, in the order output_files (run/outputs.h) writes them.
const std::vector<std::string>& output_file_names();

}  // namespace syncsim
