#include "app/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace app {
namespace {

constexpr double kLiveEverySeconds = 0.25;
constexpr double kPlainEverySeconds = 30.0;

// "42s", "3m05s", "1h02m".
std::string short_duration(double seconds) {
  char buffer[32];
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  }
  return buffer;
}

// "850", "12.3k", "4.56M".
std::string short_count(double n) {
  char buffer[32];
  if (n >= 1e6) {
    std::snprintf(buffer, sizeof buffer, "%.2fM", n / 1e6);
  } else if (n >= 1e3) {
    std::snprintf(buffer, sizeof buffer, "%.1fk", n / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f", n);
  }
  return buffer;
}

}  // namespace

std::optional<LogLevel> parse_log_level(const std::string& text) {
  if (text == "error") return LogLevel::error;
  if (text == "warn") return LogLevel::warn;
  if (text == "info") return LogLevel::info;
  if (text == "debug") return LogLevel::debug;
  return std::nullopt;
}

std::optional<ProgressMode> parse_progress_mode(const std::string& text) {
  if (text == "auto") return ProgressMode::automatic;
  if (text == "live") return ProgressMode::live;
  if (text == "plain") return ProgressMode::plain;
  if (text == "never") return ProgressMode::never;
  return std::nullopt;
}

double progress_fraction(const algo::StopCondition& stop, const ProgressSample& sample) {
  double f = 0.0;
  if (stop.max_time > 0) {
    f = std::max(f, static_cast<double>(sample.now) / static_cast<double>(stop.max_time));
  }
  if (stop.max_epochs > 0) f = std::max(f, sample.epochs / stop.max_epochs);
  if (stop.max_steps > 0) {
    f = std::max(f, static_cast<double>(sample.steps) / static_cast<double>(stop.max_steps));
  }
  if (stop.target_accuracy > 0 && sample.accuracy) {
    f = std::max(f, *sample.accuracy / stop.target_accuracy);
  }
  return std::clamp(f, 0.0, 1.0);
}

ProgressReporter::ProgressReporter(ProgressMode mode, LogLevel level, double every_seconds,
                                   std::FILE* out)
    : mode_(mode), every_seconds_(every_seconds), out_(out) {
  if (level < LogLevel::info) mode_ = ProgressMode::never;
  if (mode_ == ProgressMode::automatic) {
    mode_ = isatty(fileno(out_)) ? ProgressMode::live : ProgressMode::plain;
  }
  if (every_seconds_ <= 0) {
    every_seconds_ = mode_ == ProgressMode::live ? kLiveEverySeconds : kPlainEverySeconds;
  }
}

void ProgressReporter::begin(const std::string& label, const algo::StopCondition& stop) {
  label_ = label;
  stop_ = stop;
  started_ = last_print_ = Clock::now();
  last_events_ = 0;
}

void ProgressReporter::update(const ProgressSample& sample) {
  if (mode_ == ProgressMode::never) return;
  const Clock::time_point now = Clock::now();
  if (std::chrono::duration<double>(now - last_print_).count() < every_seconds_) return;
  print(sample, now);
}

void ProgressReporter::print(const ProgressSample& sample, Clock::time_point now) {
  const double since_last = std::chrono::duration<double>(now - last_print_).count();
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double rate =
      since_last > 0 ? static_cast<double>(sample.events - last_events_) / since_last : 0.0;
  const double f = progress_fraction(stop_, sample);
  char line[256];
  int n = std::snprintf(line, sizeof line, "%s: %.3f s simulated, %3.0f%%", label_.c_str(),
                        sim::to_seconds(sample.now), 100.0 * f);
  if (sample.accuracy) {
    n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), ", accuracy %.4f",
                       *sample.accuracy);
  }
  n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), ", %s events/s",
                     short_count(rate).c_str());
  if (f > 0 && f < 1) {
    std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), ", ETA %s",
                  short_duration(elapsed * (1 - f) / f).c_str());
  }
  if (mode_ == ProgressMode::live) {
    // \033[K clears what a longer previous line left on the right.
    std::fprintf(out_, "\r%s\033[K", line);
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s\n", line);
  }
  std::fflush(out_);
  last_print_ = now;
  last_events_ = sample.events;
}

void ProgressReporter::end() {
  if (line_open_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
    line_open_ = false;
  }
}

std::function<void(const ProgressEvent&)> ProgressReporter::callback() {
  if (!enabled()) return {};
  return [this](const ProgressEvent& e) {
    switch (e.kind) {
      case ProgressEvent::Kind::begin:
        begin(std::string(e.label), *e.stop);
        break;
      case ProgressEvent::Kind::update:
        update(e.sample);
        break;
      case ProgressEvent::Kind::end:
        end();
        break;
    }
  };
}

}  // namespace app
