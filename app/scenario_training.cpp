// Loads what a scenario learns and for how long: the `data`, `model`,
// `optimizer`, `stop` and `eval` sections.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "algorithms/ml/csv_reader.h"
#include "algorithms/ml/idx_reader.h"
#include "app/scenario_sections.h"
#include "app/schema.h"
#include "app/spelling.h"

namespace app::section {
namespace {

// The math is float32: a value beyond float's range would become inf (or, as
// a C++ conversion, undefined behaviour), so it is an error at its key.
float as_float_in(const ConfigNode& node, double min) {
  return static_cast<float>(node.as_double_in(min, std::numeric_limits<float>::max()));
}

}  // namespace

DataSpec load_data(const ConfigNode& node) {
  node.check_keys(schema::keys("data"));
  DataSpec spec;
  const ConfigNode dataset = node.child("dataset");
  spec.dataset = dataset.as_string();
  auto check_absent = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* key : keys) {
      if (node.has(key)) node.child(key).fail("not used by " + why);
    }
  };
  const std::initializer_list<const char*> csv_keys = {"train", "test", "label", "client"};
  if (spec.dataset != "csv") check_absent(csv_keys, "dataset '" + spec.dataset + "' (csv only)");
  if (spec.dataset == "csv") {
    check_absent({"path", "samples", "features", "classes", "noise", "separation"},
                 "dataset 'csv' (it reads `train` and `test` files)");
    spec.train_file = node.child("train").as_string();
    spec.test_file = node.child("test").as_string();
    spec.csv_columns.label = node.get_string("label", "label");
    spec.csv_columns.client = node.get_string("client", "");
    for (const char* key : {"label", "client"}) {
      if (node.has(key) && node.child(key).as_string().empty()) {
        node.child(key).fail("expected a column name");
      }
    }
    // The headers first, so a missing file or column is an error at its key.
    std::vector<std::string> train_columns, test_columns;
    try {
      train_columns = ml::csv_feature_columns(spec.train_file, spec.csv_columns);
    } catch (const ml::DataError& e) {
      node.child("train").fail(e.what());
    }
    try {
      test_columns = ml::csv_feature_columns(
          spec.test_file, {spec.csv_columns.label, spec.csv_columns.client, false});
    } catch (const ml::DataError& e) {
      node.child("test").fail(e.what());
    }
    // A test file may leave out the client column; its features are the train's.
    if (test_columns != train_columns) {
      node.child("test").fail("its feature columns (" + join(test_columns) +
                              ") differ from the training file's (" + join(train_columns) + ")");
    }
    spec.csv_features = static_cast<int>(train_columns.size());
    // Every row now, so `validate` finds a bad value and learns the classes.
    const auto scan = [&](const char* key, const ml::CsvColumns& columns) {
      try {
        return ml::scan_csv(node.child(key).as_string(), columns);
      } catch (const ml::DataError& e) {
        node.child(key).fail(e.what());
      }
    };
    spec.csv_classes = std::max(
        scan("train", spec.csv_columns).num_classes,
        scan("test", {spec.csv_columns.label, spec.csv_columns.client, false}).num_classes);
    std::error_code ignored;
    spec.csv_train_bytes =
        static_cast<std::int64_t>(std::filesystem::file_size(spec.train_file, ignored));
    spec.csv_test_bytes =
        static_cast<std::int64_t>(std::filesystem::file_size(spec.test_file, ignored));
  } else if (spec.dataset == "fashion-mnist" || spec.dataset == "idx") {
    check_absent({"samples", "features", "classes", "noise", "separation"},
                 "dataset '" + spec.dataset + "' (those keys describe a synthetic set)");
    spec.path = node.get_string(
        "path", spec.dataset == "fashion-mnist" ? ml::kDefaultFashionMnistDir : std::string());
    if (spec.path.empty()) node.child("path").fail("dataset 'idx' needs a path");
  } else if (spec.dataset == "synthetic") {
    check_absent({"path"}, "the synthetic dataset");
    spec.synthetic.samples = node.get_int("samples", schema::int_default("data", "samples"));
    spec.synthetic.features =
        static_cast<int>(node.get_int("features", schema::int_default("data", "features")));
    spec.synthetic.classes =
        static_cast<int>(node.get_int("classes", schema::int_default("data", "classes")));
    if (node.has("samples")) node.child("samples").as_int_in(2, 100'000'000);
    if (node.has("features")) node.child("features").as_int_in(1, 1'000'000);
    if (node.has("classes")) node.child("classes").as_int_in(2, 100'000);
    if (node.has("noise")) spec.synthetic.noise = as_float_in(node.child("noise"), 0.0);
    if (node.has("separation")) {
      spec.synthetic.separation = as_float_in(node.child("separation"), 0.0);
    }
    spec.synthetic_test_samples = std::max<std::int64_t>(1, spec.synthetic.samples / 5);
  } else {
    dataset.fail("unknown dataset '" + spec.dataset +
                 "' (expected fashion-mnist, idx, csv or synthetic)");
  }
  if (node.has("train_samples")) spec.train_samples = node.child("train_samples").as_int_in(1);
  if (node.has("test_samples")) spec.test_samples = node.child("test_samples").as_int_in(1);
  if (spec.dataset == "synthetic" && spec.test_samples > 0) {
    spec.synthetic_test_samples = spec.test_samples;
  }
  if (auto p = node.optional_child("partition")) {
    spec.partition = p->as_string();
    if (spec.partition == "dirichlet") {
      spec.partition_spec.kind = ml::PartitionKind::dirichlet;
    } else if (spec.partition == "shards") {
      spec.partition_spec.kind = ml::PartitionKind::shards;
    } else if (spec.partition == "natural") {
      if (spec.csv_columns.client.empty()) {
        p->fail(
            "partition 'natural' follows the data's client column: it needs dataset: csv "
            "with client: COLUMN");
      }
      spec.partition_spec.kind = ml::PartitionKind::natural;
    } else if (spec.partition != "iid") {
      p->fail("unknown partition '" + spec.partition +
              "' (expected iid, dirichlet, shards or natural)");
    }
  }
  if (auto a = node.optional_child("alpha")) {
    if (spec.partition_spec.kind != ml::PartitionKind::dirichlet) {
      a->fail("alpha is used only by 'partition: dirichlet'");
    }
    spec.partition_spec.alpha = a->as_double();
    a->require(spec.partition_spec.alpha > 0, "alpha must be greater than zero");
  }
  if (auto k = node.optional_child("shards_per_client")) {
    if (spec.partition_spec.kind != ml::PartitionKind::shards) {
      k->fail("shards_per_client is used only by 'partition: shards'");
    }
    spec.partition_spec.shards_per_part = static_cast<int>(k->as_int_in(1, 1'000'000));
  }
  return spec;
}

ml::MlpSpec load_model(const ConfigNode& node, SourceLocation& layers_at) {
  node.check_keys(schema::keys("model"));
  ml::MlpSpec spec;
  if (auto layers = node.optional_child("layers")) {
    layers_at = location(*layers, layers->path());
    if (!layers->is_sequence() || layers->size() < 2) {
      layers->fail("expected a list of at least two layer widths, e.g. [784, 128, 10]");
    }
    spec.widths.clear();
    double parameters = 0;
    for (std::size_t i = 0; i < layers->size(); ++i) {
      spec.widths.push_back(static_cast<int>(layers->at(i).as_int_in(1, 1'000'000)));
      if (i > 0) parameters += (spec.widths[i - 1] + 1.0) * spec.widths[i];
    }
    // Every node holds copies of the model; beyond this one copy alone is 4 GB.
    constexpr double kMaxParameters = 1e9;
    if (parameters > kMaxParameters) {
      layers->fail("the model would have " + std::to_string(static_cast<long long>(parameters)) +
                   " parameters; at most 1000000000 (4 GB per copy of the model)");
    }
  } else {
    layers_at = location(node, "model.layers (default [784, 128, 10])");
  }
  if (auto a = node.optional_child("activation")) {
    const std::string name = a->as_string();
    if (name == "relu")
      spec.activation = ml::Activation::relu;
    else if (name == "tanh")
      spec.activation = ml::Activation::tanh;
    else if (name == "sigmoid")
      spec.activation = ml::Activation::sigmoid;
    else
      a->fail("unknown activation '" + name + "' (expected relu, tanh or sigmoid)");
  }
  if (auto l = node.optional_child("loss")) {
    const std::string name = l->as_string();
    if (name == "cross_entropy")
      spec.loss = ml::LossKind::softmax_cross_entropy;
    else if (name == "mse")
      spec.loss = ml::LossKind::mse;
    else
      l->fail("unknown loss '" + name + "' (expected cross_entropy or mse)");
  }
  return spec;
}

OptimizerSpec load_optimizer(const ConfigNode& node, const OptimizerSpec& base) {
  const std::string kind = node.get_string("kind", base.kind);
  OptimizerSpec spec = kind == base.kind ? base : OptimizerSpec{};
  spec.kind = kind;
  auto positive_lr = [&](double fallback) {
    if (!node.has("lr")) return fallback;
    const ConfigNode lr = node.child("lr");
    const double value = lr.as_double();
    lr.require(value > 0, "lr must be greater than zero");
    lr.require(value <= std::numeric_limits<float>::max(),
               "lr must be at most 3.4e38 (the math is float32)");
    return value;
  };
  if (spec.kind == "sgd") {
    node.check_keys(schema::keys("optimizer.sgd"));
    spec.sgd.lr = static_cast<float>(positive_lr(spec.sgd.lr));
    if (node.has("momentum"))
      spec.sgd.momentum = static_cast<float>(node.child("momentum").as_double_in(0.0, 1.0));
    if (node.has("weight_decay"))
      spec.sgd.weight_decay = as_float_in(node.child("weight_decay"), 0.0);
    spec.sgd.nesterov = node.get_bool("nesterov", spec.sgd.nesterov);
    if (spec.sgd.nesterov && spec.sgd.momentum <= 0) {
      node.child(node.has("nesterov") ? "nesterov" : "momentum")
          .fail("nesterov needs momentum > 0");
    }
  } else if (spec.kind == "adam") {
    node.check_keys(schema::keys("optimizer.adam"));
    spec.adam.lr = static_cast<float>(positive_lr(spec.adam.lr));
    if (node.has("beta1"))
      spec.adam.beta1 = static_cast<float>(node.child("beta1").as_double_in(0.0, 0.999999));
    if (node.has("beta2"))
      spec.adam.beta2 = static_cast<float>(node.child("beta2").as_double_in(0.0, 0.999999999));
    if (node.has("eps")) spec.adam.eps = as_float_in(node.child("eps"), 0.0);
    if (node.has("weight_decay"))
      spec.adam.weight_decay = as_float_in(node.child("weight_decay"), 0.0);
  } else {
    node.child("kind").fail("unknown optimizer '" + spec.kind + "' (expected sgd or adam)");
  }
  return spec;
}

algo::StopCondition load_stop(const ConfigNode& node) {
  node.check_keys(schema::keys("stop"));
  algo::StopCondition stop;
  if (node.has("sim_time")) {
    stop.max_time = node.child("sim_time").as_duration();
    node.child("sim_time").require(stop.max_time > 0, "sim_time must be greater than zero");
  }
  if (node.has("epochs")) {
    stop.max_epochs = node.child("epochs").as_double();
    node.child("epochs").require(stop.max_epochs > 0, "epochs must be greater than zero");
  }
  if (node.has("steps")) stop.max_steps = node.child("steps").as_int_in(1);
  if (node.has("target_accuracy")) {
    const ConfigNode t = node.child("target_accuracy");
    stop.target_accuracy = t.as_double();
    t.require(stop.target_accuracy > 0 && stop.target_accuracy <= 1,
              "target_accuracy must be in (0, 1]");
  }
  if (stop.max_time == 0 && stop.max_epochs == 0 && stop.max_steps == 0) {
    node.fail("set at least one of sim_time, epochs or steps, or the run might never end");
  }
  return stop;
}

algo::EvalSchedule load_eval(const ConfigNode& node) {
  node.check_keys(schema::keys("eval"));
  algo::EvalSchedule eval;
  if (node.has("every_steps")) eval.every_steps = node.child("every_steps").as_int_in(1);
  if (node.has("every")) {
    eval.every = node.child("every").as_duration();
    node.child("every").require(eval.every > 0, "every must be greater than zero");
  }
  return eval;
}

void check_model_against_data(const Scenario& s) {
  int features = 0, classes = 0;
  if (s.data.dataset == "synthetic") {
    features = s.data.synthetic.features;
    classes = s.data.synthetic.classes;
  } else if (s.data.dataset == "csv") {
    features = s.data.csv_features;
    classes = s.data.csv_classes;
  } else {
    return;  // idx, fashion-mnist: check_data_files reads the files
  }
  auto fail = [&](const std::string& message) {
    const SourceLocation& at = s.model_layers_at;
    throw ScenarioError(at.file, at.line, at.column, at.path, message);
  };
  if (s.model.widths.front() != features) {
    fail("the first layer width must equal the " + std::to_string(features) +
         " features of the data, got " + std::to_string(s.model.widths.front()));
  }
  if (s.model.widths.back() != classes) {
    fail("the last layer width must equal the " + std::to_string(classes) +
         " classes of the data (labels 0 to " + std::to_string(classes - 1) + "), got " +
         std::to_string(s.model.widths.back()));
  }
}

void check_samples_per_participant(const ConfigNode& data, const Scenario& s) {
  // Synthetic data's size is known; a data file's from its header
  // (check_data_files), else a train_samples cap below the participants.
  const bool synthetic = s.data.dataset == "synthetic";
  std::int64_t samples = synthetic ? s.data.synthetic.samples : s.data.idx_train_count;
  const char* key = synthetic ? "samples" : "path";
  if (samples == 0) {
    if (s.data.train_samples == 0) return;
    samples = s.data.train_samples;
    key = "train_samples";
  }
  if (s.data.train_samples > 0 && s.data.train_samples < samples) {
    samples = s.data.train_samples;
    key = "train_samples";
  }
  const std::int64_t per_participant = s.data.partition_spec.kind == ml::PartitionKind::shards
                                           ? s.data.partition_spec.shards_per_part
                                           : 1;
  for (const AlgorithmChoice& a : s.algorithms) {
    const std::int64_t parts = static_cast<std::int64_t>(a.participants) * per_participant;
    if (samples >= parts) continue;
    const ConfigNode at = data.has(key) ? data.child(key) : data;
    at.fail(std::to_string(samples) + " training samples cannot give each of the " +
            std::to_string(a.participants) + " participants of '" + a.label + "' " +
            (per_participant > 1 ? std::to_string(per_participant) + " shards" : "a sample") +
            ": give at least " + std::to_string(parts));
  }
}

void check_elastic_timeouts(const Scenario& s) {
  double parameters = 0;
  for (std::size_t i = 1; i < s.model.widths.size(); ++i) {
    parameters += (s.model.widths[i - 1] + 1.0) * s.model.widths[i];
  }
  if (s.profile) parameters = static_cast<double>(s.profile->parameters());
  double fastest = s.topology.link.bandwidth_bytes_per_s;
  for (const NodeGroup& g : s.groups) {
    if (g.link) fastest = std::max(fastest, g.link->bandwidth_bytes_per_s);
  }
  for (const ExplicitLink& l : s.topology.links) {
    fastest = std::max(fastest, l.params.bandwidth_bytes_per_s);
  }
  if (!(fastest > 0)) return;
  fastest *= s.topology.calibration.bandwidth_efficiency;  // what a transfer can use of it
  for (const AlgorithmChoice& a : s.algorithms) {
    if (!a.elastic || a.participants < 2) continue;
    const double n = a.participants;
    const double least = (n - 1) / n * 4.0 * parameters / fastest;  // seconds
    if (sim::to_seconds(a.elastic_timeout) > least) continue;
    const SourceLocation& at = a.elastic_timeout_at;
    char text[400];
    std::snprintf(text, sizeof text,
                  "%s is shorter than the least time one all-reduce of the model can take "
                  "(%.3g ms: each of %d ranks sends %.3g MB over links of at most %.3g Gbps), so "
                  "every round would abort: give a longer timeout",
                  sim::format_time(a.elastic_timeout).c_str(), least * 1e3, a.participants,
                  (n - 1) / n * 4.0 * parameters / 1e6, fastest * 8 / 1e9);
    throw ScenarioError(at.file, at.line, at.column, at.path, text);
  }
}

}  // namespace app::section
