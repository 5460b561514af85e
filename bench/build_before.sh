#!/usr/bin/env bash
# Builds sentzoo-bench from an older commit, for the "before" variant of bench/run_all.py's
# experiments section (the same measurement, old code, in the same run):
#
#   bench/build_before.sh fcc2219        # prints the path of the built sentzoo-bench
#   bench/run.sh --before-exe "$(bench/build_before.sh fcc2219)" --before-label fcc2219
#
# The commit is checked out as a detached git worktree under build-before/src and built in
# build-before/build (ccache makes a rebuild of shared files cheap). Nothing is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/build_before.sh COMMIT}
root=$PWD/build-before
src=$root/src
if [ -d "$src" ]; then
  git -C "$src" checkout --quiet --detach "$rev"
else
  mkdir -p "$root"
  git worktree add --quiet --detach "$src" "$rev"
fi
cmake -S "$src" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" --target sentzoo-bench >&2
echo "$root/build/sentzoo-bench"
