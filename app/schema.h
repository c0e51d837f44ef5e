// The scenario schema: every key a scenario file may hold, section by
// section, with its type, unit, default, allowed values and meaning.
//
// It is the loaders' own list, not a description beside them: every
// `check_keys` call in app/ takes its allowed keys from here
// (`node.check_keys(schema::keys("optimizer.sgd"))`), so a key the loader
// accepts cannot be missing from the reference, and `syncsim reference`
// prints it (docs/scenario-reference.md is that output). Defaults are taken
// from the structs the loaders fill (ml::SgdOptions{}.lr, ...) or read by the
// loaders from here (`schema::int_default`), so they cannot drift either.
//
// Adding a key: add a Key to its section in app/schema_*.cpp, in the place
// where error messages should list it ("allowed keys: a, b, c" follows the
// section's order), then read it in the loader. A new section (an algorithm
// kind, a plug-in with keys): add a Section with a new id and call
// check_keys(schema::keys("<id>")) in its parse function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace app::schema {

struct Key {
  std::string name;           // as written in the YAML file
  std::string type;           // integer, number, string, bool, duration, bandwidth, size, ...
  std::string unit;           // "" when the type says it all
  std::string default_value;  // "required", "none", or the value the loader uses
  std::string allowed;        // allowed values or range; "" when the type says it all
  std::string meaning;        // one line
};

struct Section {
  std::string id;    // lookup id, e.g. "optimizer.sgd", "algorithm.ps_sync", "faults.crash"
  std::string path;  // where it sits in a scenario, e.g. "optimizer (kind: sgd)"
  std::string note;  // when the section applies, or what it holds; may be ""
  std::vector<Key> keys;
};

// Every section, in the reference's order.
const std::vector<Section>& all();

// The section with this id. Throws std::logic_error for an unknown id (a
// programming error: the ids are fixed in the sources).
const Section& section(std::string_view id);

// The key names of a section, in order: what its loader passes to check_keys.
std::vector<std::string> keys(std::string_view id);

// The default of a key whose default is a plain integer or number, read by
// the loader so the reference and the loader agree. Throws std::logic_error
// if the key is unknown or its default is not a number.
std::int64_t int_default(std::string_view id, std::string_view key);
double number_default(std::string_view id, std::string_view key);

// The whole reference, as Markdown (docs/scenario-reference.md) or as plain
// text for a terminal.
std::string markdown();
std::string text();

// Sections defined per file (app/schema_*.cpp), concatenated by all().
std::vector<Section> scenario_sections();
std::vector<Section> algorithm_sections();
std::vector<Section> fault_sections();

// Formatting helpers for defaults taken from structs.
std::string number_text(double value);                // shortest text that reads back: 0.1, 1e-08
std::string float_text(float value);                  // the same for a float32 default
std::string duration_text(std::int64_t nanoseconds);  // 10ms, 1s, 100ms

}  // namespace app::schema
