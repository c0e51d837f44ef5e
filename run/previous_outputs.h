// What an earlier run or sweep left in an output folder, and clearing it.
// A run refuses a folder that is not empty unless told to replace it
// (`syncsim run --force`); replacing clears exactly what syncsim and its
// report scripts write there and keeps every other entry of the user's:
//
//   run output files   output_file_names() (run/output_folder.h)
//   plots/             the figures (*.png, *.pdf, *.svg) and report.md and
//                      report.html that analysis/plot_run.py and
//                      sweep_report.py write, and their .NAME.tmp files;
//                      the folder goes when nothing else is left in it
//   points/            a sweep's point folders: their output files,
//                      point.yaml, log.txt, done and failed, and the
//                      temporaries of these a killed point left
//
// Only regular files and symbolic links are removed (a link itself, never
// what it points to); a folder is removed only once it is empty.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace syncsim {

// The names in `dir`, sorted; empty if `dir` is absent or empty.
std::vector<std::string> folder_entries(const std::filesystem::path& dir);

// "runs/x is not empty (it holds a.csv, b.csv and 3 more)": for a refusal.
std::string describe_non_empty(const std::filesystem::path& dir,
                               const std::vector<std::string>& entries);

// Whether `name` is one the report scripts write into plots/.
bool is_report_file_name(const std::string& name);

// Removes the report files in `plots` (see above), then `plots` if empty.
void clear_report_folder(const std::filesystem::path& plots);

// Removes a sweep's files in one point folder (see above), then the folder
// if empty.
void clear_point_folder(const std::filesystem::path& point);

// Removes the sweep's files in every point folder of `points`, then the
// empty ones and `points` itself if empty.
void clear_sweep_points(const std::filesystem::path& points);

// Removes what a run or a sweep wrote in `dir` (see above): run output
// files, sweep files under points/, and report files under plots/. Throws
// std::runtime_error naming an entry it cannot remove.
void clear_previous_outputs(const std::filesystem::path& dir);

}  // namespace syncsim
