#!/usr/bin/env bash
# Submit a funding-gap run to Slurm as a job array of shards and a merge job that starts
# once every shard has succeeded. Prints the two job ids.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/slurm/submit.sh [OPTIONS] SCENARIO [-- SBATCH_OPTION...]

Submits shard.sbatch as an array of M tasks (--array=0-(M-1)), task K running shard K/M of
the run into the parts folder, then merge.sbatch with --dependency=afterok on the array:
it writes the run's outputs, the same bytes as `funding-gap run` on one machine.

Options:
  -m, --shards M      number of shards, one array task each (required)
  -p, --parts DIR     folder for the part files, readable by the merge job (required)
  -o, --out DIR       output folder of the merge [default: output/<scenario name>/]
  -n, --trials N      trials of the whole run, e.g. 1e9 [default: the scenario's]
  -s, --seed S        seed [default: the scenario's]
  -t, --save-trials   also write each shard's trials, DIR/trials-K-of-M.csv; their
                      concatenation in shard order is the run's trials.csv
  -h, --help          print this help

Options after -- go to both sbatch calls, e.g. -- --partition=short --time=30
--cpus-per-task=8 (a shard then uses 8 threads). sbatch also reads SBATCH_PARTITION,
SBATCH_ACCOUNT, SBATCH_TIMELIMIT and the like from the environment.

Environment:
  FUNDING_GAP         the funding-gap binary [default: funding-gap on PATH]; every node
                      must reach it at that path

The jobs run in the current folder: SCENARIO, DIR and relative paths start there, so it
must be on storage every node shares.

Example:
  scripts/slurm/submit.sh -m 100 -n 1e9 -s 7 -p parts/bench scenarios/bench.toml -- --time=20
USAGE
}

fail() {
    echo "submit.sh: $*" >&2
    echo "run scripts/slurm/submit.sh -h for help" >&2
    exit 2
}

shards="" parts="" out="" trials="" seed="" save_trials=0 scenario=""
while (($# > 0)); do
    case $1 in
        -h | --help) usage; exit 0 ;;
        -m | --shards | -p | --parts | -o | --out | -n | --trials | -s | --seed)
            (($# >= 2)) || fail "$1 needs a value"
            case $1 in
                -m | --shards) shards=$2 ;;
                -p | --parts) parts=$2 ;;
                -o | --out) out=$2 ;;
                -n | --trials) trials=$2 ;;
                -s | --seed) seed=$2 ;;
            esac
            shift 2
            ;;
        -t | --save-trials) save_trials=1; shift ;;
        --) shift; break ;;
        -*) fail "unknown option '$1'" ;;
        *)
            [[ -z $scenario ]] || fail "one scenario only (got '$scenario' and '$1')"
            scenario=$1
            shift
            ;;
    esac
done
sbatch_opts=("$@")

[[ -n $scenario ]] || fail "no SCENARIO given"
[[ -n $shards ]] || fail "--shards M is required: how many array tasks to split the run into"
[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "--shards '$shards' is not a whole number of shards ≥ 1"
[[ -n $parts ]] || fail "--parts DIR is required: the folder for the part files"

bin=${FUNDING_GAP:-funding-gap}
command -v "$bin" >/dev/null || fail "cannot run the funding-gap binary '$bin': set FUNDING_GAP to its path"
# Refuse what would only fail later, on the cluster: a bad scenario, and old parts that the
# merge would mix with the new ones.
"$bin" validate "$scenario" >/dev/null || fail "the scenario '$scenario' does not validate (above)"
if compgen -G "$parts/*.fgpart" >/dev/null; then
    fail "'$parts' already holds part files: remove them or choose another --parts folder"
fi
mkdir -p "$parts"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FUNDING_GAP="$bin" SCENARIO="$scenario" PARTS="$parts" OUT="$out" TRIALS="$trials" \
    SEED="$seed" SHARDS="$shards" SAVE_TRIALS="$save_trials"
# --export=ALL names the settings' carrier explicitly: some sites default to --export=NONE.
common=(--parsable --chdir="$PWD" --export=ALL "${sbatch_opts[@]}")

array=$(sbatch "${common[@]}" --array="0-$((shards - 1))" "$here/shard.sbatch")
array=${array%%;*}
merge=$(sbatch "${common[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/merge.sbatch")
merge=${merge%%;*}

echo "shards job $array: $shards tasks, part files into $parts"
echo "merge job $merge: after every shard succeeds, outputs into ${out:-output/<scenario name>/}"
