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

r"""Scores IE predictions per dataset and task type; writes metrics files.

Usage:
  python -m tools.score --predictions=FILE_OR_DIR --out_dir=DIR \
    [--mode=strict|original|both] [--step=N] [--require_entity_types]

`--predictions` is either
* a JSON-lines file, one object per example:
  `{"dataset": str, "task": "NER"|"RE"|..., "target": str, "prediction": str}`
  (an optional `"ground_truth"` replaces `target` in the original mode, as
  the original evaluator reads that field: for RE it also lists NA pairs);
* or a directory of T5X/SeqIO inference outputs: `t5x.infer` files
  `{task}-predict.jsonl-00000-of-00001` (`{"inputs": {"targets_pretokenized",
  ...}, "prediction": str}`) or seqio JSON-logger files `{task}-{step}.jsonl`
  (`{"input": {...}, "target": ..., "prediction": ...}`; the latest step per
  task unless `--step`). The dataset and task type come from the `dataset`
  and `task` features when the file has them, else from the task name
  `instructuie_{task}_{slug}`.

Texts are read in the target format a line names (`"target_format":
"words_bio"`), else the one the run's `config.gin` binds
(`data_settings.target_format`, beside or above an inference directory),
else "instructuie".

Both paths may be local or remote (`gs://...`): they are read and written
through `etils.epath`.

Writes `metrics.json` and `metrics.md` to `--out_dir` and prints the tables.
`metrics.json` nests `datasets -> dataset -> task type -> metric -> numbers`
(a dataset scored under several task types, e.g. EE datasets under EET and
EEA, has one entry per task type); `averages -> task type -> metric` holds
the macro average of per-dataset F1 and the pooled (micro) counts.
Original-mode metrics are named `original_*` beside the strict ones.

A strict metric with nothing to score in a dataset (no gold and no predicted
item, e.g. every target and prediction " None") has no precision, recall or
F1 (`null`, with `"nothing_to_score": true`); it is left out of the averages
and listed under `nothing_to_score` and below the tables.

Each file is written to a temporary file beside it and then moved into place,
so a failed run leaves the previous files whole. The output directory is
checked before the predictions are read. Mistakes in the flags or the input
end the run with one line on stderr (naming file and line where there is
one): exit status 2 for usage, 1 for input, output or an empty input.
"""

from __future__ import annotations

from collections.abc import Sequence

from absl import flags

from instructuie_jax import cli, scoring

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "predictions", None, "JSON-lines file or T5X inference directory."
  )
  flags.DEFINE_string(
    "out_dir", None, "Where metrics.json and metrics.md are written."
  )
  flags.DEFINE_enum(
    "mode", "strict", ["strict", "original", "both"], "Scoring mode."
  )
  cli.define_integer(
    "step",
    None,
    "Checkpoint step of seqio JSON-logger files (default: last).",
    lower_bound=0,
  )
  flags.DEFINE_bool(
    "require_entity_types",
    False,
    "re_strict also compares head/tail entity types (needs typed records).",
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
  if not FLAGS.predictions or not FLAGS.out_dir:
    raise cli.UsageError("--predictions and --out_dir are required.")
  try:
    text = scoring.score_to_dir(
      FLAGS.predictions,
      FLAGS.out_dir,
      FLAGS.mode,
      step=FLAGS.step,
      require_entity_types=FLAGS.require_entity_types,
    )
  except (scoring.InputError, scoring.OutputError) as e:
    raise cli.UserError(str(e)) from None
  print(text, end="")
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
