#include "algorithms/ml/profiles/profile_csv.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace ml {
namespace {

struct Cell {
  std::string text;
  int column = 1;  // 1-based character column where it starts
};

constexpr std::size_t kMaxLine = 65536;
const std::array<const char*, 6> kColumns = {"name",          "kind",           "parameters",
                                             "forward_flops", "backward_flops", "activation_bytes"};

std::vector<Cell> split(const std::string& line) {
  std::vector<Cell> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::size_t end = comma == std::string::npos ? line.size() : comma;
    std::size_t a = start, b = end;
    while (a < b && (line[a] == ' ' || line[a] == '\t')) ++a;
    while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r')) --b;
    cells.push_back({line.substr(a, b - a), static_cast<int>(a) + 1});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cells;
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(int line, int column, const std::string& key,
                         const std::string& what) const {
    throw ProfileError(path_, line, column, key, what);
  }

  double number(const Cell& cell, int line, const std::string& key, double most) const {
    if (cell.text.empty()) fail(line, cell.column, key, "expected a number, got an empty cell");
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(cell.text.c_str(), &end);
    if (end != cell.text.c_str() + cell.text.size() || errno == ERANGE || !std::isfinite(value)) {
      fail(line, cell.column, key, "expected a number, got '" + cell.text + "'");
    }
    if (value < 0 || value > most) {
      fail(line, cell.column, key,
           "must be between 0 and " + std::to_string(static_cast<long long>(most)) + ", got " +
               cell.text);
    }
    return value;
  }

  std::int64_t integer(const Cell& cell, int line, const std::string& key, double most) const {
    const double value = number(cell, line, key, most);
    if (value != std::floor(value)) {
      fail(line, cell.column, key, "expected a whole number, got " + cell.text);
    }
    return static_cast<std::int64_t>(value);
  }

 private:
  std::string path_;
};

}  // namespace

LayerProfile read_profile_csv(const std::string& path) {
  Reader reader(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) reader.fail(1, 1, "", "cannot open the profile file");
  std::string text;
  int line = 0;
  std::vector<int> index(kColumns.size(), -1);  // column position of each known name
  bool header = false;
  LayerProfile profile;
  profile.name = path;
  std::int64_t parameters = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.size() > kMaxLine) reader.fail(line, 1, "", "line longer than 65536 characters");
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (text.find('"') != std::string::npos) {
      reader.fail(line, static_cast<int>(text.find('"')) + 1, "", "quoted cells are not supported");
    }
    const std::vector<Cell> cells = split(text);
    if (!header) {
      header = true;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        std::size_t k = 0;
        while (k < kColumns.size() && cells[c].text != kColumns[k]) ++k;
        if (k == kColumns.size()) {
          reader.fail(line, cells[c].column, cells[c].text,
                      "unknown column (expected name, kind, parameters, forward_flops, "
                      "backward_flops, activation_bytes)");
        }
        if (index[k] >= 0) reader.fail(line, cells[c].column, cells[c].text, "column given twice");
        index[k] = static_cast<int>(c);
      }
      for (std::size_t k = 0; k < kColumns.size(); ++k) {
        if (index[k] < 0 && k != 4) {
          reader.fail(line, 1, kColumns[k],
                      std::string("the header lacks the column ") + kColumns[k]);
        }
      }
      continue;
    }
    if (cells.size() != static_cast<std::size_t>(std::count_if(index.begin(), index.end(),
                                                               [](int i) { return i >= 0; }))) {
      reader.fail(line, 1, "",
                  "expected one cell per header column, got " + std::to_string(cells.size()));
    }
    if (static_cast<int>(profile.layers.size()) == kMaxProfileLayers) {
      reader.fail(line, 1, "", "more than 100000 layers");
    }
    auto cell = [&](std::size_t k) -> const Cell& {
      return cells[static_cast<std::size_t>(index[k])];
    };
    ProfileLayer l;
    l.name = cell(0).text;
    if (!layer_kind_from_name(cell(1).text, l.kind)) {
      reader.fail(line, cell(1).column, "kind",
                  "unknown kind '" + cell(1).text +
                      "' (expected conv, linear, attention, embedding, norm or other)");
    }
    l.parameters =
        reader.integer(cell(2), line, "parameters", static_cast<double>(kMaxProfileParameters));
    l.forward_flops = reader.number(cell(3), line, "forward_flops", 1e18);
    l.backward_flops = 2.0 * l.forward_flops;
    if (index[4] >= 0 && !cell(4).text.empty()) {
      l.backward_flops = reader.number(cell(4), line, "backward_flops", 1e18);
    }
    l.activation_bytes = reader.integer(cell(5), line, "activation_bytes", 1e15);
    parameters += l.parameters;
    if (parameters > kMaxProfileParameters) {
      reader.fail(line, cell(2).column, "parameters",
                  "the profile would have more than 1000000000 parameters (4 GB per copy)");
    }
    profile.layers.push_back(std::move(l));
  }
  if (!header) reader.fail(1, 1, "", "the profile file is empty (expected a header row)");
  if (profile.layers.empty()) reader.fail(line, 1, "", "the profile has no layers");
  if (parameters == 0) reader.fail(line, 1, "parameters", "the profile has no parameters");
  return profile;
}

}  // namespace ml
