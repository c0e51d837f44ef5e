// What a testbed run reports (docs/testbed.md): testbed.csv, one row per
// step, predicted against measured; testbed.svg, the same as a figure; and
// the least-squares fit that `syncsim calibrate` makes of one-way times.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace app::testbed {

struct StepRow {
  int step = 0;
  double predicted_s = 0.0;            // the simulation (as the scenario says)
  double measured_s = 0.0;             // the testbed's real clock
  std::optional<double> calibrated_s;  // the simulation with the fitted keys
};

// Relative error of a prediction: (predicted - measured) / measured.
double relative_error(double predicted, double measured);

// testbed.csv text: step, predicted_s, measured_s, error, and with a
// calibration, calibrated_s and calibrated_error; a last row `total` for the
// whole run.
std::string steps_csv(const std::vector<StepRow>& rows);

// testbed.svg text: predicted (and calibrated) and measured seconds per step.
std::string steps_svg(const std::vector<StepRow>& rows, const std::string& title);

// seconds = intercept + slope x bytes, fitted by least squares of relative
// residuals (weights 1 / seconds^2), as analysis/fit_calibration.py does.
struct LineFit {
  double intercept_s = 0.0;
  double slope_s_per_byte = 0.0;
};
// REQUIRES two distinct sizes or more; throws std::invalid_argument if not.
LineFit fit_line(const std::vector<std::pair<double, double>>& bytes_seconds);

// Writes `text` to `path` whole (a temporary file renamed); throws
// std::runtime_error if it cannot.
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace app::testbed
