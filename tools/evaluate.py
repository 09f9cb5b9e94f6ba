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


r"""Evaluates a checkpoint on one dataset: predictions, scores and a report.

Usage:
  python -m tools.evaluate --checkpoint=RUN_DIR|CHECKPOINT_DIR \
    --data_dir=ROOT --dataset=NAME --out_dir=DIR [--tasks=NER,...] \
    [--split=test] [--batch_size=32] [--mode=strict|original|both] \
    [--overwrite] [--gin_file=...] [--vocabulary=...] [--input_length=N] \
    [--target_length=N] [--windows] [--window_overlap=32]

ROOT is an IE INSTRUCTIONS root (as `tools.convert_data` writes) holding
`{NER,RE,EE}/NAME/`; `--tasks` are main task types of its family (default:
all of them; a name in several families, as a BRAT conversion writes, is
evaluated in each). The split (train, dev or test; `validation` is dev) is
decoded with the extraction API (`instructuie_t5x/dataset_eval.py`): the
prompts are those of the seqio task `instructuie_{task}_{dataset}` (the
same numbers as `t5x.infer` + `tools.score`), with the prompt options of
the run's config.gin: its target format (e.g. `words_bio`) writes the
targets and reads the answers, and each line names it (`target_format`). With --windows an example whose prompt exceeds
--input_length is asked in windows and its merged answer scored (the
numbers then differ from t5x.infer's, which cuts the prompt); without it the
cut is counted.

Writes into --out_dir: `predictions.jsonl` (what `tools.score` reads, with
the sentence, options, grounded records and flags of each answer), then
`metrics.json` and `metrics.md` (`tools.score`'s `scoring.score_to_dir`),
and `report/` (report.md, report.html, tables.json, audit.json, plots:
`tools.report`'s `reporting.run`). Files are
written atomically; existing ones are replaced only with --overwrite.
Progress goes to stderr. A user's mistake is one line on stderr: exit
status 2 for flags, 1 for data, checkpoint or output.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence

from absl import flags

from instructuie_jax import cli, instructions, schema
from instructuie_t5x import dataset_eval, model_flags, queries

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  model_flags.define_flags()
  flags.adopt_module_key_flags(model_flags)  # Listed by --helpshort.
  flags.DEFINE_string("data_dir", None, "IE INSTRUCTIONS root of the dataset.")
  flags.DEFINE_string("dataset", None, "Dataset folder name.")
  flags.DEFINE_list("tasks", None, "Main task types (default: all).")
  flags.DEFINE_string("split", "test", "train, dev (validation) or test.")
  flags.DEFINE_string("out_dir", None, "Where the outputs go.")
  cli.define_integer("batch_size", 32, "Prompts per decode.", lower_bound=1)
  flags.DEFINE_enum(
    "mode", "both", ["strict", "original", "both"], "Scoring mode."
  )
  flags.DEFINE_bool("overwrite", False, "Replace existing outputs.")
  flags.DEFINE_bool(
    "windows",
    False,
    "Ask an example whose prompt exceeds --input_length in windows and "
    "score the merged answer, instead of cutting the prompt as t5x.infer.",
  )
  cli.define_integer(
    "window_overlap",
    queries.WINDOW_OVERLAP,
    "With --windows: tokens of text a window shares with the one before.",
    lower_bound=0,
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  cli.require_flags("checkpoint", "data_dir", "dataset", "out_dir")
  split = dataset_eval.SPLIT_ALIASES.get(FLAGS.split, FLAGS.split)
  if split not in schema.SPLITS:
    raise cli.UsageError(
      f"--split={FLAGS.split}: one of {', '.join(schema.SPLITS)}"
    )
  data_dir, dataset, out_dir = FLAGS.data_dir, FLAGS.dataset, FLAGS.out_dir
  families = dataset_eval.families_of(data_dir, dataset)
  wanted = dataset_eval.tasks_by_family(families, FLAGS.tasks)
  dataset_eval.check_outputs(out_dir, FLAGS.overwrite)
  splits = {
    f: schema.load_dataset_split(data_dir, f, dataset, split) for f in wanted
  }
  start = time.perf_counter()
  try:
    extractor = model_flags.load(FLAGS.batch_size)
  except ValueError as e:  # The run's data settings (e.g. user_datasets).
    raise cli.UserError(f"--checkpoint: {cli.one_line(e)}") from None
  print(
    f"loaded {extractor.checkpoint} ({time.perf_counter() - start:.0f} s)",
    file=sys.stderr,
  )

  from instructuie_jax import reporting, scoring  # noqa: PLC0415

  options = extractor.options  # The run's, from its config.gin.
  try:
    pool = instructions.options_pool(options)
  except (ValueError, OSError) as e:
    raise cli.UserError(f"data settings: {cli.one_line(e)}") from None
  lines = []
  for family, tasks in wanted.items():
    instances, labels, _ = splits[family]
    try:
      lines += dataset_eval.predict_split(
        extractor,
        instances,
        labels,
        family=family,
        tasks=tasks,
        dataset=dataset,
        split=split,
        options=options,
        pool=pool,
        progress=dataset_eval.Progress(f"{family}/{dataset}/{split}"),
        windows=FLAGS.windows,
        window_overlap=FLAGS.window_overlap,
      )
    except ValueError as e:
      raise cli.UserError(cli.one_line(e)) from None
  if not lines:
    raise cli.UserError(
      f"{data_dir}/{{{','.join(wanted)}}}/{dataset}/{split}.json: no example "
      "to evaluate"
    )
  os.makedirs(out_dir, exist_ok=True)
  predictions = os.path.join(out_dir, dataset_eval.PREDICTIONS_FILE)
  with cli.atomic_write(predictions) as f:
    for line in lines:
      f.write(json.dumps(line, ensure_ascii=False) + "\n")
  totals = queries.summarize(lines)
  print(
    f"wrote {predictions}: {len(lines)} examples, "
    f"{totals['truncated_texts']} prompts cut to --input_length; "
    f"{queries.describe_flags(totals)}",
    file=sys.stderr,
  )
  print(queries.describe_windows(totals), file=sys.stderr)
  # Scoring and the report: what tools.score and tools.report call.
  try:
    text = scoring.score_to_dir(predictions, out_dir, FLAGS.mode)
    reporting.run(
      [f"{dataset}={os.path.join(out_dir, 'metrics.json')}"],
      os.path.join(out_dir, dataset_eval.REPORT_DIR),
      predictions=[f"{dataset}={predictions}"],
    )
  except (scoring.InputError, scoring.OutputError) as e:
    raise cli.UserError(str(e)) from None
  print(text, end="")
  print(
    f"wrote {os.path.join(out_dir, 'metrics.json')}, metrics.md and "
    f"{os.path.join(out_dir, dataset_eval.REPORT_DIR, 'report.md')}",
    file=sys.stderr,
  )
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
