#!/usr/bin/env bash
# Copyright 2026 The instructuie-jax Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Caches tokenized seqio tasks offline with seqio's Beam script
# (`python -m seqio.scripts.cache_tasks_main`, DirectRunner by default).
#
# Usage:
#   tools/cache_tasks.sh OUTPUT_CACHE_DIR NAME [NAME ...] [--FLAG ...]
#
#   NAME    a task name (or a regex, as `--tasks` takes them), or a mixture
#           name, which stands for those of its tasks whose train data exist.
#   --FLAG  passed on to cache_tasks_main, e.g. --overwrite, --min_shards=16.
#
# Example:
#   IE_INSTRUCTIONS_DIR=/data/ie_instructions IE_INSTRUCTIONS_VOCAB=/x.model \
#     tools/cache_tasks.sh /data/seqio_cache ie_instructions_supervised
#
# Read the caches with `seqio.add_global_cache_dirs([OUTPUT_CACHE_DIR])` and
# `use_cached=True` (T5X train.py: --seqio_additional_cache_dirs=DIR and
# `--gin.USE_CACHED_TASKS=True`). Caches are made with the
# default gin bindings and the vocabulary in force: re-cache when they change.
# Apache Beam needs protobuf<7 and the main venv pins protobuf 7, so this
# runs in its own venv ($BEAM_VENV, default ./.venv-beam): the pinned
# requirements.txt with protobuf, pillow, pyarrow and sentencepiece (whose
# 0.2.3 wheel needs protobuf>=7) moved to versions Beam accepts.
set -euo pipefail

if [ $# -lt 2 ] || [[ "$1" == -* ]]; then
  sed -n '16,/^set /p' "$0" | sed -n 's/^# \{0,1\}//p'
  exit 2
fi

OUTPUT_DIR="$1"
shift
NAMES=()
FLAGS=()
for arg in "$@"; do
  if [[ "$arg" == -* ]]; then FLAGS+=("$arg"); else NAMES+=("$arg"); fi
done
if [ ${#NAMES[@]} -eq 0 ]; then
  echo "No task or mixture name given (an empty --tasks caches all)." >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BEAM_VENV:-$ROOT/.venv-beam}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q \
  -r <(grep -v -E '^(protobuf|pillow|pyarrow|sentencepiece)==' \
    "$ROOT/requirements.txt") \
  protobuf==6.33.6 pillow==12.3.0 pyarrow==25.0.1 sentencepiece==0.2.2 \
  apache-beam==2.77.0 google-crc32c==1.9.0
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

TASKS="$("$VENV/bin/python" - "${NAMES[@]}" <<'EOF'
import sys

import seqio

from tasks import mixtures

names = []
for name in sys.argv[1:]:
  if name in seqio.MixtureRegistry.names():
    name, _ = mixtures.available_mixture(name)
    names += [t.name for t in seqio.get_mixture_or_task(name).tasks]
  else:
    names.append(name)
print(",".join(names))
EOF
)"

exec "$VENV/bin/python" -m seqio.scripts.cache_tasks_main \
  --module_import=tasks.ie_instructions \
  --tasks="$TASKS" \
  --output_cache_dir="$OUTPUT_DIR" \
  --alsologtostderr \
  "${FLAGS[@]}"
