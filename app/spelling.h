// Spelling suggestions for error messages: "unknown key 'lerning_rate' (did
// you mean 'learning_rate'?)", "unknown unit 'Mib' (did you mean 'MiB'?)".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace app {

// Optimal-string-alignment (restricted Damerau-Levenshtein) distance: the
// number of insertions, deletions, substitutions and swaps of two adjacent
// characters that turn a into b. Case-sensitive, byte-wise.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word, or "" if none is close enough. Distances are
// measured case-insensitively (ASCII); a candidate is close when its distance
// d satisfies d <= max(2, word.size() / 3) and d < word.size() (so a one-letter
// word is never "corrected" into an unrelated one). Ties go to the candidate
// that comes first, so the answer is deterministic. word itself (exactly) is
// never suggested.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c": for listing the allowed keys or units in a message.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace app
