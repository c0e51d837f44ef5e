// `syncsim sweep --slurm`: the job-array and collect scripts as text, the
// pieces they are made of, and which shards a resumed sweep submits.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "app/slurm_scripts.h"
#include "app/slurm_submit.h"
#include "app/sweep_plan.h"
#include "scratch_folder.h"

namespace {

app::SlurmSweep example_sweep() {
  app::SlurmSweep s;
  s.self = "/opt/syncsim/bin/syncsim";
  s.scenario_path = "/home/a/my sweeps/big.yaml";
  s.out = "/shared/runs/big";
  s.job_name = "big";
  s.seed = 11;
  s.max_memory = "2GiB";
  s.log_flags = {"-q"};
  s.jobs = 2;
  s.tasks = 8;
  s.shards = {1, 2, 3, 5, 7, 8};
  s.options = {"--partition=short", "--time=10:00"};
  return s;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the array script runs shard SLURM_ARRAY_TASK_ID of N with the sweep's own flags") {
  CHECK(app::slurm_array_script(example_sweep()) ==
        "#!/bin/sh\n"
        "# Written by `syncsim sweep --slurm` for the sweep 'big': array task I runs shard I/8.\n"
        "#SBATCH --job-name=big\n"
        "#SBATCH --array=1-3,5,7-8\n"
        "#SBATCH --cpus-per-task=2\n"
        "#SBATCH --output=/shared/runs/big/slurm/shard-%A-%a.log\n"
        "#SBATCH --partition=short\n"
        "#SBATCH --time=10:00\n"
        "exec /opt/syncsim/bin/syncsim sweep '/home/a/my sweeps/big.yaml' -o /shared/runs/big "
        "--seed 11 --max-memory 2GiB -q --jobs 2 --shard \"${SLURM_ARRAY_TASK_ID}/8\"\n");
}

TEST_CASE("the collect script writes summary.csv with the same plan as the shards") {
  app::SlurmSweep s = example_sweep();
  CHECK(app::slurm_collect_script(s) ==
        "#!/bin/sh\n"
        "# Written by `syncsim sweep --slurm` for the sweep 'big': summary.csv, once every shard "
        "has ended well.\n"
        "#SBATCH --job-name=big-collect\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=/shared/runs/big/slurm/collect-%j.log\n"
        "#SBATCH --partition=short\n"
        "#SBATCH --time=10:00\n"
        "exec /opt/syncsim/bin/syncsim sweep '/home/a/my sweeps/big.yaml' -o /shared/runs/big "
        "--seed 11 --max-memory 2GiB -q --collect\n");
  SECTION("an output folder with a space is double-quoted, as sbatch reads #SBATCH lines") {
    s.out = "/shared/my runs";
    CHECK(app::slurm_collect_script(s).find(
              "#SBATCH --output=\"/shared/my runs/slurm/collect-%j.log\"\n") != std::string::npos);
    CHECK(app::slurm_collect_script(s).find(" -o '/shared/my runs' ") != std::string::npos);
  }
}

TEST_CASE("array index lists join consecutive shards into ranges") {
  CHECK(app::slurm_array_ranges({1}) == "1");
  CHECK(app::slurm_array_ranges({1, 2, 3, 4}) == "1-4");
  CHECK(app::slurm_array_ranges({2, 4, 5, 9}) == "2,4-5,9");
}

TEST_CASE("sbatch options and paths that cannot become #SBATCH lines are refused") {
  CHECK_FALSE(app::slurm_option_error("--partition=gpu"));
  CHECK_FALSE(app::slurm_option_error("-t 10"));
  CHECK(app::slurm_option_error("partition=gpu"));
  CHECK(app::slurm_option_error(""));
  CHECK(app::slurm_option_error("--comment=a\n#SBATCH --exclusive"));
  CHECK_FALSE(app::slurm_path_error("/shared/runs/big run"));
  CHECK(app::slurm_path_error("/runs/100%"));
  CHECK(app::slurm_path_error("/runs/\"x\""));
  CHECK(app::slurm_path_error("/runs/a\nb"));
}

TEST_CASE("sbatch --parsable output gives the job id, after any warnings") {
  CHECK(app::sbatch_job_id("1234\n") == "1234");
  CHECK(app::sbatch_job_id("77;cluster\n") == "77");
  CHECK(app::sbatch_job_id("sbatch: warning: something\n42\n") == "42");
  CHECK_FALSE(app::sbatch_job_id("sbatch: error: invalid partition\n"));
  CHECK_FALSE(app::sbatch_job_id(""));
}

TEST_CASE("shell words are quoted only where the shell would split or expand them") {
  CHECK(app::shell_word("/a/b-c_d.yaml") == "/a/b-c_d.yaml");
  CHECK(app::shell_word("a b") == "'a b'");
  CHECK(app::shell_word("it's $HOME") == "'it'\\''s $HOME'");
  CHECK(app::shell_word("") == "''");
}

TEST_CASE("sbatch is found on PATH only as an executable regular file") {
  ScratchFolder dir("slurm-path");
  const auto bin = dir.path / "bin", other = dir.path / "other";
  std::filesystem::create_directories(bin);
  std::filesystem::create_directories(other / "sbatch");  // a folder is not a program
  { std::ofstream(bin / "sbatch") << "#!/bin/sh\n"; }
  const std::string list = ":" + other.string() + ":" + bin.string();
  SECTION("not executable: not found") {
    chmod((bin / "sbatch").c_str(), 0644);
    CHECK_FALSE(app::find_on_path("sbatch", list));
  }
  SECTION("executable: found in the first folder that holds it") {
    chmod((bin / "sbatch").c_str(), 0755);
    CHECK(app::find_on_path("sbatch", list) == (bin / "sbatch").string());
    CHECK_FALSE(app::find_on_path("sbatch", other.string()));
    CHECK_FALSE(app::find_on_path("sbatch", ""));
  }
}

TEST_CASE("a resubmitted sweep submits only the shards that still hold incomplete points") {
  // 6 points in 4 shards (p % 4 == I - 1): shard 1 runs points 0 and 4,
  // shard 2 points 1 and 5, shard 3 point 2, shard 4 point 3. With 0, 2 and 3
  // complete, shards 1 (point 4) and 2 remain; with 4 complete too, shard 2.
  const app::SweepPlan plan = app::SweepPlan::load_string(R"yaml(name: t
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  worker: {count: 2, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_sync, batch_size: 4}
optimizer: {kind: sgd, lr: 0.1}
stop: {steps: 5}
sweep:
  optimizer.lr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
)yaml",
                                                          "s.yaml", std::nullopt);
  ScratchFolder out("slurm-resume");
  const auto complete = [&](std::size_t p) {
    const auto dir = out.path / "points" / plan.folder_name(p);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "point.yaml") << plan.point_yaml(p);
    std::ofstream(dir / "done");
  };
  app::SlurmSweep sweep;
  sweep.self = "/bin/syncsim";
  sweep.scenario_path = "/s.yaml";
  sweep.out = out.path.string();
  sweep.job_name = "t";
  app::SlurmRequest request;
  request.dry_run = true;
  request.tasks = 4;
  const auto array_line = [&] {
    REQUIRE(app::submit_sweep_to_slurm(plan, sweep, request) == 0);
    const std::string script = read(out.path / "slurm" / "array.sh");
    const std::size_t at = script.find("#SBATCH --array=");
    REQUIRE(at != std::string::npos);
    return script.substr(at, script.find('\n', at) - at);
  };
  CHECK(array_line() == "#SBATCH --array=1-4");
  for (const std::size_t p : {0, 2, 3}) complete(p);
  CHECK(array_line() == "#SBATCH --array=1-2");
  complete(4);
  CHECK(array_line() == "#SBATCH --array=2");
  SECTION("more tasks than points: a point per task") {
    request.tasks = 50;
    CHECK(array_line() == "#SBATCH --array=2,6");
    CHECK(read(out.path / "slurm" / "array.sh").find("--shard \"${SLURM_ARRAY_TASK_ID}/6\"") !=
          std::string::npos);
  }
  SECTION("a folder holding another sweep is refused before any script is written") {
    std::filesystem::create_directories(out.path / "points" / "0099-other");
    std::filesystem::remove_all(out.path / "slurm");
    CHECK(app::submit_sweep_to_slurm(plan, sweep, request) == 2);
    CHECK_FALSE(std::filesystem::exists(out.path / "slurm"));
  }
}
