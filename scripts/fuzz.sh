#!/usr/bin/env bash
# Builds (once) and runs the libFuzzer targets of fuzz/ (issue #14):
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [target...]     (default: 60 s each, every target)
#
# Targets: readers dataset_spec wordpiece sentencepiece safetensors config torchscript_metadata.
# Each runs N seconds (J processes sharing one corpus with -jobs=J/-workers=J) on its corpus,
# the committed tiny seeds in fuzz/seeds/<target>/ and seeds cut from $SENTZOO_DATA (small
# samples of each real file format, written outside the source tree, never committed). Per
# target it prints executions, exec/s and findings; it exits 1 when any target found something.
# Everything it writes, crash inputs included, goes under $SENTZOO_FUZZ_OUT (default
# ${TMPDIR:-/tmp}/sentzoo-fuzz): <target>/corpus, <target>/crashes, <target>/log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=60
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(readers dataset_spec wordpiece sentencepiece safetensors config torchscript_metadata)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
out=${SENTZOO_FUZZ_OUT:-${TMPDIR:-/tmp}/sentzoo-fuzz}
build=${SENTZOO_FUZZ_BUILD:-build-fuzz}
mkdir -p "$out"

# Build: clang (libFuzzer comes with clang's runtime, libclang-rt-*-dev on Debian).
cxx=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (scripts/setup.sh installs clang-14)" >&2
  exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DSENTZOO_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
fi
cmake --build "$build" -- -j"${SENTZOO_FUZZ_BUILD_JOBS:-2}" >/dev/null

# Seeds from the real data: the first lines of files of each format (readers also get the two
# selector bytes of fuzz/readers.cpp: the format index and the option bits).
data_seeds() {
  local target=$1 dir=$2 data=${SENTZOO_DATA:-}
  [ -n "$data" ] && [ -d "$data" ] || return 0
  mkdir -p "$dir"
  local i=0
  # (head -c closes the pipe early: SIGPIPE is expected there, not an error)
  sample() { head -n "${2:-40}" "$data/$1" | head -c 4096 || true; }
  case "$target" in
    readers)
      # format index (tsv nli csv bq pawsx stsb sick jsonl text), option bits, file
      while read -r format flags file; do
        [ -f "$data/$file" ] || continue
        { printf "\\x$(printf %02x "$format")\\x$(printf %02x "$flags")"; sample "$file"; } \
          >"$dir/$i"
        i=$((i + 1))
      done <<'LIST'
0 0 zh/LCQMC/dev.txt
0 0 zh/STS-B/STS-B.valid.data
0 1 zh/AFQMC/dev.txt
1 0 zh/NLI/OCNLI/dev.txt
1 1 zh/NLI/Chinese-SNLI/dev.txt
1 0 zh/NLI/Chinese-MNLI/dev.txt
0 0 zh/ATEC/atec_nlp_sim_train.csv
3 0 zh/BQ/dev.csv
4 0 zh/PAWSX/dev_2k.tsv
5 0 en/STS-B/sts-dev.csv
6 0 en/SICK/SICK_trial.txt
8 0 corpus/zh-classical-novels/hongloumeng.txt
8 2 corpus/en-gutenberg/chesterton-ball.txt
8 0 corpus/en-gutenberg/blake-poems.txt
LIST
      ;;
    wordpiece | sentencepiece)
      # single lines of real text: English, Chinese, accents
      for file in en/STS-B/sts-dev.csv zh/LCQMC/dev.txt zh/NLI/OCNLI/dev.txt \
                  en/SICK/SICK_trial.txt corpus/en-gutenberg/austen-emma.txt; do
        [ -f "$data/$file" ] || continue
        sed -n '2,9p' "$data/$file" | while IFS= read -r line; do
          printf '%s' "$line" >"$dir/$i"
          i=$((i + 1))
        done
        i=$((i + 10))
      done
      ;;
    dataset_spec)
      for spec in "stsb:en/STS-B/sts-dev.csv" "tsv:zh/ATEC/atec_nlp_sim_train.csv?columns=1,2,3" \
                  "sick:en/SICK/SICK_trial.txt?label=entailment_judgment" \
                  "tsv:zh/STS-B/STS-B.train.data?label_scale=0.2&on_error=skip" \
                  "text:corpus/en-gutenberg/chesterton-ball.txt?encoding=latin1" \
                  "bq:zh/BQ/dev.csv" "nli:zh/NLI/OCNLI/dev.txt"; do
        printf '%s' "$spec" >"$dir/$i"
        i=$((i + 1))
      done
      ;;
  esac
}

status=0
total=0
printf '%-22s %12s %10s %9s  %s\n' target executions exec/s findings crashes
for t in "${targets[@]}"; do
  bin=$build/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "fuzz.sh: unknown target '$t' (targets: ${all[*]})" >&2
    exit 2
  fi
  dir=$out/$t
  mkdir -p "$dir/corpus" "$dir/crashes"
  rm -rf "$dir/seeds-data" "$dir"/log*
  data_seeds "$t" "$dir/seeds-data"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds+=("$root/fuzz/seeds/$t")
  [ -d "$dir/seeds-data" ] && seeds+=("$dir/seeds-data")
  before=$(ls "$dir/crashes" | wc -l)
  # -timeout: a hang is an input running > 10 s; -rss_limit_mb / -malloc_limit_mb: an
  # unbounded allocation is an input that wants > 2 GB; -max_len covers the seed sizes.
  flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192
         -artifact_prefix="$dir/crashes/" -print_final_stats=1 -close_fd_mask=1)
  case "$t" in
    safetensors) flags+=(-dict="$root/fuzz/dicts/safetensors.dict") ;;
    config | torchscript_metadata | dataset_spec) flags+=(-dict="$root/fuzz/dicts/json.dict") ;;
  esac
  set +e
  if [ "$jobs" -gt 1 ]; then
    (cd "$dir" && "$root/$bin" "${flags[@]}" -jobs="$jobs" -workers="$jobs" \
      "$dir/corpus" "${seeds[@]}" >"$dir/log" 2>&1)
  else
    "$bin" "${flags[@]}" "$dir/corpus" "${seeds[@]}" >"$dir/log" 2>&1
  fi
  rc=$?
  set -e
  logs=("$dir/log")
  compgen -G "$dir/fuzz-*.log" >/dev/null && logs=("$dir"/fuzz-*.log)
  execs=$(cat "${logs[@]}" | awk '/stat::number_of_executed_units/ {s += $NF} END {print s + 0}')
  after=$(ls "$dir/crashes" | wc -l)
  found=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi  # e.g. a crash in start-up
  rate=$((execs / (seconds > 0 ? seconds : 1)))
  total=$((total + execs))
  printf '%-22s %12d %10d %9d  %s\n' "$t" "$execs" "$rate" "$found" "$dir/crashes"
  if [ "$found" -ne 0 ]; then
    status=1
    grep -m1 -A12 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|deadly signal' \
      "${logs[@]}" | sed 's/^/    /' || tail -20 "$dir/log" | sed 's/^/    /'
  fi
done
printf '%-22s %12d\n' total "$total"
exit $status
