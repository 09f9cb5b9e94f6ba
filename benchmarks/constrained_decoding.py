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
    [--split=test] [--batch_size=16] [--limit=0] [--repeats=3]

For each dataset and each main task of its family, extracts from the split's
sentences with the labels of its labels.json through the extraction API in
three modes (same batches): "free", the model's own decoder
(`Extractor.extract`: T5X's, a width-1 beam search unless gin says
otherwise); "greedy", the constrained decoder's greedy loop with the mask
off (`Extractor.decode_constrained(masked=False)`), so that against it only
the mask differs; and "constrained" (`constrained=True`). It prints per row: the strict F1 of the task's first metric, the spans not in the text,
the labels not offered, the unparsed pieces, the answers cut back at the
target length (constrained only) and texts per second (each mode's whole
run once untimed first, so that no compilation is timed; then the fastest
of `--repeats` timed runs).
"""

from __future__ import annotations

import time

from absl import flags

from instructuie_jax import cli, formats, metrics, schema, task_types
from instructuie_t5x import extractor as extractor_lib
from instructuie_t5x import queries

MODES = ("free", "greedy", "constrained")

FLAGS = flags.FLAGS


def define_flags() -> None:
  flags.DEFINE_string("checkpoint", None, "Model directory or checkpoint_N.")
  flags.DEFINE_string("data_dir", None, "IE INSTRUCTIONS root folder.")
  flags.DEFINE_list("datasets", [], "FAMILY/DATASET folders to run.")
  flags.DEFINE_string("vocabulary", None, "SentencePiece model or 'byte'.")
  flags.DEFINE_string("split", "test", "Split file to read.")
  cli.define_integer("batch_size", 16, "Texts per decode.", lower_bound=1)
  cli.define_integer(
    "target_length", None, "Decoded tokens per text.", lower_bound=1
  )
  cli.define_integer(
    "limit", 0, "Sentences per dataset (0: all).", lower_bound=0
  )
  cli.define_integer(
    "repeats", 3, "Timed runs per row (the fastest counts).", lower_bound=1
  )


def _extract(model, task, items, labels, mode):
  if mode != "greedy":
    return model.extract(items, task, labels, constrained=mode == "constrained")
  built = [
    queries.make_query(task, item, labels, options=model.options)
    for item in items
  ]
  decoded = model.decode_constrained(built, masked=False)
  return [
    queries.answer(q, p, t) for q, (p, t, _) in zip(built, decoded, strict=True)
  ]


def run_mode(model, task, items, labels, gold, mode, repeats=1):
  """Timed extractions in `mode` (`MODES`); returns the row's numbers.

  The same extraction runs once untimed first, so that every shape it
  decodes (batch rows, input bucket, automaton size) is compiled; then
  `repeats` timed runs, of which the fastest counts.
  """
  _extract(model, task, items, labels, mode)
  seconds = []
  for _ in range(repeats):
    start = time.perf_counter()
    answers = _extract(model, task, items, labels, mode)
    seconds.append(time.perf_counter() - start)
  fmt = formats.get(model.options.target_format)
  name = task_types.get(task).metric_names[0]
  counts = metrics.add_counts(
    *(
      metrics.score_example(
        task,
        g,
        fmt.parse(task, a["prediction"], sentence=item["text"]).records,
      )
      for g, a, item in zip(gold, answers, items, strict=True)
    )
  )[name]
  return {
    "f1": 100 * counts.f1,
    "not_in_text": sum(a["ungrounded"] - a["repeats"] for a in answers),
    "repeats": sum(a["repeats"] for a in answers),
    "invalid_labels": sum(a["invalid_labels"] for a in answers),
    "parse_problems": sum(len(a["parse_problems"]) for a in answers),
    "cut": sum(bool(a.get("unfinished_tokens")) for a in answers),
    "texts_per_s": len(items) / min(seconds),
  }


def main(argv) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {argv[1:]}")
  cli.require_flags("checkpoint", "data_dir", "datasets")
  splits = {}  # Every split read (and checked) before the model loads.
  for path in FLAGS.datasets:
    family, dataset = cli.family_and_dataset(path, "datasets")
    splits[family, dataset] = schema.load_dataset_split(
      FLAGS.data_dir, family, dataset, FLAGS.split
    )
  try:
    model = extractor_lib.Extractor.from_checkpoint(
      FLAGS.checkpoint,
      vocabulary=FLAGS.vocabulary,
      batch_size=FLAGS.batch_size,
      target_length=FLAGS.target_length,
    )
  except extractor_lib.CheckpointError as e:
    raise cli.UserError(f"--checkpoint: {e}") from None
  print(
    "| dataset | task | decoding | strict F1 | spans not in text | repeated "
    "answers | labels not offered | unparsed | cut at length | texts/s |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|")
  for (family, dataset), (instances, labels, _) in splits.items():
    if FLAGS.limit:
      instances = instances[: FLAGS.limit]
    options = labels.roles if labels.roles else list(labels.types)
    items = [{"text": x.sentence} for x in instances]
    for task in task_types.tasks_of_family(family, auxiliary=False):
      record = task_types.get(task)
      if record.per_event:
        continue  # One example per event: not a plain list of texts.
      gold = [record.gold(x) for x in instances]
      for mode in MODES:
        row = run_mode(model, task, items, options, gold, mode, FLAGS.repeats)
        cut = row["cut"] if mode == "constrained" else "-"
        print(
          f"| {dataset} | {task} | {mode} | {row['f1']:.1f} "
          f"| {row['not_in_text']} | {row['repeats']} "
          f"| {row['invalid_labels']} | {row['parse_problems']} | {cut} "
          f"| {row['texts_per_s']:.1f} |",
          flush=True,
        )


if __name__ == "__main__":
  define_flags()
  cli.run(main)
