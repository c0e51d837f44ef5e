#include "app/testbed_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>

namespace app::testbed {
namespace {

std::string number(double v, const char* format = "%.6f") {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

}  // namespace

double relative_error(double predicted, double measured) {
  return measured > 0 ? (predicted - measured) / measured : 0.0;
}

std::string steps_csv(const std::vector<StepRow>& rows) {
  const bool calibrated = !rows.empty() && rows.front().calibrated_s.has_value();
  std::string out = "step,predicted_s,measured_s,error";
  out += calibrated ? ",calibrated_s,calibrated_error\n" : "\n";
  StepRow total;
  total.calibrated_s = calibrated ? std::optional<double>(0.0) : std::nullopt;
  auto line = [&](const std::string& step, const StepRow& r) {
    out += step + "," + number(r.predicted_s) + "," + number(r.measured_s) + "," +
           number(relative_error(r.predicted_s, r.measured_s), "%.4f");
    if (calibrated) {
      out += "," + number(*r.calibrated_s) + "," +
             number(relative_error(*r.calibrated_s, r.measured_s), "%.4f");
    }
    out += "\n";
  };
  for (const StepRow& r : rows) {
    line(std::to_string(r.step), r);
    total.predicted_s += r.predicted_s;
    total.measured_s += r.measured_s;
    if (calibrated) *total.calibrated_s += *r.calibrated_s;
  }
  line("total", total);
  return out;
}

std::string steps_svg(const std::vector<StepRow>& rows, const std::string& title) {
  const double width = 640, height = 360, left = 70, right = 20, top = 40, bottom = 50;
  double top_value = 0;
  for (const StepRow& r : rows) {
    top_value = std::max({top_value, r.predicted_s, r.measured_s, r.calibrated_s.value_or(0.0)});
  }
  top_value = top_value > 0 ? top_value * 1.1 : 1.0;
  const double n = static_cast<double>(std::max<std::size_t>(rows.size(), 1));
  const double slot = (width - left - right) / n;
  auto y = [&](double v) { return top + (height - top - bottom) * (1 - v / top_value); };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width, "%.0f") +
                  "\" height=\"" + number(height, "%.0f") +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n"
                  "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + number(width / 2, "%.0f") +
       "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">" + title + "</text>\n";
  for (int t = 0; t <= 4; ++t) {
    const double v = top_value * t / 4;
    s += "<line x1=\"" + number(left, "%.0f") + "\" x2=\"" + number(width - right, "%.0f") +
         "\" y1=\"" + number(y(v), "%.1f") + "\" y2=\"" + number(y(v), "%.1f") +
         "\" stroke=\"#ddd\"/>\n<text x=\"" + number(left - 6, "%.0f") + "\" y=\"" +
         number(y(v) + 4, "%.1f") + "\" text-anchor=\"end\">" + number(v, "%.3g") + "</text>\n";
  }
  s += "<text x=\"16\" y=\"" + number((height - bottom + top) / 2, "%.0f") +
       "\" transform=\"rotate(-90 16 " + number((height - bottom + top) / 2, "%.0f") +
       ")\" text-anchor=\"middle\">seconds per step</text>\n";
  const bool calibrated = !rows.empty() && rows.front().calibrated_s.has_value();
  const int bars = calibrated ? 3 : 2;
  const char* colours[3] = {"#4477aa", "#ee6677", "#228833"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double values[3] = {rows[i].measured_s, rows[i].predicted_s,
                              rows[i].calibrated_s.value_or(0.0)};
    const double bar = slot * 0.8 / bars;
    for (int b = 0; b < bars; ++b) {
      const double x = left + slot * static_cast<double>(i) + slot * 0.1 + bar * b;
      s += "<rect x=\"" + number(x, "%.1f") + "\" y=\"" + number(y(values[b]), "%.1f") +
           "\" width=\"" + number(bar, "%.1f") + "\" height=\"" +
           number(y(0) - y(values[b]), "%.1f") + "\" fill=\"" + colours[b] + "\"/>\n";
    }
    if (rows.size() <= 30 || i % (rows.size() / 30 + 1) == 0) {
      s += "<text x=\"" + number(left + slot * (static_cast<double>(i) + 0.5), "%.1f") + "\" y=\"" +
           number(height - bottom + 16, "%.0f") + "\" text-anchor=\"middle\">" +
           std::to_string(rows[i].step) + "</text>\n";
    }
  }
  s += "<text x=\"" + number((left + width - right) / 2, "%.0f") + "\" y=\"" +
       number(height - 12, "%.0f") + "\" text-anchor=\"middle\">step</text>\n";
  const char* names[3] = {"measured", "predicted", "calibrated"};
  for (int b = 0; b < bars; ++b) {
    const double x = left + 10 + 110 * b;
    s += "<rect x=\"" + number(x, "%.0f") + "\" y=\"" + number(top - 4, "%.0f") +
         "\" width=\"10\" height=\"10\" fill=\"" + colours[b] + "\"/><text x=\"" +
         number(x + 14, "%.0f") + "\" y=\"" + number(top + 5, "%.0f") + "\">" + names[b] +
         "</text>\n";
  }
  return s + "</svg>\n";
}

LineFit fit_line(const std::vector<std::pair<double, double>>& bytes_seconds) {
  std::set<double> sizes;
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, t] : bytes_seconds) {
    if (!(t > 0)) throw std::invalid_argument("a measured time is not positive");
    sizes.insert(x);
    const double w = 1 / (t * t);
    sw += w;
    sx += w * x;
    sy += w * t;
    sxx += w * x * x;
    sxy += w * x * t;
  }
  if (sizes.size() < 2) throw std::invalid_argument("a line needs two message sizes or more");
  const double mean_x = sx / sw, mean_y = sy / sw;
  const double slope = (sxy - sw * mean_x * mean_y) / (sxx - sw * mean_x * mean_x);
  return {mean_y - slope * mean_x, slope};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace app::testbed
