#include "app/check_report.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>

namespace app {
namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline, return.
        out += (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ? '?' : ch;
    }
  }
  return out;
}

std::string seconds_attribute(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", s);
  return buffer;
}

}  // namespace

std::string format_report(const std::vector<ScenarioCheck>& checks) {
  std::vector<std::array<std::string, 6>> lines = {
      {"scenario", "run", "metric", "expected", "got", "result"}};
  std::vector<std::string> details;
  int total = 0, failed = 0;
  for (const ScenarioCheck& s : checks) {
    if (!s.error.empty()) {
      lines.push_back({s.name, "", "", "", "", "ERROR"});
      details.push_back(s.file + ": " + s.error);
      ++total;
      ++failed;
      continue;
    }
    for (const CheckCase& c : s.cases) {
      lines.push_back({s.name, c.label, c.metric, c.expected, c.got, c.passed ? "pass" : "FAIL"});
      ++total;
      if (!c.passed) {
        ++failed;
        details.push_back(c.message);
      }
    }
  }
  std::array<std::size_t, 6> width{};
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::ostringstream out;
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(width[i] - line[i].size() + 2, ' ');
    }
    out << text << '\n';
  }
  if (!details.empty()) {
    out << "\nfailures:\n";
    for (const std::string& d : details) out << "  " << d << '\n';
  }
  out << '\n'
      << checks.size() << " scenario" << (checks.size() == 1 ? "" : "s") << ", " << total
      << " check" << (total == 1 ? "" : "s") << ": " << total - failed << " passed, " << failed
      << " failed\n";
  return out.str();
}

std::string junit_xml(const std::vector<ScenarioCheck>& checks) {
  int tests = 0, failures = 0, errors = 0;
  double time = 0.0;
  std::ostringstream suites;
  for (const ScenarioCheck& s : checks) {
    const bool error = !s.error.empty();
    const int n = error ? 1 : static_cast<int>(s.cases.size());
    const int f = error ? 0 : s.failures();
    tests += n;
    failures += f;
    errors += error ? 1 : 0;
    time += s.wall_seconds;
    suites << "  <testsuite name=\"" << xml_escape(s.name) << "\" file=\"" << xml_escape(s.file)
           << "\" tests=\"" << n << "\" failures=\"" << f << "\" errors=\"" << (error ? 1 : 0)
           << "\" time=\"" << seconds_attribute(s.wall_seconds) << "\">\n";
    if (error) {
      suites << "    <testcase classname=\"" << xml_escape(s.name) << "\" name=\"run\">\n"
             << "      <error message=\"" << xml_escape(s.error) << "\" type=\""
             << (s.bad_input ? "bad_input" : "internal") << "\"/>\n    </testcase>\n";
    }
    for (const CheckCase& c : s.cases) {
      const std::string name =
          (c.label.empty() ? "" : c.label + ": ") + c.metric + " " + c.expected;
      suites << "    <testcase classname=\"" << xml_escape(s.name) << "\" name=\""
             << xml_escape(name) << "\"";
      if (c.passed) {
        suites << "/>\n";
      } else {
        suites << ">\n      <failure message=\""
               << xml_escape("got " + c.got + ", expected " + c.expected) << "\" type=\""
               << (c.metric == "golden" ? "golden" : "expectation") << "\">"
               << xml_escape(c.message) << "</failure>\n    </testcase>\n";
      }
    }
    suites << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"syncsim check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" time=\"" << seconds_attribute(time) << "\">\n"
      << suites.str() << "</testsuites>\n";
  return out.str();
}

}  // namespace app
