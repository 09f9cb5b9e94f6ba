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
  python tools/build_tfds.py --manual_dir=DATA_ROOT --data_dir=TFDS_DIR \
    [--datasets=mit_movie,conll04 | --datasets=all]

One TFDS dataset per catalog row (`ie_instructions/{slug}:1.0.0`), built from
the JSON files under --manual_dir (the IE INSTRUCTIONS root, local or gs://)
into --data_dir (local or gs://). Datasets whose folder is missing are
listed and skipped. Read them with `IE_INSTRUCTIONS_SOURCE=tfds
IE_INSTRUCTIONS_TFDS_DIR=TFDS_DIR`. Same as `tfds build
--imports=tasks.sources ie_instructions/{slug} --manual_dir=...
--data_dir=...`, whose CLI needs apache-beam.
"""

from __future__ import annotations

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("manual_dir", None, "Data root.", required=True)
  flags.DEFINE_string("data_dir", None, "TFDS output dir.", required=True)
  flags.DEFINE_list("datasets", ["all"], "Slugs, or 'all'.")


def build(manual_dir: str, data_dir: str, slugs: list[str]) -> dict[str, str]:
  """Builds the datasets; returns `{slug: "built" | reason skipped}`."""
  import tensorflow as tf
  import tensorflow_datasets as tfds

  from instructuie_jax import catalog
  from tasks import sources

  specs = (
    catalog.CATALOG if slugs == ["all"] else [catalog.get(s) for s in slugs]
  )
  result = {}
  for spec in specs:
    folder = catalog.dataset_dir(spec, manual_dir)
    if not tf.io.gfile.isdir(folder):
      result[spec.slug] = f"skipped: no folder {folder}"
      continue
    builder = sources.IeInstructions(config=spec.slug, data_dir=data_dir)
    builder.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=manual_dir)
    )
    result[spec.slug] = f"built: {builder.data_dir}"
  return result


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  for slug, status in build(
    FLAGS.manual_dir, FLAGS.data_dir, FLAGS.datasets
  ).items():
    print(f"{slug}: {status}")


if __name__ == "__main__":
  define_flags()
  app.run(main)
