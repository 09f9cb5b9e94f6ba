#!/usr/bin/env bash
# Sourced by tools/quickstart.sh and .ci/run: creates and activates a virtual
# environment (default ./.venv, or $INSTRUCTUIE_VENV), installs the pinned
# PyPI requirements, installs T5X from local git snapshots when T5X is
# missing and snapshots are found ($T5X_SNAPSHOT_MIRROR, default
# /work/.mirror), then the project itself (`pip install --no-deps -e .`), so
# `python -m tools.X` and the gin files' imports work from any directory.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${INSTRUCTUIE_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
# --use-pep517: requirements-test.txt's seqeval is a source release whose
# setup.py fails outside a PEP 517 build.
python -m pip install -q --use-pep517 \
  -r "$ROOT/${INSTRUCTUIE_REQUIREMENTS:-requirements.txt}"

if ! python -c "import t5x.train" >/dev/null 2>&1; then
  MIRROR="${T5X_SNAPSHOT_MIRROR:-/work/.mirror}"
  INSTALLER="${T5X_SNAPSHOT_INSTALLER:-$ROOT/../shared/tools/install-t5x-from-snapshots}"
  if [ -x "$INSTALLER" ] && [ -d "$MIRROR/google-research+t5x" ]; then
    echo "Installing T5X from the snapshots in $MIRROR"
    "$INSTALLER" --no-clu --mirror "$MIRROR" --python "$VENV/bin/python" \
      --workdir "$(mktemp -d)" >/dev/null \
      || echo "T5X install from snapshots failed; T5X parts will say so."
  fi
fi
python -m pip install -q --no-deps -e "$ROOT"
