#!/usr/bin/env bash
# The Python of the experiments' report scripts: the reference venv (SENTZOO_REF_VENV, default
# .venv-ref; created by tools/reference/setup_env.sh when missing) with experiments/requirements.txt
# installed once. The C++ build and ctest never need it.
#   experiments/python.sh SCRIPT.py ARGS...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${SENTZOO_REF_VENV:-$root/.venv-ref}
[ -x "$venv/bin/python" ] || "$root/tools/reference/setup_env.sh" "$venv" >&2
if ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
  "$venv/bin/pip" install -q -r "$root/experiments/requirements.txt" \
    -c <(grep '^numpy==' "$root/tools/reference/requirements.txt") >&2
fi
exec "$venv/bin/python" "$@"
