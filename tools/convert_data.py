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

r"""Converts corpora into the IE INSTRUCTIONS layout, and NER back out.

In (`--format` names the input format):

  python -m tools.convert_data --format=conll|brat|jsonl \
    --input=[SPLIT=]PATH[,[SPLIT=]PATH...] --output_dir=ROOT --dataset=NAME \
    [--split_ratios=0.8,0.1,0.1 --seed=0] [--label_map=FILE.json \
    [--drop_unmapped]] [--labels=labels.json] [--role=supervised|zeroshot] \
    [--overwrite]

  conll: --token_column=0 --tag_column=-1 --scheme=auto|bio|bioes|iob1
         (auto: guessed per input file, see tags.detect_scheme)
  brat:  PATH is a folder of .txt/.ann pairs (searched recursively);
         --families=auto|NER,RE,EE  --discontinuous=cover|drop
  jsonl: --token_end=inclusive|exclusive (GLiNER token spans)

Writes `ROOT/{NER,RE,EE}/NAME/{train,dev,test}.json` and `labels.json`
(NER/RE: a sorted list of the labels seen; EE: {event type: [roles]}), or
the given `--labels` file, and `dataset.json` with the dataset's `--role`
(supervised: trained on in `user_supervised`; zeroshot: evaluated in
`user_zeroshot_eval`; see tasks/user_datasets.py). Splits come from `SPLIT=` names on the inputs
(train, dev, test; a split not given is written empty) or from
`--split_ratios` with `--seed` (documents: BRAT files, CoNLL -DOCSTART-
blocks; else sentences; shuffled and cut). The label map is a JSON object
{"source label": "new label" or null (drop)}; labels it does not name are
kept, or dropped with --drop_unmapped.

Out (`--to` names the output format; the input is an IE INSTRUCTIONS root):

  python -m tools.convert_data --to=conll --input=ROOT --dataset=NAME \
    --output_dir=DIR [--scheme=bio|bioes|iob1] [--overwrite]

Writes `DIR/NAME/{split}.txt` (`token<TAB>tag`, a blank line after each
sentence; spaces in labels become `_`), the dataset's `labels.json` and
`label_map.json` (tag label -> label, for reading the files back in).

Every skipped or changed sentence, span, relation, event or annotation line
is counted and listed with its `file:line` (`--max_listed` per kind; all of
them in the output folder's `.convert_data.json`). The output is checked by
the core validator before it is moved into place; a folder is replaced only
with --overwrite and only when this tool made it. Exit status: 0 written,
1 bad data, validation failure or nothing converted, 2 usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import flags

from instructuie_jax import catalog, cli
from instructuie_jax.converters import brat, common, jsonl, pipeline, tags

FLAGS = flags.FLAGS
# The flags' defaults are the library's.
_DEFAULTS = pipeline.InOptions()


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_enum(
    "format", None, ["conll", "brat", "jsonl"], "Input format (convert in)."
  )
  flags.DEFINE_enum(
    "to", None, ["conll"], "Output format (convert IE INSTRUCTIONS NER out)."
  )
  flags.DEFINE_list(
    "input",
    None,
    "In: input files/folders, each `PATH` or `SPLIT=PATH`. Out: the IE "
    "INSTRUCTIONS root.",
  )
  flags.DEFINE_string("output_dir", None, "Output root folder.")
  flags.DEFINE_enum(
    "role",
    _DEFAULTS.role,
    list(catalog.ROLES),
    "In: the dataset's role, written to its dataset.json (user mixtures).",
  )
  flags.DEFINE_string("dataset", None, "Dataset folder name.")
  cli.define_integer(
    "token_column",
    _DEFAULTS.token_column,
    "conll: token column (negative: from the end).",
    lower_bound=-cli.MAX_INTEGER,
  )
  cli.define_integer(
    "tag_column",
    _DEFAULTS.tag_column,
    "conll: tag column (negative: from the end).",
    lower_bound=-cli.MAX_INTEGER,
  )
  flags.DEFINE_enum(
    "scheme",
    _DEFAULTS.scheme,
    ["auto", *tags.SCHEMES],
    "Tag scheme; auto guesses it on reading and means bio on writing.",
  )
  flags.DEFINE_string(
    "families",
    _DEFAULTS.families,
    "brat: NER,RE,EE subset to write, or auto (any found).",
  )
  flags.DEFINE_enum(
    "discontinuous",
    _DEFAULTS.discontinuous,
    brat.DISCONTINUOUS,
    "brat: discontinuous entities.",
  )
  flags.DEFINE_enum(
    "token_end",
    _DEFAULTS.token_end,
    jsonl.TOKEN_END,
    "jsonl: end token of `ner` spans.",
  )
  flags.DEFINE_string("label_map", None, "JSON label map file.")
  flags.DEFINE_bool(
    "drop_unmapped",
    _DEFAULTS.drop_unmapped,
    "Drop labels the label map does not name.",
  )
  flags.DEFINE_string(
    "labels", None, "labels.json to write (fixes label set and order)."
  )
  flags.DEFINE_string(
    "split_ratios", None, "train,dev,test ratios (instead of SPLIT= names)."
  )
  cli.define_integer(
    "seed", _DEFAULTS.seed, "Seed of --split_ratios.", lower_bound=0
  )
  flags.DEFINE_bool(
    "overwrite", _DEFAULTS.overwrite, "Replace an output folder this tool made."
  )
  cli.define_integer(
    "max_listed",
    10,
    "Notes listed per kind (all are in the marker file).",
    lower_bound=0,
  )


def _in_options() -> pipeline.InOptions:
  return pipeline.InOptions(
    token_column=FLAGS.token_column,
    tag_column=FLAGS.tag_column,
    scheme=FLAGS.scheme,
    families=FLAGS.families,
    discontinuous=FLAGS.discontinuous,
    token_end=FLAGS.token_end,
    label_map=FLAGS.label_map,
    drop_unmapped=FLAGS.drop_unmapped,
    labels=FLAGS.labels,
    split_ratios=FLAGS.split_ratios,
    seed=FLAGS.seed,
    overwrite=FLAGS.overwrite,
    role=FLAGS.role,
  )


def run() -> int:
  if (FLAGS.format is None) == (FLAGS.to is None):
    raise cli.UsageError(
      "give exactly one of --format (convert in) or --to (out)"
    )
  cli.require_flags("input", "output_dir", "dataset")
  if FLAGS.to:
    done = pipeline.convert_out(
      FLAGS.input,
      FLAGS.output_dir,
      FLAGS.dataset,
      scheme=FLAGS.scheme,
      overwrite=FLAGS.overwrite,
    )
  else:
    try:
      done = pipeline.convert_in(
        FLAGS.format,
        FLAGS.input,
        FLAGS.output_dir,
        FLAGS.dataset,
        _in_options(),
        log=print,
      )
    except pipeline.DatasetInvalid as e:
      print(
        f"error: {e.name} fails validation ({len(e.errors)} errors), "
        f"nothing written; first: {e.errors[0]}",
        file=sys.stderr,
      )
      for error in e.errors[1 : FLAGS.max_listed]:
        print(f"  {error}", file=sys.stderr)
      return 1
  lines = done.report.lines(FLAGS.max_listed)
  if lines:
    print("\n".join(lines))
  if not done.written:
    print("error: nothing converted (see the notes above)", file=sys.stderr)
    return 1
  for line in done.written:
    print(f"wrote {line}")
  return 0


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    print(f"error: unexpected arguments {argv[1:]}", file=sys.stderr)
    return 2
  try:
    return run()
  except cli.UsageError as e:
    print(f"error: {e}", file=sys.stderr)
    return 2
  except common.InputError as e:
    print(f"error: {e}", file=sys.stderr)
    return 1


if __name__ == "__main__":
  define_flags()
  cli.run(main)
