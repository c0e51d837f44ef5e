// Progress lines: the fraction of the stop condition by hand, the lines a
// reporter writes, and that reporting changes nothing a run computes.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "app/progress.h"
#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"

namespace {

std::string contents(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  return text;
}

}  // namespace

TEST_CASE("progress is the largest fraction among the stop condition's limits") {
  algo::StopCondition stop;
  app::ProgressSample sample;
  sample.now = sim::from_seconds(1.0);
  sample.epochs = 0.5;
  sample.steps = 30;
  CHECK(app::progress_fraction(stop, sample) == 0.0);  // no limit: no fraction
  stop.max_time = sim::from_seconds(4.0);
  CHECK(app::progress_fraction(stop, sample) == 0.25);
  stop.max_epochs = 1.0;
  CHECK(app::progress_fraction(stop, sample) == 0.5);
  stop.max_steps = 40;
  CHECK(app::progress_fraction(stop, sample) == 0.75);
  stop.target_accuracy = 0.5;
  sample.accuracy = 0.45;
  CHECK(app::progress_fraction(stop, sample) == Approx(0.9));
  sample.now = sim::from_seconds(8.0);  // past a limit: clamped
  CHECK(app::progress_fraction(stop, sample) == 1.0);
}

TEST_CASE("log levels and progress modes parse, and nothing else does") {
  CHECK(app::parse_log_level("debug") == app::LogLevel::debug);
  CHECK(app::parse_log_level("warn") == app::LogLevel::warn);
  CHECK_FALSE(app::parse_log_level("verbose"));
  CHECK(app::parse_progress_mode("auto") == app::ProgressMode::automatic);
  CHECK(app::parse_progress_mode("never") == app::ProgressMode::never);
  CHECK_FALSE(app::parse_progress_mode("always"));
}

TEST_CASE("a reporter prints plain lines, live lines, or nothing") {
  algo::StopCondition stop;
  stop.max_steps = 100;
  app::ProgressSample sample;
  sample.now = sim::from_seconds(0.5);
  sample.steps = 25;
  sample.accuracy = 0.625;
  sample.events = 5000;
  SECTION("plain: a line per update once the interval has passed") {
    std::FILE* f = std::tmpfile();
    app::ProgressReporter r(app::ProgressMode::plain, app::LogLevel::info, 1e-9, f);
    r.begin("ps_sync", stop);
    r.update(sample);
    r.end();
    const std::string text = contents(f);
    CHECK(text.rfind("ps_sync: 0.500 s simulated,  25%, accuracy 0.6250, ", 0) == 0);
    CHECK(text.find("events/s, ETA ") != std::string::npos);
    CHECK(text.back() == '\n');
    CHECK(text.find('\r') == std::string::npos);
    std::fclose(f);
  }
  SECTION("live: the line is rewritten in place and cleared at the end") {
    std::FILE* f = std::tmpfile();
    app::ProgressReporter r(app::ProgressMode::live, app::LogLevel::info, 1e-9, f);
    r.begin("ring", stop);
    r.update(sample);
    r.update(sample);
    r.end();
    const std::string text = contents(f);
    CHECK(text.rfind("\rring: 0.500 s simulated", 0) == 0);
    CHECK(text.find("\rring: ", 1) != std::string::npos);
    CHECK(text.find('\n') == std::string::npos);
    CHECK(text.substr(text.size() - 4) == "\r\033[K");
    std::fclose(f);
  }
  SECTION("not before the interval, and never below log level info") {
    std::FILE* f = std::tmpfile();
    app::ProgressReporter slow(app::ProgressMode::plain, app::LogLevel::info, 3600, f);
    slow.begin("x", stop);
    slow.update(sample);
    app::ProgressReporter quiet(app::ProgressMode::live, app::LogLevel::warn, 1e-9, f);
    CHECK_FALSE(quiet.enabled());
    quiet.begin("x", stop);
    quiet.update(sample);
    quiet.end();
    CHECK(contents(f).empty());
    std::fclose(f);
  }
}

TEST_CASE("a run with progress lines computes exactly what a run without them does") {
  const app::Scenario s =
      app::load_scenario(std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/ci/ps_async_synthetic.yaml");
  std::FILE* f = std::tmpfile();
  // An interval of ~0 prints at every observer call (every 1024 events).
  app::ProgressReporter live(app::ProgressMode::live, app::LogLevel::info, 1e-9, f);
  syncsim::RunOptions options;
  options.progress = live.callback();
  const app::ScenarioResult with = syncsim::run(s, options);
  const app::ScenarioResult without = syncsim::run(s);
  CHECK(contents(f).find("s simulated") != std::string::npos);  // it did report
  std::fclose(f);
  CHECK(app::metrics_csv(with) == app::metrics_csv(without));
  CHECK(app::summary_csv(with) == app::summary_csv(without));
  CHECK(app::staleness_csv(with) == app::staleness_csv(without));
  CHECK(app::nodes_csv(with) == app::nodes_csv(without));
}
