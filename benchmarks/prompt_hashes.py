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

r"""Hashes every example built from a data root, to compare two commits.

Usage:
  python benchmarks/prompt_hashes.py --data_dir=/path/to/ie_instructions \
    [--path=core|preprocessor|both]

For every dataset and split (train, dev, test), builds the examples with the
default settings (seed 0, the shipped instruction pool, option policy
`as_given`, target format `instructuie`; train: main and auxiliary tasks and
the "multiple" strategy, dev/test: main tasks and "single") and prints, per
dataset, the number of examples and a SHA-256 over their `id`, `inputs` and
`targets`, then the total. `core` builds them with
`instructions.examples_for_split`; `preprocessor` with the seqio
preprocessor's Python step `tasks.preprocessors.build_batch` (needs
TensorFlow and seqio), one task at a time. Equal totals at two commits mean
the prompts and targets are byte-identical.
"""

from __future__ import annotations

import hashlib
import sys

from absl import app, flags

from instructuie_jax import instructions, schema, task_types

FLAGS = flags.FLAGS
SPLITS = ("train", "dev", "test")


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir", None, "IE INSTRUCTIONS root folder.", required=True
  )
  flags.DEFINE_enum(
    "path", "core", ["core", "preprocessor", "both"], "Which builder to hash."
  )


def _core_examples(family, dataset, split, instances, labels):
  return instructions.examples_for_split(
    instances,
    family,
    labels,
    dataset=dataset,
    split=split,
    train=split == "train",
    options=instructions.PromptOptions(seed=0),
  )


def _preprocessor_examples(family, dataset, split, instances, labels):
  from tasks import preprocessors, sources

  options = preprocessors.prompt_options()
  cols = (
    [i.id for i in instances],
    [i.sentence for i in instances],
    [sources.gold_to_json(i) for i in instances],
    [sources.labels_to_json(labels)] * len(instances),
    [split] * len(instances),
  )
  tasks = task_types.tasks_of_family(
    family, auxiliary=None if split == "train" else False
  )
  for task in tasks:
    inputs, targets, ids = preprocessors.build_batch(
      task, dataset, options, *cols
    )
    for i in range(len(inputs)):
      yield {"id": ids[i], "inputs": inputs[i], "targets": targets[i]}


def hash_examples(root: str, build) -> tuple[int, str]:
  """Prints a line per dataset; returns (examples, total hash)."""
  total = hashlib.sha256()
  count = 0
  for family, dataset in schema.list_datasets(root):
    digest = hashlib.sha256()
    n = 0
    for split in SPLITS:
      instances, labels, _ = schema.load_dataset_split(
        root, family, dataset, split
      )
      for example in build(family, dataset, split, instances, labels):
        for key in ("id", "inputs", "targets"):
          digest.update(example[key].encode("utf-8"))
          digest.update(b"\0")
        n += 1
    print(f"{family}/{dataset:<22} {n:>8}  {digest.hexdigest()[:16]}")
    total.update(digest.digest())
    count += n
  return count, total.hexdigest()


def main(argv: list[str]) -> int:
  del argv
  builders = {"core": _core_examples, "preprocessor": _preprocessor_examples}
  paths = ["core", "preprocessor"] if FLAGS.path == "both" else [FLAGS.path]
  results = {}
  for path in paths:
    count, digest = hash_examples(FLAGS.data_dir, builders[path])
    print(f"{path}: {count} examples, sha256 {digest}")
    results[path] = digest
  if len(set(results.values())) > 1:
    print("The builders differ.", file=sys.stderr)
    return 1
  return 0


if __name__ == "__main__":
  define_flags()
  app.run(main)
