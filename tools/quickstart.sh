#!/usr/bin/env bash
# The main job on the bundled default: sets up ./.venv, then trains the tiny
# T5 on synthetic data and evaluates it zero-shot, printing an F1 table.
# Without T5X it prints how to install it and exits with status 2.
# Arguments are passed on to `python -m tools.run_local_tiny`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source tools/setup_env.sh
exec python -m tools.run_local_tiny "$@"
