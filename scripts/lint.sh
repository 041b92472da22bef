#!/usr/bin/env bash
# `make lint`: every pre-commit hook of .pre-commit-config.yaml on the whole tree.
. "$(dirname "$0")/lib.sh"
ensure_venv
[ -x "$VENV/bin/pre-commit" ] || "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt"
cd "$ROOT"
exec "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure "$@"
