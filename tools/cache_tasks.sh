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
#           name, which stands for those of its tasks whose data are on disk
#           (the NAME_available mixture; the others are listed).
#   --FLAG  passed on to cache_tasks_main, e.g. --overwrite, --min_shards=16.
#
#   tools/cache_tasks.sh --print_requirements
#           prints the pinned requirements of its Beam venv (see below).
#
# Example:
#   IE_INSTRUCTIONS_DIR=/data/ie_instructions IE_INSTRUCTIONS_VOCAB=/x.model \
#     tools/cache_tasks.sh /data/seqio_cache ie_instructions_supervised
#
# Read the caches with `seqio.add_global_cache_dirs([OUTPUT_CACHE_DIR])` and
# `use_cached=True` (T5X train.py: --seqio_additional_cache_dirs=DIR and
# `--gin.USE_CACHED_TASKS=True`). The data settings (tasks/settings.py) come
# from the environment: IE_INSTRUCTIONS_DIR, IE_INSTRUCTIONS_VOCAB, ...;
# IE_USER_DATASETS names the folders of your own datasets (their tasks and
# user_supervised, user_zeroshot_eval; tasks/all_tasks.py). Each
# task's cache gets their record (instructuie_settings.json); a task refuses
# a cache recorded with other settings, and this script refuses to add to
# such caches without --overwrite.
# Apache Beam needs protobuf<7 and the main venv pins protobuf 7, so this
# runs in its own venv ($BEAM_VENV, default ./.venv-beam): the pinned
# requirements.txt with protobuf, pillow, pyarrow, sentencepiece (whose
# 0.2.3 wheel needs protobuf>=7) and python-dateutil (Beam: <3) moved to
# versions Beam accepts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The pins of requirements.txt that Beam does not accept, and their
# replacements.
BEAM_OVERRIDES="protobuf|pillow|pyarrow|sentencepiece|python-dateutil"
beam_requirements() {
  grep -v -E "^(${BEAM_OVERRIDES})==" "$ROOT/requirements.txt"
  printf '%s\n' protobuf==6.33.6 pillow==12.3.0 pyarrow==25.0.1 \
    sentencepiece==0.2.2 python-dateutil==2.9.0.post0 apache-beam==2.77.0 \
    google-crc32c==1.9.0
}
# `tools/cache_tasks.sh --print_requirements`: the Beam venv's requirements.
if [ "${1:-}" == "--print_requirements" ]; then
  beam_requirements
  exit 0
fi

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

VENV="${BEAM_VENV:-$ROOT/.venv-beam}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q \
  -r <(beam_requirements)
"$VENV/bin/python" -m pip install -q --no-deps -e "$ROOT"

OVERWRITE=0
for flag in "${FLAGS[@]}"; do
  [[ "$flag" == "--overwrite" || "$flag" == "--overwrite=true" ]] && OVERWRITE=1
done

# Task names (a mixture: its tasks with data); refuses to add to caches made
# with other settings unless --overwrite.
TASKS="$("$VENV/bin/python" - "$OUTPUT_DIR" "$OVERWRITE" "${NAMES[@]}" <<'EOF'
import sys

import seqio

from tasks import all_tasks, cache, mixtures  # all_tasks: IE_USER_DATASETS

output_dir, overwrite, names = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
tasks = []
for name in names:
  if name in mixtures.MIXTURES:
    name, left_out = mixtures.available_mixture(name)
    for task, reason in sorted(left_out.items()):
      print(f"left out {task}: {reason}", file=sys.stderr)
    tasks += [t.name for t in seqio.get_mixture_or_task(name).tasks]
  else:
    tasks.append(name)
stale = {} if overwrite else cache.stale_caches(output_dir, tasks)
if stale:
  task, reason = next(iter(stale.items()))
  print(
    f"cache_tasks.sh: {len(stale)} cache(s) under {output_dir} were made "
    f"with other settings, e.g. {reason} Pass --overwrite to re-cache.",
    file=sys.stderr,
  )
  sys.exit(1)
print(",".join(tasks))
EOF
)"

"$VENV/bin/python" -m seqio.scripts.cache_tasks_main \
  --module_import=tasks.all_tasks \
  --tasks="$TASKS" \
  --output_cache_dir="$OUTPUT_DIR" \
  --alsologtostderr \
  "${FLAGS[@]}"

# Record the settings the caches were made with (checked when read).
"$VENV/bin/python" - "$OUTPUT_DIR" "$TASKS" <<'EOF'
import sys

from tasks import cache

written = cache.record_caches(sys.argv[1], sys.argv[2].split(","))
print(f"recorded the settings of {len(written)} cache(s) under {sys.argv[1]}")
EOF
