#!/usr/bin/env bash
# CI: run a funding-gap job array on a real single-node Slurm and check that the merged
# outputs are the bytes of the run in one process.
#
#   scripts/slurm/ci-single-node.sh BINARY
#
# As root on Debian: installs slurmctld, slurmd and munge if missing, then starts a private
# munged, slurmctld and slurmd (one node: this machine's cores and part of its memory) whose
# key, configuration, state, spool and logs live in one temporary folder, on ports of their
# own (FG_SLURM_PORT and the one after, default 16817), so an existing Slurm or munge is not
# touched. Submits 4 shards of scenarios/bench.toml with scripts/slurm/submit.sh, waits for
# the merge (FG_SLURM_TIMEOUT seconds, default 300), runs the same run in one process and
# compares every file but manifest.json with cmp, and the shards' trials with the run's
# trials.csv. On any exit it cancels its jobs, stops the daemons it started by their PIDs
# and removes the folder.
set -euo pipefail

die() {
    echo "ci-single-node: $*" >&2
    exit 1
}

(($# == 1)) || die "usage: scripts/slurm/ci-single-node.sh BINARY"
[[ -x $1 ]] || die "'$1' is not an executable funding-gap binary (build it first)"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[[ $(id -u) == 0 ]] || die "run as root: it installs packages and starts Slurm's daemons"
cd "$(dirname "$0")/../.."

trials=20000 seed=11 shards=4
port=${FG_SLURM_PORT:-16817}
timeout=${FG_SLURM_TIMEOUT:-300}
started=$SECONDS

echo "== install slurmctld slurmd munge"
if command -v slurmctld slurmd munged sbatch >/dev/null &&
    [[ $(command -v slurmctld slurmd munged sbatch | wc -l) == 4 ]]; then
    echo "already installed: $(slurmctld -V)"
else
    # No service may start from the packages' scripts: this test starts its own daemons.
    made_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd munge >/dev/null
    [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
    echo "installed: $(slurmctld -V)"
fi

tmp=$(mktemp -d /tmp/fg-slurm.XXXXXX)
pids=()
jobs_submitted=()
cleanup() {
    local rc=$?
    set +e
    if ((${#jobs_submitted[@]} > 0)); then
        scancel "${jobs_submitted[@]}" 2>/dev/null
        for _ in $(seq 20); do
            [[ -z $(squeue -h -j "$(IFS=,; echo "${jobs_submitted[*]}")" 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
    # A job's slurmstepd outlives its job by a moment and leaves with its socket in the spool
    # folder (NODE_JOB.STEP): stop slurmd only when they are all gone.
    for _ in $(seq 30); do
        [[ -z $(find "$tmp/spool" -maxdepth 1 -type s 2>/dev/null) ]] && break
        sleep 0.5
    done
    if [[ -n $(find "$tmp/spool" -maxdepth 1 -type s 2>/dev/null) ]]; then
        echo "ci-single-node: job steps still running after 15 s: $(find "$tmp/spool" -maxdepth 1 -type s -printf '%f ')" >&2
    fi
    # The daemons in the reverse order of their start: slurmd, slurmctld, munged.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "${pids[i]}" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "${pids[i]}" 2>/dev/null; then
            echo "ci-single-node: pid ${pids[i]} ignored SIGTERM: killing it" >&2
            kill -9 "${pids[i]}" 2>/dev/null
        fi
        wait "${pids[i]}" 2>/dev/null
    done
    rm -rf "$tmp"
    if ((rc == 0)); then
        echo "== ok: merged outputs of $shards Slurm shards are the one-process run's bytes ($((SECONDS - started)) s)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the daemons' logs and the jobs' output, then fails.
fail() {
    echo "ci-single-node: $*" >&2
    for f in "$tmp"/log/*; do
        [[ -s $f ]] || continue
        # A daemon in the foreground writes its log to stderr too: show that only when
        # the daemon died before its log file was open.
        [[ $f == *.stderr && -s ${f%.stderr}.log ]] && continue
        echo "--- $f (last 40 lines)" >&2
        tail -n 40 "$f" >&2
    done
    exit 1
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
    local limit=$1
    shift
    local t0=$SECONDS
    until "$@" >/dev/null 2>&1; do
        ((SECONDS - t0 < limit)) || return 1
        sleep 0.5
    done
}

mkdir -p "$tmp"/{etc,munge,state,spool,run,log,work}
chmod 700 "$tmp/munge"

echo "== munged"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
# The socket's folders can be passed by all (munged warns otherwise); the key's cannot.
chmod 711 "$tmp"
chmod 755 "$tmp/run"
socket=$tmp/run/munge.socket
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$socket" \
    --pid-file="$tmp/run/munged.pid" --log-file="$tmp/log/munged.log" \
    --seed-file="$tmp/munge/munged.seed" 2>>"$tmp/log/munged.log" &
pids+=($!)
munge_ok() { munge -n -S "$socket" | unmunge -S "$socket"; }
wait_for 20 munge_ok || fail "munged did not answer on $socket"

echo "== slurm.conf"
host=$(hostname -s)
cpus=$(nproc)
# Half the memory: slurmd drains a node that has less than its RealMemory.
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 / 2) }' /proc/meminfo)
export SLURM_CONF=$tmp/etc/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=fgci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
echo "one node '$host': $cpus CPUs, $mem_mb MB; ports $port, $((port + 1))"

echo "== slurmctld, slurmd"
slurmctld -D -f "$SLURM_CONF" 2>>"$tmp/log/slurmctld.stderr" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" 2>>"$tmp/log/slurmd.stderr" &
pids+=($!)
node_idle() { [[ $(sinfo -h -n "$host" -o %t) == idle ]]; }
wait_for 60 node_idle || fail "node '$host' is not idle after 60 s: $(sinfo -N -l 2>&1)"
echo "node idle after $((SECONDS - started)) s"

echo "== submit $shards shards of scenarios/bench.toml ($trials trials, seed $seed)"
t0=$SECONDS
submitted=$(FUNDING_GAP=$bin scripts/slurm/submit.sh -m "$shards" -n "$trials" -s "$seed" -t \
    -p "$tmp/work/parts" -o "$tmp/work/merged" scenarios/bench.toml \
    -- --output="$tmp/log/job-%x-%j.out")
echo "$submitted"
array=$(sed -n 's/^shards job \([0-9]*\):.*/\1/p' <<<"$submitted")
merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' <<<"$submitted")
[[ -n $array && -n $merge ]] || fail "no job ids in submit.sh's output"
jobs_submitted=("$array" "$merge")

# JobState of job $1 (of its first record: the merge job is no array).
job_state() { scontrol show job "$1" -o | sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p' | head -n 1; }
state=""
until [[ $state =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$ ]]; do
    ((SECONDS - t0 < timeout)) || fail "the merge job $merge is still ${state:-unknown} after $timeout s"
    sleep 1
    state=$(job_state "$merge")
done
# Each array task as "shard K STATE (exit CODE)".
shard_states() {
    scontrol show job "$array" -o | tr ' ' '\n' |
        awk -F= '$1 == "ArrayTaskId" { k = $2 } $1 == "JobState" { st = $2 }
                 $1 == "ExitCode" { printf "shard %s %s (exit %s); ", k, st, $2 }' | sed 's/; $//'
}
[[ $state == COMPLETED ]] || fail "the merge job $merge ended $state; $(shard_states)"
echo "shards and merge done in $((SECONDS - t0)) s"

echo "== the same run in one process"
t0=$SECONDS
"$bin" run scenarios/bench.toml --trials "$trials" --seed "$seed" --save-trials \
    --out "$tmp/work/one" -q
echo "done in $((SECONDS - t0)) s"

echo "== compare"
one=$tmp/work/one merged=$tmp/work/merged
(cd "$one" && find . -type f ! -name manifest.json ! -name trials.csv | sort) >"$tmp/one.list"
(cd "$merged" && find . -type f ! -name manifest.json | sort) >"$tmp/merged.list"
diff "$tmp/one.list" "$tmp/merged.list" >&2 ||
    fail "the merged run's files (>) are not the one-process run's (<)"
[[ -s $tmp/one.list ]] || fail "the one-process run wrote no files"
while read -r f; do
    cmp "$one/$f" "$merged/$f" || fail "$f: the merged bytes differ from the one-process run's"
    echo "same bytes: ${f#./}"
done <"$tmp/one.list"
cat "$tmp/work/parts"/trials-*-of-"$shards".csv | cmp - "$one/trials.csv" ||
    fail "the shards' trials-K-of-$shards.csv, concatenated, differ from the one-process trials.csv"
echo "same bytes: trials-*-of-$shards.csv, concatenated, and trials.csv"
