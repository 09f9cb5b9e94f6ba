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

r"""Writes a results report: paper-layout tables, error audit, plots.

Usage:
  python -m tools.report --metrics=[NAME=]DIR_OR_FILE [--metrics=...] \
    --out_dir=DIR [--predictions=[NAME=]FILE_OR_DIR ...] \
    [--event_dirs=[NAME=]MODEL_DIR ...] [--data_dir=IE_INSTRUCTIONS_ROOT]

* `--metrics`: a `metrics.json` written by `python -m tools.score` (or the
  folder holding it), one per run; `NAME=` names the run (default: the
  folder's name). Each run gets a strict and an original-mode column (score
  with `--mode=both` to fill both) beside the InstructUIE paper's numbers
  (`instructuie_jax/data/published/instructuie_2023.json`).
* `--predictions`: what `tools.score` reads (JSON lines or a T5X inference
  folder), audited for unparseable outputs, labels not among the options,
  spans not in the text, duplicates, boundary and type errors, and a label
  confusion table per dataset. Options and sentence come from the example
  (`options`/`labels` and `sentence` fields, or the rendered prompt in
  `inputs_pretokenized`), else options from `--data_dir`'s `labels.json`.
* `--event_dirs`: T5X model folders (or any folder with TensorBoard event
  files up to 3 folders below it; `checkpoint_*` folders are skipped; local
  or gs://): training loss and per-dataset F1 per step, runs overlaid.

Writes into `--out_dir`: `report.md`, `report.html`, `tables.json`,
`audit.json` (with `--predictions`) and `plots/*.png`, as a set: all are
written into a staging folder beside it first and moved in only when every
one is complete. `--out_dir/.report.json` lists them; a file of those names
that it does not list (not the tool's) stops the run with one line, files
the previous report wrote and this one does not are removed, and other files
in `--out_dir` are left alone.
Inputs are all read and checked before anything is written; a bad input
gives one line on stderr and exit status 1 (2 for a usage error).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from absl import flags

from instructuie_jax import cli, paper_tables, reporting

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_multi_string(
    "metrics", [], "[NAME=]metrics.json or its folder; one per run."
  )
  flags.DEFINE_string("out_dir", None, "Where the report goes.")
  flags.DEFINE_multi_string(
    "predictions", [], "[NAME=]predictions file or T5X inference folder."
  )
  flags.DEFINE_multi_string(
    "event_dirs", [], "[NAME=]folder with TensorBoard event files."
  )
  flags.DEFINE_string(
    "data_dir", None, "IE INSTRUCTIONS root: labels.json for the audit."
  )
  flags.DEFINE_string(
    "published", paper_tables.PUBLISHED_FILE, "Published-numbers JSON file."
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  if not FLAGS.out_dir:
    raise cli.UsageError("--out_dir is required")
  result = reporting.run(
    FLAGS.metrics,
    FLAGS.out_dir,
    FLAGS.predictions,
    FLAGS.event_dirs,
    FLAGS.data_dir,
    FLAGS.published,
  )
  print(
    f"wrote {os.path.join(FLAGS.out_dir, 'report.md')} and report.html: "
    f"{len(result['tables'])} tables, {len(result['plots'])} plots"
  )
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
