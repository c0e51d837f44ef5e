#include "algorithms/ml/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

namespace ml {
namespace {

// One line split into fields. Quoted fields keep their commas; "" inside
// quotes is one quote.
std::vector<std::string> split_fields(const std::string& line, const std::string& path,
                                      std::int64_t line_no) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.find_first_not_of(" \t") == std::string::npos && !was_quoted) {
      field.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) {
    throw DataError(path, "line " + std::to_string(line_no) + ": a quoted field is not closed");
  }
  fields.push_back(field);
  for (std::string& f : fields) {  // surrounding spaces are not part of a value
    const auto first = f.find_first_not_of(" \t");
    const auto last = f.find_last_not_of(" \t");
    f = first == std::string::npos ? std::string() : f.substr(first, last - first + 1);
  }
  return fields;
}

struct Header {
  std::vector<std::string> names;
  int label = -1, client = -1;
  std::vector<int> features;  // indices of the feature columns
};

std::ifstream open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, "cannot open the file (missing or unreadable)");
  return in;
}

bool read_line(std::ifstream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
  return true;
}

Header read_header(std::ifstream& in, const std::string& path, const CsvColumns& columns) {
  std::string line;
  if (!read_line(in, line) || line.find_first_not_of(" \t") == std::string::npos) {
    throw DataError(path, "line 1: expected a header row naming the columns");
  }
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // BOM
  Header h;
  h.names = split_fields(line, path, 1);
  std::map<std::string, int> seen;
  for (int i = 0; i < static_cast<int>(h.names.size()); ++i) {
    const std::string& name = h.names[static_cast<std::size_t>(i)];
    if (name.empty()) {
      throw DataError(path, "line 1: column " + std::to_string(i + 1) + " has no name");
    }
    if (!seen.emplace(name, i).second) {
      throw DataError(path, "line 1: column '" + name + "' appears twice");
    }
  }
  auto find = [&](const std::string& name, const char* key) {
    const auto it = seen.find(name);
    if (it == seen.end()) {
      throw DataError(path, "line 1: no column named '" + name + "' (data." + key +
                                "; the columns are: " + line + ")");
    }
    return it->second;
  };
  h.label = find(columns.label, "label");
  if (!columns.client.empty() && (columns.client_required || seen.count(columns.client))) {
    h.client = find(columns.client, "client");
  }
  for (int i = 0; i < static_cast<int>(h.names.size()); ++i) {
    if (i != h.label && i != h.client) h.features.push_back(i);
  }
  if (h.features.empty()) throw DataError(path, "line 1: no feature column");
  return h;
}

std::string where(std::int64_t line_no, const std::string& column) {
  return "line " + std::to_string(line_no) + ", column '" + column + "'";
}

}  // namespace

std::vector<std::string> csv_feature_columns(const std::string& path, const CsvColumns& columns) {
  std::ifstream in = open(path);
  const Header h = read_header(in, path, columns);
  std::vector<std::string> names;
  for (int i : h.features) names.push_back(h.names[static_cast<std::size_t>(i)]);
  return names;
}

namespace {

// Reads every data row after the header, checking it, and hands each to
// on_row(features, label, client): `features` (one value per feature column)
// and `client` ("" without a client column) are valid during the call.
// Returns the last line number read.
template <class OnRow>
std::int64_t read_rows(std::ifstream& in, const Header& h, const std::string& path,
                       const CsvColumns& columns, OnRow&& on_row) {
  const std::size_t width = h.names.size();
  std::vector<float> features(h.features.size());
  const std::string no_client;
  std::string line;
  std::int64_t line_no = 1;
  while (read_line(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    const std::vector<std::string> fields = split_fields(line, path, line_no);
    if (fields.size() != width) {
      throw DataError(path, "line " + std::to_string(line_no) + ": " +
                                std::to_string(fields.size()) + " fields, the header has " +
                                std::to_string(width));
    }
    for (std::size_t f = 0; f < h.features.size(); ++f) {
      const int i = h.features[f];
      const std::string& text = fields[static_cast<std::size_t>(i)];
      float v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(v)) {
        throw DataError(path, where(line_no, h.names[static_cast<std::size_t>(i)]) +
                                  ": expected a finite number, got '" + text + "'");
      }
      features[f] = v;
    }
    const std::string& label_text = fields[static_cast<std::size_t>(h.label)];
    std::int64_t label = -1;
    const auto [end, ec] =
        std::from_chars(label_text.data(), label_text.data() + label_text.size(), label);
    if (label_text.empty() || ec != std::errc() || end != label_text.data() + label_text.size() ||
        label < 0 || label >= kMaxClasses) {
      throw DataError(path, where(line_no, columns.label) +
                                ": expected an integer class from 0 to " +
                                std::to_string(kMaxClasses - 1) + ", got '" + label_text + "'");
    }
    const std::string& client =
        h.client >= 0 ? fields[static_cast<std::size_t>(h.client)] : no_client;
    if (h.client >= 0 && client.empty()) {
      throw DataError(path, where(line_no, columns.client) + ": empty client");
    }
    on_row(features, static_cast<std::int32_t>(label), client);
  }
  if (in.bad()) throw DataError(path, "read error after line " + std::to_string(line_no));
  return line_no;
}

}  // namespace

CsvSummary scan_csv(const std::string& path, const CsvColumns& columns) {
  std::ifstream in = open(path);
  const Header h = read_header(in, path, columns);
  CsvSummary out;
  out.features = static_cast<int>(h.features.size());
  std::set<std::string> clients;
  read_rows(in, h, path, columns,
            [&](const std::vector<float>&, std::int32_t label, const std::string& client) {
              ++out.rows;
              out.num_classes = std::max(out.num_classes, label + 1);
              if (h.client >= 0) clients.insert(client);
            });
  if (out.rows == 0) throw DataError(path, "no data row after the header");
  out.clients = static_cast<std::int64_t>(clients.size());
  return out;
}

CsvData load_csv(const std::string& path, const CsvColumns& columns) {
  std::ifstream in = open(path);
  const Header h = read_header(in, path, columns);
  std::vector<float> values;
  std::vector<std::int32_t> labels;
  std::vector<std::string> client_of_row;
  read_rows(in, h, path, columns,
            [&](const std::vector<float>& features, std::int32_t label, const std::string& client) {
              if (labels.size() >= static_cast<std::size_t>(INT32_MAX)) {
                throw DataError(path, "more than 2147483647 rows");
              }
              values.insert(values.end(), features.begin(), features.end());
              labels.push_back(label);
              if (h.client >= 0) client_of_row.push_back(client);
            });
  if (labels.empty()) throw DataError(path, "no data row after the header");

  CsvData out;
  const auto rows = static_cast<Eigen::Index>(labels.size());
  const auto cols = static_cast<Eigen::Index>(h.features.size());
  out.data.features = Eigen::Map<const RowMatrix>(values.data(), rows, cols);
  out.data.labels = std::move(labels);
  out.data.num_classes = 1 + *std::max_element(out.data.labels.begin(), out.data.labels.end());
  if (h.client >= 0) {
    std::map<std::string, std::int32_t> ids;
    for (const std::string& c : client_of_row) ids.emplace(c, 0);
    std::int32_t next = 0;
    for (auto& [name, id] : ids) {
      id = next++;
      out.clients.push_back(name);
    }
    out.data.groups.reserve(client_of_row.size());
    for (const std::string& c : client_of_row) out.data.groups.push_back(ids.at(c));
  }
  return out;
}

}  // namespace ml
