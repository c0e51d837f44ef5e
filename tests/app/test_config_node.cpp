#include <sys/stat.h>  // mkfifo
#include <unistd.h>    // getpid

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "app/config_node.h"

namespace {

using app::ConfigNode;
using app::ScenarioError;
using Catch::Matchers::Contains;

// The ScenarioError that action throws; fails the test if it throws none.
ScenarioError error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ScenarioError& error) {
    return error;
  }
  FAIL("no ScenarioError was thrown");
  throw std::logic_error("unreachable");
}

// Line numbers are pinned by the tests below: edit with care.
constexpr const char* kScenario = R"(name: demo
seed: 42
cluster:
  groups:
    - count: 4
      flops: 50GFLOPS
    - count: four
      flops: 50GFLOPS
topology:
  kind: star
  bandwidth: 10Gbpz
  latency: 5us
  rack: ~
optimizer:
  lerning_rate: 0.1
  momentum: 0.9
)";

ConfigNode scenario() { return ConfigNode::load_string(kScenario, "test.yaml"); }

TEST_CASE("a scenario error names file, line, column, key path and message", "[app][config]") {
  SECTION("all parts") {
    const ScenarioError error("a.yaml", 3, 7, "cluster.groups[0]", "went wrong");
    CHECK(std::string(error.what()) == "a.yaml:3:7: cluster.groups[0]: went wrong");
    CHECK(error.file() == "a.yaml");
    CHECK(error.line() == 3);
    CHECK(error.column() == 7);
    CHECK(error.key_path() == "cluster.groups[0]");
    CHECK(error.message() == "went wrong");
  }
  SECTION("unknown position is left out") {
    CHECK(std::string(ScenarioError("a.yaml", 0, 0, "seed", "bad").what()) == "a.yaml: seed: bad");
  }
  SECTION("the root path is left out") {
    CHECK(std::string(ScenarioError("a.yaml", 1, 1, "", "bad").what()) == "a.yaml:1:1: bad");
  }
}

TEST_CASE("nodes know their position and key path", "[app][config]") {
  const ConfigNode root = scenario();
  SECTION("root") {
    CHECK(root.path().empty());
    CHECK(root.file() == "test.yaml");
    CHECK(root.line() == 1);
    CHECK(root.column() == 1);
    CHECK(root.is_map());
  }
  SECTION("nested map and sequence") {
    const ConfigNode groups = root.child("cluster").child("groups");
    CHECK(groups.is_sequence());
    CHECK(groups.size() == 2);
    const ConfigNode count = groups.at(1).child("count");
    CHECK(count.path() == "cluster.groups[1].count");
    CHECK(count.line() == 7);
    CHECK(count.column() == 14);
    CHECK(count.is_scalar());
  }
  SECTION("keys in file order") {
    CHECK(root.keys() ==
          std::vector<std::string>{"name", "seed", "cluster", "topology", "optimizer"});
  }
}

TEST_CASE("reading values of the right type", "[app][config]") {
  const ConfigNode root = scenario();
  SECTION("required values") {
    CHECK(root.child("name").as_string() == "demo");
    CHECK(root.child("seed").as_int() == 42);
    CHECK(root.child("optimizer").child("momentum").as_double() == 0.9);
    CHECK(root.child("cluster").child("groups").at(0).child("flops").as_flop_rate() == 50e9);
    CHECK(root.child("topology").child("latency").as_duration() == 5'000);
  }
  SECTION("optional values fall back to the default when absent or null") {
    const ConfigNode topology = root.child("topology");
    CHECK(root.get_int("seed", 7) == 42);
    CHECK(root.get_int("epochs", 7) == 7);
    CHECK(root.get_string("name", "x") == "demo");
    CHECK(root.get_string("title", "x") == "x");
    CHECK(root.get_double("lr", 0.5) == 0.5);
    CHECK(root.get_bool("verbose", true));
    CHECK(topology.get_bytes("buffer", 1024.0) == 1024.0);
    CHECK(topology.get_bandwidth("uplink", 5.0) == 5.0);
    CHECK(topology.get_duration("latency", 1) == 5'000);
    CHECK(topology.get_duration("rack", 1) == 1);
    CHECK(root.get_flop_rate("flops", 3.0) == 3.0);
  }
  SECTION("has and optional_child treat null as absent") {
    const ConfigNode topology = root.child("topology");
    CHECK(topology.has("kind"));
    CHECK_FALSE(topology.has("rack"));
    CHECK_FALSE(topology.has("nothing"));
    CHECK_FALSE(topology.optional_child("rack").has_value());
    REQUIRE(topology.optional_child("kind").has_value());
    CHECK(topology.optional_child("kind")->as_string() == "star");
    CHECK_FALSE(root.child("name").has("x"));  // not a map: simply false
  }
  SECTION("integers") {
    const auto value = [](const char* text) {
      return ConfigNode::load_string(std::string("v: ") + text, "t.yaml").child("v").as_int();
    };
    CHECK(value("-7") == -7);
    CHECK(value("+7") == 7);
    CHECK(value("1e6") == 1'000'000);
    CHECK(value("9223372036854775807") == 9'223'372'036'854'775'807);
    CHECK(value("-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
  }
  SECTION("numbers") {
    const auto value = [](const char* text) {
      return ConfigNode::load_string(std::string("v: ") + text, "t.yaml").child("v").as_double();
    };
    CHECK(value("3") == 3.0);
    CHECK(value("-2.5e-3") == -2.5e-3);
    CHECK(value("+.5") == 0.5);
  }
  SECTION("booleans") {
    const auto value = [](const char* text) {
      return ConfigNode::load_string(std::string("v: ") + text, "t.yaml").child("v").as_bool();
    };
    CHECK(value("true"));
    CHECK(value("True"));
    CHECK(value("yes"));
    CHECK_FALSE(value("false"));
    CHECK_FALSE(value("NO"));
  }
  SECTION("units") {
    const ConfigNode node =
        ConfigNode::load_string("size: 64MiB\nlink: 10 Gbps\nwait: 1.5ms\n", "t.yaml");
    CHECK(node.child("size").as_bytes() == 67'108'864.0);
    CHECK(node.child("link").as_bandwidth() == 1.25e9);
    CHECK(node.child("wait").as_duration() == 1'500'000);
  }
  SECTION("children outlive their parents") {
    const ConfigNode count = scenario().child("cluster").child("groups").at(0).child("count");
    CHECK(count.as_int() == 4);
  }
}

TEST_CASE("a missing required key is reported at the parent", "[app][config]") {
  const ConfigNode root = scenario();
  SECTION("at the root") {
    CHECK(std::string(error_of([&] { root.child("stop"); }).what()) ==
          "test.yaml:1:1: missing required key 'stop'");
  }
  SECTION("nested") {
    const ScenarioError error =
        error_of([&] { root.child("cluster").child("groups").at(1).child("ram"); });
    CHECK(std::string(error.what()) ==
          "test.yaml:7:7: cluster.groups[1]: missing required key 'ram'");
    CHECK(error.key_path() == "cluster.groups[1]");
    CHECK(error.line() == 7);
    CHECK(error.column() == 7);
  }
  SECTION("a key without a value is reported at the key") {
    CHECK(std::string(error_of([&] { root.child("topology").child("rack"); }).what()) ==
          "test.yaml:13:3: topology.rack: key 'rack' has no value");
  }
}

TEST_CASE("a value of the wrong type is reported at the value", "[app][config]") {
  const ConfigNode root = scenario();
  SECTION("a word for an integer, inside a sequence") {
    CHECK(std::string(error_of([&] {
                        root.child("cluster").child("groups").at(1).child("count").as_int();
                      }).what()) ==
          "test.yaml:7:14: cluster.groups[1].count: expected an integer, got 'four'");
  }
  SECTION("a map for a string") {
    CHECK(std::string(error_of([&] { root.child("cluster").as_string(); }).what()) ==
          "test.yaml:4:3: cluster: expected a string, got a map");
  }
  SECTION("a scalar for a map") {
    CHECK(std::string(error_of([&] { root.child("name").child("x"); }).what()) ==
          "test.yaml:1:7: name: expected a map, got 'demo'");
  }
  SECTION("a map for a list") {
    CHECK_THAT(error_of([&] { root.child("topology").size(); }).what(),
               Contains("topology: expected a list, got a map"));
  }
  SECTION("an index past the end") {
    CHECK_THAT(error_of([&] { root.child("cluster").child("groups").at(2); }).what(),
               Contains("cluster.groups: index 2 is out of range for a list of 2 items"));
  }
  SECTION("integers reject fractions, words and out-of-range values") {
    const auto message = [](const char* text) {
      return error_of([&] {
               ConfigNode::load_string(std::string("v: ") + text, "t.yaml").child("v").as_int();
             })
          .message();
    };
    CHECK(message("3.5") == "expected an integer, got '3.5'");
    CHECK(message("0x10") == "expected an integer, got '0x10'");
    CHECK(message("[1]") == "expected an integer, got a list");
    CHECK(message("9223372036854775808") ==
          "expected an integer between -9223372036854775808 and 9223372036854775807, got "
          "'9223372036854775808'");
    CHECK_THAT(message("1e19"), Contains("expected an integer between"));
  }
  SECTION("numbers reject words, nan and infinity") {
    const auto message = [](const char* text) {
      return error_of([&] {
               ConfigNode::load_string(std::string("v: ") + text, "t.yaml").child("v").as_double();
             })
          .message();
    };
    CHECK(message("fast") == "expected a number, got 'fast'");
    CHECK(message(".nan") == "expected a number, got '.nan'");
    CHECK(message("nan") == "expected a finite number, got 'nan'");
    CHECK(message("1e999") == "the number '1e999' is out of range");
    CHECK(message("0.1x") == "expected a number, got '0.1x'");
  }
  SECTION("booleans reject other words") {
    CHECK(error_of([] {
            ConfigNode::load_string("v: maybe", "t.yaml").child("v").as_bool();
          }).message() == "expected true or false, got 'maybe'");
  }
}

TEST_CASE("a bad unit is reported at the value with the unit parser's hint", "[app][config]") {
  const ConfigNode root = scenario();
  const ScenarioError error =
      error_of([&] { root.child("topology").child("bandwidth").as_bandwidth(); });
  CHECK_THAT(error.what(), Contains("test.yaml:11:14: topology.bandwidth: unknown unit 'Gbpz' in "
                                    "'10Gbpz' (did you mean 'Gbps'?)"));
  CHECK(error.line() == 11);
  SECTION("a list where a quantity belongs") {
    CHECK(error_of([] {
            ConfigNode::load_string("d: [1]", "t.yaml").child("d").as_duration();
          }).message() == "expected a duration such as 5us, got a list");
  }
  SECTION("a bare duration") {
    CHECK_THAT(
        error_of([] { ConfigNode::load_string("d: 5", "t.yaml").child("d").as_duration(); }).what(),
        Contains("t.yaml:1:4: d: '5' has no unit"));
  }
  SECTION("a negative size") {
    CHECK(std::string(error_of([] {
                        ConfigNode::load_string("s: -1MiB", "t.yaml").child("s").as_bytes();
                      }).what()) == "t.yaml:1:4: s: '-1MiB' must not be negative");
  }
}

TEST_CASE("range checks report the bounds and the value", "[app][config]") {
  const ConfigNode root =
      ConfigNode::load_string("workers: 0\nrate: 1.5\nok: 3\nbandwidth: 0Gbps\n", "r.yaml");
  SECTION("an integer between bounds") {
    CHECK(root.child("ok").as_int_in(1, 8) == 3);
    CHECK(std::string(error_of([&] { root.child("workers").as_int_in(1, 64); }).what()) ==
          "r.yaml:1:10: workers: must be between 1 and 64, got 0");
  }
  SECTION("an integer with a lower bound only") {
    CHECK(error_of([&] { root.child("workers").as_int_in(1); }).message() ==
          "must be at least 1, got 0");
  }
  SECTION("an integer with an upper bound only") {
    CHECK(error_of([&] {
            root.child("ok").as_int_in(std::numeric_limits<std::int64_t>::min(), 2);
          }).message() == "must be at most 2, got 3");
  }
  SECTION("a number between bounds") {
    CHECK(root.child("rate").as_double_in(0.0, 2.0) == 1.5);
    CHECK(error_of([&] { root.child("rate").as_double_in(0.0, 1.0); }).message() ==
          "must be between 0 and 1, got 1.5");
    CHECK(error_of([&] { root.child("rate").as_double_in(2.0); }).message() ==
          "must be at least 2, got 1.5");
  }
  SECTION("a custom condition") {
    const ConfigNode bandwidth = root.child("bandwidth");
    CHECK_NOTHROW(bandwidth.require(true, "unused"));
    CHECK(std::string(error_of([&] {
                        bandwidth.require(bandwidth.as_bandwidth() > 0, "must be positive");
                      }).what()) == "r.yaml:4:12: bandwidth: must be positive");
  }
  SECTION("fail reports at the node") {
    CHECK(std::string(error_of([&] { root.child("ok").fail("no good"); }).what()) ==
          "r.yaml:3:5: ok: no good");
  }
}

TEST_CASE("an unknown key is reported at the key with a did-you-mean", "[app][config]") {
  const ConfigNode root = scenario();
  SECTION("a close spelling is suggested") {
    const ScenarioError error = error_of([&] {
      root.child("optimizer").check_keys({"learning_rate", "momentum"});
    });
    CHECK(std::string(error.what()) ==
          "test.yaml:15:3: optimizer.lerning_rate: unknown key 'lerning_rate' (did you mean "
          "'learning_rate'?)");
    CHECK(error.line() == 15);
    CHECK(error.column() == 3);
  }
  SECTION("otherwise the allowed keys are listed") {
    CHECK(error_of([&] {
            root.check_keys({"name", "seed", "cluster", "optimizer"});
          }).message() == "unknown key 'topology' (allowed keys: name, seed, cluster, optimizer)");
  }
  SECTION("the first unknown key in file order is reported") {
    CHECK(error_of([&] { root.check_keys(std::vector<std::string>{"name"}); }).key_path() ==
          "seed");
  }
  SECTION("no keys allowed") {
    CHECK(error_of([&] {
            root.child("optimizer").check_keys(std::vector<std::string>{});
          }).message() == "unknown key 'lerning_rate' (no keys are allowed here)");
  }
  SECTION("all keys known") {
    CHECK_NOTHROW(root.child("topology").check_keys({"kind", "bandwidth", "latency", "rack"}));
  }
  SECTION("checking keys of a non-map") {
    CHECK(error_of([&] { root.child("seed").check_keys({"a"}); }).message() ==
          "expected a map, got '42'");
  }
}

TEST_CASE("loading rejects documents that are not one well-formed scenario", "[app][config]") {
  SECTION("a YAML syntax error names its position") {
    const ScenarioError error =
        error_of([] { ConfigNode::load_string("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); });
    CHECK(error.file() == "bad.yaml");
    CHECK(error.line() > 0);
    CHECK(error.column() > 0);
    CHECK_THAT(error.what(), Contains("bad.yaml:"));
    CHECK_THAT(error.message(), Contains("YAML syntax error: "));
  }
  SECTION("a syntax error at an exact position") {
    const ScenarioError error =
        error_of([] { ConfigNode::load_string("a: 1\n  b: 2\n", "bad.yaml"); });
    CHECK(std::string(error.what()) == "bad.yaml:2:4: YAML syntax error: illegal map value");
  }
  SECTION("an empty document") {
    CHECK(std::string(error_of([] { ConfigNode::load_string("", "e.yaml"); }).what()) ==
          "e.yaml: the scenario file is empty");
    CHECK(error_of([] { ConfigNode::load_string("# only a comment\n", "e.yaml"); }).message() ==
          "the scenario file is empty");
    CHECK(error_of([] { ConfigNode::load_string("---\n", "e.yaml"); }).message() ==
          "the scenario file is empty");
  }
  SECTION("a second document") {
    const ScenarioError error =
        error_of([] { ConfigNode::load_string("a: 1\n---\nb: 2\n", "m.yaml"); });
    CHECK(error.line() == 3);
    CHECK(error.message() ==
          "a scenario file holds one YAML document, but a second one starts here");
  }
  // Found by the scenario fuzzer: yaml-cpp 0.7's LoadAll never returned on a
  // NUL byte mid-file (nor on "\n,\n"); both now end in an error.
  SECTION("a control character is reported where it is") {
    const ScenarioError error =
        error_of([] { ConfigNode::load_string(std::string("name: x\nseed: \0\n", 15), "c.yaml"); });
    CHECK(std::string(error.what()) ==
          "c.yaml:2:7: control character 0x00 in the file (is it a text file, saved as UTF-8?)");
  }
  SECTION("input on which yaml-cpp's LoadAll loops forever") {
    CHECK(error_of([] { ConfigNode::load_string("\n,\n", "l.yaml"); }).message() ==
          "the scenario file is empty");
  }
  SECTION("a duplicate key is reported at its second occurrence") {
    const ScenarioError error = error_of([] {
      ConfigNode::load_string("seed: 1\ncluster:\n  groups:\n    - count: 1\n      count: 2\n",
                              "d.yaml");
    });
    CHECK(std::string(error.what()) ==
          "d.yaml:5:7: cluster.groups[0].count: duplicate key 'count' (first given at line 4)");
  }
  SECTION("a duplicate key at the root") {
    CHECK(std::string(error_of([] {
                        ConfigNode::load_string("seed: 1\nname: a\nseed: 2\n", "d.yaml");
                      }).what()) ==
          "d.yaml:3:1: seed: duplicate key 'seed' (first given at line 1)");
  }
  SECTION("a duplicate key in a flow map") {
    CHECK(error_of([] { ConfigNode::load_string("x: {a: 1, a: 2}\n", "d.yaml"); }).message() ==
          "duplicate key 'a' (first given at line 1)");
  }
  SECTION("a key that is not a plain scalar") {
    CHECK(error_of([] { ConfigNode::load_string("? [a, b]\n: 1\n", "k.yaml"); }).message() ==
          "map keys must be plain strings");
  }
  SECTION("nesting deeper than yaml-cpp's guard") {
    const std::string deep = "a: " + std::string(3000, '[') + std::string(3000, ']') + "\n";
    CHECK_THAT(error_of([&] { ConfigNode::load_string(deep, "n.yaml"); }).what(),
               Contains("n.yaml:1:") && Contains("YAML nesting is too deep"));
  }
  SECTION("an undefined alias") {
    CHECK_THAT(error_of([] { ConfigNode::load_string("a: *nope\n", "u.yaml"); }).what(),
               Contains("u.yaml:1:4: YAML syntax error: "));
  }
  SECTION("quoted and plain spellings of one key are duplicates") {
    CHECK(error_of([] { ConfigNode::load_string("\"a\": 1\na: 2\n", "q.yaml"); }).line() == 2);
  }
  SECTION("aliases are allowed and read like copies") {
    const ConfigNode root =
        ConfigNode::load_string("base: &b {count: 2}\nother: *b\nmore: *b\n", "a.yaml");
    CHECK(root.child("other").child("count").as_int() == 2);
    CHECK(root.child("more").child("count").as_int() == 2);
  }
}

TEST_CASE("loading from a file names the file in every error", "[app][config]") {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("syncsim_app_test_config_node." + std::to_string(::getpid()));  // one per test process
  std::filesystem::create_directories(directory);
  SECTION("a readable file") {
    const std::string path = (directory / "good.yaml").string();
    std::ofstream(path) << "name: demo\nseed: x\n";
    const ConfigNode root = ConfigNode::load_file(path);
    CHECK(root.file() == path);
    CHECK(root.child("name").as_string() == "demo");
    CHECK(std::string(error_of([&] { root.child("seed").as_int(); }).what()) ==
          path + ":2:7: seed: expected an integer, got 'x'");
  }
  SECTION("a missing file") {
    const std::string path = (directory / "missing.yaml").string();
    const ScenarioError error = error_of([&] { ConfigNode::load_file(path); });
    CHECK(std::string(error.what()) ==
          path + ": cannot open the scenario file (No such file or directory)");
    CHECK(error.line() == 0);
  }
  SECTION("a directory") {
    CHECK(std::string(error_of([&] { ConfigNode::load_file(directory.string()); }).what()) ==
          directory.string() + ": is a directory, not a scenario file");
  }
  SECTION("an empty file") {
    const std::string path = (directory / "empty.yaml").string();
    std::ofstream{path};
    CHECK(std::string(error_of([&] { ConfigNode::load_file(path); }).what()) ==
          path + ": the scenario file is empty");
  }
  SECTION("a device that never ends, refused before reading") {
    CHECK(std::string(error_of([&] { ConfigNode::load_file("/dev/zero"); }).what()) ==
          "/dev/zero: is not a regular file (a device, FIFO or socket), not a scenario file");
  }
  SECTION("a FIFO, refused without opening it (that would wait for a writer)") {
    const std::string path = (directory / "fifo.yaml").string();
    REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
    CHECK(std::string(error_of([&] { ConfigNode::load_file(path); }).what()) ==
          path + ": is not a regular file (a device, FIFO or socket), not a scenario file");
  }
  SECTION("a file past the size limit, refused before reading") {
    const std::string path = (directory / "huge.yaml").string();
    std::ofstream{path};
    std::filesystem::resize_file(path, ConfigNode::kMaxFileBytes + 1);  // sparse: no disk used
    CHECK(std::string(error_of([&] { ConfigNode::load_file(path); }).what()) ==
          path + ": the scenario file is 16777217 bytes, more than the limit of 16777216 " +
              "(16 MiB): is it a scenario?");
  }
  std::filesystem::remove_all(directory);
}

}  // namespace
