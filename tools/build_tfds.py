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


r"""Prepares the `ie_instructions` TFDS datasets (sharded TFRecords).

Usage:
  python -m tools.build_tfds --manual_dir=DATA_ROOT --data_dir=TFDS_DIR \
    [--datasets=mit_movie,conll04 | --datasets=all]
  IE_USER_DATASETS=/data/my_ie python -m tools.build_tfds \
    --data_dir=TFDS_DIR --datasets=user | --datasets=my_ner,...

One TFDS dataset per catalog row (`ie_instructions/{slug}:1.0.0`), built from
the JSON files under --manual_dir (the IE INSTRUCTIONS root, local or gs://)
into --data_dir (local or gs://). With --datasets=all, catalog datasets whose
folder is missing are listed and counted as skipped; a dataset named in
--datasets must have its folder. Read them with `IE_INSTRUCTIONS_SOURCE=tfds
IE_INSTRUCTIONS_TFDS_DIR=TFDS_DIR`. Same as `tfds build
--imports=tasks.sources ie_instructions/{slug} --manual_dir=...
--data_dir=...`, whose CLI needs apache-beam.

The datasets of the user's own folders (`IE_USER_DATASETS`,
tasks/user_datasets.py) are built from their own folder (no --manual_dir
needed) as `ie_instructions/user_{family}_{slug}`: `--datasets=user` for
all of them, or their names among the others.

Everything is checked before the first dataset is built: the folders, the
names, and every split of every dataset to build (it must read without
error and hold at least one instance). A mistake is one line on stderr with
exit status 2 (flags, names) or 1 (paths, data); exit status 1 too when
nothing is left to build.
"""

from __future__ import annotations

from absl import app, flags

from instructuie_jax import cli
from tasks import tfds_build

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "manual_dir", None, "Data root of the catalog's datasets."
  )
  flags.DEFINE_string("data_dir", None, "TFDS output dir.", required=True)
  flags.DEFINE_list(
    "datasets",
    ["all"],
    "Slugs, 'all' (the catalog's) or 'user' (those of IE_USER_DATASETS).",
  )


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  result = tfds_build.build(FLAGS.manual_dir, FLAGS.data_dir, FLAGS.datasets)
  for slug, status in result.items():
    print(f"{slug}: {status}")
  counts = {}
  for status in result.values():
    key = status.split(":", 1)[0]
    counts[key] = counts.get(key, 0) + 1
  print(", ".join(f"{n} {key}" for key, n in counts.items()))


if __name__ == "__main__":
  define_flags()
  cli.run(main)
