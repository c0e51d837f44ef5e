#!/usr/bin/env bash
# Timing-only runs (math: none) hold no parameter-sized buffer: the peak
# memory of a run does not grow with the model. For every algorithm family
# of scenarios/ci, the same run with a 20-32-4 MLP (804 parameters) and with
# a 20-1000000-4 one (25 million parameters, 100 MB per copy) peaks within
# a few MiB of each other, while one copy of the large model is 95 MiB.
#   timing_memory_test.sh SYNCSIM_BINARY SOURCE_DIR
source "$(dirname "$0")/prologue.sh" "$@"

# Peak resident memory of a child `syncsim run`, in KiB (getrusage ru_maxrss).
peak_kib() {
  /usr/bin/python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$syncsim" run "$1" -o "$2" --threads 1
}

# One family: its ci scenario with math: none, no expectations, the hidden
# layer given, and a timeout long enough for the large model's transfers
# (the elastic all-reduce and the resilient gossip refuse a shorter one).
# Both sizes stop after the same number of model versions (a stop in
# simulated time would cut the large model's run short).
scenario() {  # NAME HIDDEN
  { echo "math: none"
    sed -e '/^expect:/,$d' -e "s/layers: \[20, 32, 4\]/layers: [20, $2, 4]/" \
        -e 's/timeout: 1ms/timeout: 60s/' "$src/scenarios/ci/$1.yaml" |
      awk '/^stop:/ {skip = 1; next} skip && /^  / {next} {skip = 0; print}'
    echo "stop: {steps: 6}"; } >"$work/$1-$2.yaml"
}

# A parameter-sized buffer of the large model: 25,000,004 x 4 bytes.
copy_kib=$(( 25000004 * 4 / 1024 ))
limit_kib=$(( 8 * 1024 ))
for name in ps_sync_synthetic ps_async_synthetic ps_ssp_synthetic ps_sharded_synthetic \
            ps_server_restart_synthetic ps_sync_backup_synthetic \
            allreduce_ring_synthetic allreduce_tree_synthetic allreduce_hierarchical_tree \
            allreduce_ring_elastic_synthetic local_sgd_synthetic \
            gossip_synthetic gossip_faults_synthetic fedavg_synthetic; do
  scenario "$name" 32
  scenario "$name" 1000000
  small=$(peak_kib "$work/$name-32.yaml" "$work/o-$name-32") || fail "$name (small model) failed"
  large=$(peak_kib "$work/$name-1000000.yaml" "$work/o-$name-1000000") || fail "$name (large model) failed"
  # The large model really is sent: its messages are about 31,000 times larger.
  bytes() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="bytes_sent") c=i} NR==2{print $c}' "$1/summary.csv"; }
  /usr/bin/python3 -c "import sys; sys.exit(0 if $(bytes "$work/o-$name-1000000") > 1000 * $(bytes "$work/o-$name-32") else 1)" ||
    fail "$name: the large model's run did not send large messages"
  echo "$name: peak $small KiB with 804 parameters, $large KiB with 25,000,004 (one copy: $copy_kib KiB)"
  [ $(( large - small )) -le $limit_kib ] ||
    fail "$name: peak memory grew by $(( large - small )) KiB with the model (limit $limit_kib KiB)"
done
