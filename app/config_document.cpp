// Reading a scenario document: ConfigNode's loaders, the checks that
// yaml-cpp leaves out (control characters, a second document, duplicate and
// non-scalar keys), and ScenarioError's message.
#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "app/config_node.h"
#include "app/config_node_detail.h"

namespace app {

using config_detail::fail_at;
using config_detail::in_quotes;
using config_detail::join_path;
using config_detail::one_based;

namespace {

// Records where the first node of a document starts; ignores the rest.
class FirstNodeMark : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> mark;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (!mark) mark = m;
  }
};

// Where a second YAML document starts, if there is one. YAML::LoadAll is not
// used: on some malformed input (a NUL byte mid-file, found by the scenario
// fuzzer) yaml-cpp 0.7 keeps reporting empty documents and LoadAll never
// returns (fixed upstream after 0.8.0, yaml-cpp pull request 1319). The
// parser is asked for two documents at most.
std::optional<YAML::Mark> second_document(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  FirstNodeMark first, second;
  if (!parser.HandleNextDocument(first)) return std::nullopt;
  if (!parser.HandleNextDocument(second)) return std::nullopt;
  return second.mark.value_or(YAML::Mark());
}

// YAML text may not hold C0 control characters other than tab, LF and CR
// (YAML 1.2, "printable" characters). yaml-cpp would misread them instead: a
// leading NUL switches it to UTF-16, a later one ends the document early.
void reject_control_characters(const std::string& yaml, const std::string& file) {
  int line = 1, column = 1;
  for (const char c : yaml) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", byte);
      throw ScenarioError(file, line, column, "",
                          std::string("control character ") + code +
                              " in the file (is it a text file, saved as UTF-8?)");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

// Checks what yaml-cpp accepts silently: duplicate keys (it keeps both and
// lookups find the first) and keys that are not plain scalars. Aliased
// collections share a mark, so each is walked once (no "billion laughs").
void check_document(const YAML::Node& node, const std::string& file, const std::string& path,
                    std::set<int>& walked) {
  if (!node.IsMap() && !node.IsSequence()) return;
  const int position = node.Mark().pos;
  if (position >= 0 && !walked.insert(position).second) return;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      check_document(node[i], file, path + "[" + std::to_string(i) + "]", walked);
    }
    return;
  }
  std::map<std::string, int> first_line;  // key -> 1-based line of its first occurrence
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      fail_at(file, entry.first.Mark(), path, "map keys must be plain strings");
    }
    const std::string& key = entry.first.Scalar();
    const auto [previous, inserted] = first_line.emplace(key, one_based(entry.first.Mark().line));
    if (!inserted) {
      fail_at(file, entry.first.Mark(), join_path(path, key),
              "duplicate key " + in_quotes(key) +
                  (previous->second > 0
                       ? " (first given at line " + std::to_string(previous->second) + ")"
                       : std::string()));
    }
    check_document(entry.second, file, join_path(path, key), walked);
  }
}

}  // namespace

ConfigNode ConfigNode::load_string(const std::string& yaml, const std::string& pseudo_file_name) {
  reject_control_characters(yaml, pseudo_file_name);
  YAML::Node document;
  std::optional<YAML::Mark> second;
  try {
    document = YAML::Load(yaml);
    second = second_document(yaml);
  } catch (const YAML::DeepRecursion& error) {
    fail_at(pseudo_file_name, error.mark, "",
            "YAML nesting is too deep (" + std::to_string(error.depth()) + " levels)");
  } catch (const YAML::Exception& error) {
    fail_at(pseudo_file_name, error.mark, "", "YAML syntax error: " + error.msg);
  }
  if (!document || document.IsNull()) {
    throw ScenarioError(pseudo_file_name, 0, 0, "", "the scenario file is empty");
  }
  if (second) {
    fail_at(pseudo_file_name, *second, "",
            "a scenario file holds one YAML document, but a second one starts here");
  }
  return from_yaml(document, pseudo_file_name);
}

ConfigNode ConfigNode::from_yaml(const YAML::Node& root, const std::string& file_name) {
  std::set<int> walked;
  check_document(root, file_name, "", walked);
  return ConfigNode(root, file_name, "");
}

std::string ConfigNode::read_file(const std::string& path) {
  // Checked before opening: opening a FIFO would block, and /dev/zero would
  // be read until memory runs out.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ScenarioError(
        path, 0, 0, "",
        std::string("cannot open the scenario file (") + std::strerror(errno) + ")");
  }
  if (S_ISDIR(st.st_mode)) {
    throw ScenarioError(path, 0, 0, "", "is a directory, not a scenario file");
  }
  if (!S_ISREG(st.st_mode)) {
    throw ScenarioError(path, 0, 0, "",
                        "is not a regular file (a device, FIFO or socket), not a scenario file");
  }
  const auto too_large = [&](long long size) {
    return ScenarioError(path, 0, 0, "",
                         "the scenario file is " + std::to_string(size) +
                             " bytes, more than the limit of " + std::to_string(kMaxFileBytes) +
                             " (16 MiB): is it a scenario?");
  };
  if (st.st_size > kMaxFileBytes) throw too_large(st.st_size);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(
        path, 0, 0, "",
        std::string("cannot open the scenario file (") + std::strerror(errno) + ")");
  }
  // At most one byte past the limit, should the file have grown meanwhile.
  std::string text(static_cast<std::size_t>(kMaxFileBytes) + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ScenarioError(path, 0, 0, "", "cannot read the scenario file");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > static_cast<std::size_t>(kMaxFileBytes)) throw too_large(text.size());
  return text;
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  return load_string(read_file(path), path);
}

}  // namespace app
