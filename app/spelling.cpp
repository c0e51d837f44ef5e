#include "app/spelling.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace app {

namespace {

std::string lowercase(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // d[i][j] = distance between the first i chars of a and the first j of b;
  // three rows suffice because a swap looks back two rows.
  const std::size_t n = b.size();
  std::vector<std::size_t> before_previous(n + 1), previous(n + 1), current(n + 1);
  for (std::size_t j = 0; j <= n; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before_previous[j - 2] + 1);
      }
    }
    std::swap(before_previous, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string lower_word = lowercase(word);
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  const std::string* best = nullptr;
  for (const std::string& candidate : candidates) {
    if (candidate == word) continue;
    const std::size_t distance = edit_distance(lower_word, lowercase(candidate));
    if (distance <= limit && distance < word.size() && distance < best_distance) {
      best_distance = distance;
      best = &candidate;
    }
  }
  return best ? *best : std::string();
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string result;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) result += separator;
    result += items[i];
  }
  return result;
}

}  // namespace app
