// `syncsim run --slurm`: the replicates' job-array and collect scripts as
// text, with the seeds of each task worked out by hand.
#include <catch2/catch.hpp>
#include <string>

#include "app/slurm_replicates.h"

namespace {

app::SlurmReplicates example() {
  app::SlurmReplicates r;
  r.self = "/opt/bin/syncsim";
  r.scenario_path = "/home/a/cmp.yaml";
  r.out = "/shared/runs/cmp";
  r.job_name = "cmp";
  r.root_seed = 7;
  r.replicates = 5;
  r.seed = 7;
  r.flags = {"--trace", "-q"};
  r.tasks = 2;
  r.shards = {1, 2};
  r.options = {"--partition=short"};
  return r;
}

}  // namespace

TEST_CASE("task I of N runs the seeds S + r with r % N == I - 1, skipping complete ones") {
  CHECK(app::slurm_replicates_array_script(example()) ==
        "#!/bin/sh\n"
        "# Written by `syncsim run --slurm` for the replicates of 'cmp': array task I runs the "
        "replicates r with r % 2 == I - 1, each into slurm/seed-<seed>/.\n"
        "#SBATCH --job-name=cmp\n"
        "#SBATCH --array=1-2\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=/shared/runs/cmp/slurm/replicates-%A-%a.log\n"
        "#SBATCH --partition=short\n"
        "case \"$SLURM_ARRAY_TASK_ID\" in\n"
        "  1) seeds=\"7 9 11\" ;;\n"
        "  2) seeds=\"8 10\" ;;\n"
        "  *) echo \"task $SLURM_ARRAY_TASK_ID has no replicates\" >&2; exit 2 ;;\n"
        "esac\n"
        "for seed in $seeds; do\n"
        "  # A run publishes its files at once: run.json means complete.\n"
        "  [ -e /shared/runs/cmp/slurm/seed-\"$seed\"/run.json ] && continue\n"
        "  /opt/bin/syncsim run /home/a/cmp.yaml -o /shared/runs/cmp/slurm/seed-\"$seed\" "
        "--seed \"$seed\" --replicates 1 --force --trace -q\n"
        "  code=$?  # 3: the replicate diverged; its files are written, its status says so\n"
        "  [ \"$code\" = 0 ] || [ \"$code\" = 3 ] || exit \"$code\"\n"
        "done\n");
}

TEST_CASE("a resubmitted array lists only its tasks, and seeds wrap modulo 2^64") {
  app::SlurmReplicates r = example();
  r.root_seed = 18446744073709551614u;  // 2^64 - 2
  r.replicates = 4;
  r.tasks = 3;
  r.shards = {2, 3};
  const std::string script = app::slurm_replicates_array_script(r);
  CHECK(script.find("#SBATCH --array=2-3\n") != std::string::npos);
  CHECK(script.find("  1) ") == std::string::npos);
  CHECK(script.find("  2) seeds=\"18446744073709551615\" ;;\n") != std::string::npos);
  CHECK(script.find("  3) seeds=\"0\" ;;\n") != std::string::npos);
}

TEST_CASE("the replicates' collect job merges with the tasks' seed and flags") {
  CHECK(app::slurm_replicates_collect_script(example()) ==
        "#!/bin/sh\n"
        "# Written by `syncsim run --slurm` for the replicates of 'cmp': their merged files in "
        "the output folder, once every task has ended well.\n"
        "#SBATCH --job-name=cmp-collect\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=/shared/runs/cmp/slurm/collect-%j.log\n"
        "#SBATCH --partition=short\n"
        "exec /opt/bin/syncsim run /home/a/cmp.yaml -o /shared/runs/cmp --replicates 5 --seed 7 "
        "--trace -q --force --collect\n");
}

TEST_CASE("run's --slurm flags are refused where they cannot apply") {
  app::ReplicateArgs args;
  CHECK_FALSE(app::run_slurm_flags_error(args, 1));
  args.slurm_tasks = 3;
  CHECK(*app::run_slurm_flags_error(args, 5) == "--slurm-tasks goes with --slurm");
  args.slurm = true;
  CHECK_FALSE(app::run_slurm_flags_error(args, 5));
  CHECK(app::run_slurm_flags_error(args, 1)->find("give the scenario replicates: N") !=
        std::string::npos);
  args.collect = true;
  CHECK(app::run_slurm_flags_error(args, 5)->find("does not go with --collect") !=
        std::string::npos);
}
