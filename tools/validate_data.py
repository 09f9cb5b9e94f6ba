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

r"""Checks every dataset in an IE INSTRUCTIONS folder and prints a table.

Usage:
  python -m tools.validate_data [--data_dir=DIR] [--strict] \
    [--max_problems_listed=N] [--fail_on_duplicates]

Reads `DIR/{NER,RE,EE}/{dataset}/{train,dev,test}.json` and `labels.json`
with `instructuie_jax.schema` and prints one row per dataset: family, dataset,
usable instances per split, labels (EE: event types/roles), items
(entities, relations or events) and arguments (EE) over all splits, errors,
duplicate warnings and repeated mentions (`repeats`: an entity with the type
and text of an earlier one in its sentence, a relation with its head,
relation and tail, an event with its type and trigger; extra copies
counted). The strict metrics count each repeat as a mention of its own; the
original evaluator compares sets, where it counts once (README "Metrics").
Then it lists up to N errors and N warnings, each as
`file:index: field: message`. Without --data_dir it checks every folder of
the user's own datasets (`IE_USER_DATASETS`, tasks/settings.py), one after
the other.

A split that `tools.convert_data` wrote empty on purpose (not given to it,
listed as `empty_splits` in the folder's `.convert_data.json`) is a note,
listed under "notes", not an error.

Exit status: 1 when there is any error (missing or mistyped field, label not
in labels.json, bad pos, name not in the sentence, empty sentence, invalid
JSON, a split file holding an empty list, a dataset symlink whose target is
missing, ...). Duplicate instances in a split and duplicate items in an
instance are warnings: counted in the `dups` column and listed, but the exit
status stays 0 unless --fail_on_duplicates. With --strict the check stops at the
first error, prints it and exits 1. Errors that stop the check (no data
folder, a bad flag) are one line on stderr; a bad flag exits with 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, dataset_check

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir", None, "Root folder of the IE INSTRUCTIONS layout."
  )
  flags.DEFINE_bool("strict", False, "Stop at the first error.")
  cli.define_integer(
    "max_problems_listed",
    20,
    "List at most this many errors and warnings.",
    lower_bound=0,
  )
  flags.DEFINE_bool(
    "fail_on_duplicates", False, "Exit 1 when there are duplicate warnings."
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  roots = [FLAGS.data_dir] if FLAGS.data_dir else []
  if not roots:
    from tasks import settings  # noqa: PLC0415

    roots = list(settings.user_datasets_in_force())
  if not roots:
    raise app.UsageError(
      "--data_dir is required (or your own datasets' folders in "
      "IE_USER_DATASETS)."
    )
  status = 0
  for root in roots:
    if len(roots) > 1:
      print(f"== {root}")
    status = max(
      status,
      dataset_check.run(
        root,
        strict=FLAGS.strict,
        max_problems_listed=FLAGS.max_problems_listed,
        fail_on_duplicates=FLAGS.fail_on_duplicates,
      ),
    )
  return status


if __name__ == "__main__":
  define_flags()
  cli.run(main)
