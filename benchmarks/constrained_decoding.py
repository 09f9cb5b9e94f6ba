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

r"""Free against constrained decoding: strict F1, answers outside the prompt, speed.

Usage:
  PYTHONPATH=$PWD python benchmarks/constrained_decoding.py \
    --checkpoint=MODEL_DIR --data_dir=IE_INSTRUCTIONS_ROOT \
    --datasets=NER/synth_news,NER/synth_heldout [--vocabulary=byte] \
    [--split=test] [--batch_size=16] [--limit=0]

For each dataset and each main task of its family, extracts from the split's
sentences with the labels of its labels.json through `Extractor.extract`,
once free and once with `constrained=True` (same batches), and prints per
row: the strict F1 of the task's first metric, the spans not in the text,
the labels not offered, the unparsed pieces, the answers cut back at the
target length (constrained only) and texts per second (each mode compiled by
one untimed batch first; one timed run each).
"""

from __future__ import annotations

import time

from absl import app, flags

from instructuie_jax import formats, metrics, schema, task_types
from instructuie_t5x import extractor as extractor_lib

FLAGS = flags.FLAGS


def define_flags() -> None:
  flags.DEFINE_string("checkpoint", None, "Model directory or checkpoint_N.")
  flags.DEFINE_string("data_dir", None, "IE INSTRUCTIONS root folder.")
  flags.DEFINE_list("datasets", [], "FAMILY/DATASET folders to run.")
  flags.DEFINE_string("vocabulary", None, "SentencePiece model or 'byte'.")
  flags.DEFINE_string("split", "test", "Split file to read.")
  flags.DEFINE_integer("batch_size", 16, "Texts per decode.")
  flags.DEFINE_integer("target_length", None, "Decoded tokens per text.")
  flags.DEFINE_integer("limit", 0, "Sentences per dataset (0: all).")


def run_mode(model, task, items, labels, gold, constrained):
  """One timed extraction; returns the row's numbers."""
  model.extract(
    items[: model.batch_size], task, labels, constrained=constrained
  )
  start = time.perf_counter()
  answers = model.extract(items, task, labels, constrained=constrained)
  seconds = time.perf_counter() - start
  fmt = formats.get("instructuie")
  name = task_types.get(task).metric_names[0]
  counts = metrics.add_counts(
    *(
      metrics.score_example(task, g, fmt.parse(task, a["prediction"]).records)
      for g, a in zip(gold, answers, strict=True)
    )
  )[name]
  return {
    "f1": 100 * counts.f1,
    "not_in_text": sum(a["ungrounded"] - a["repeats"] for a in answers),
    "repeats": sum(a["repeats"] for a in answers),
    "invalid_labels": sum(a["invalid_labels"] for a in answers),
    "parse_problems": sum(len(a["parse_problems"]) for a in answers),
    "cut": sum(bool(a.get("unfinished_tokens")) for a in answers),
    "texts_per_s": len(items) / seconds,
  }


def main(argv) -> None:
  del argv
  model = extractor_lib.Extractor.from_checkpoint(
    FLAGS.checkpoint,
    vocabulary=FLAGS.vocabulary,
    batch_size=FLAGS.batch_size,
    target_length=FLAGS.target_length,
  )
  print(
    "| dataset | task | decoding | strict F1 | spans not in text | repeated "
    "answers | labels not offered | unparsed | cut at length | texts/s |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|")
  for path in FLAGS.datasets:
    family, dataset = path.split("/")
    instances, labels, _ = schema.load_dataset_split(
      FLAGS.data_dir, family, dataset, FLAGS.split
    )
    if FLAGS.limit:
      instances = instances[: FLAGS.limit]
    options = labels.roles if labels.roles else list(labels.types)
    items = [{"text": x.sentence} for x in instances]
    for task in task_types.tasks_of_family(family, auxiliary=False):
      record = task_types.get(task)
      if record.per_event:
        continue  # One example per event: not a plain list of texts.
      gold = [record.gold(x) for x in instances]
      for constrained in (False, True):
        row = run_mode(model, task, items, options, gold, constrained)
        print(
          f"| {dataset} | {task} | {'constrained' if constrained else 'free'} "
          f"| {row['f1']:.1f} | {row['not_in_text']} | {row['repeats']} "
          f"| {row['invalid_labels']} "
          f"| {row['parse_problems']} | {row['cut'] if constrained else '-'} "
          f"| {row['texts_per_s']:.1f} |",
          flush=True,
        )


if __name__ == "__main__":
  define_flags()
  app.run(main)
