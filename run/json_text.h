// JSON text for the writers that emit JSON (trace.json, run.json).
#pragma once

#include <string>
#include <string_view>

namespace syncsim {

// `text` as a JSON string literal, quotes included: '"' and '\' escaped,
// newline, tab and carriage return as \n, \t, \r, other control characters
// as \u00XX, and any byte that is not part of valid UTF-8 replaced by U+FFFD,
// so the result always parses (file names and command lines are bytes, not
// necessarily UTF-8). Valid UTF-8 passes unchanged.
std::string json_quoted(std::string_view text);

}  // namespace syncsim
