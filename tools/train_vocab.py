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


r"""Trains a small SentencePiece BPE vocabulary on the prompts of a data root.

Usage:
  python -m tools.train_vocab --data_dir=DIR --output=PATH.model \
    [--vocab_size=800] [--seed=0] [--max_lines=300000] [--splits=train] \
    [--datasets=a,b] [--skip_invalid] [--overwrite]

Builds the prompts (main + auxiliary tasks, seeded) of the chosen splits
(default: train only, so that held-out text does not shape the vocabulary) of
every dataset under DIR (IE INSTRUCTIONS layout), and trains a BPE model on
inputs and targets with `:` `;` `,` `"` as user-defined symbols (the
separators of the target format). Ids follow T5: pad 0, eos 1, unk 2, no bos.
Writes PATH.model and PATH.vocab (atomically; existing files only with
--overwrite); use it with `IE_INSTRUCTIONS_VOCAB=PATH.model`.

Every file and instance that cannot be read (invalid JSON, a missing or empty
split file, an instance that breaks the schema) is listed as
`file:index: field: message`, and the tool exits with 1 before training,
unless --skip_invalid: then they are listed, counted and left out.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, instructions, rng, schema
from tools import validate_data

USER_DEFINED_SYMBOLS = (":", ";", ",", '"')
MAX_PROBLEMS_LISTED = 20

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script, so importing the
  module from tests or other tools defines none)."""
  flags.DEFINE_string(
    "data_dir", None, "Data root (IE INSTRUCTIONS layout).", required=True
  )
  flags.DEFINE_string(
    "output", None, "Model path to write (ends in .model).", required=True
  )
  cli.define_integer("vocab_size", 800, "Number of pieces.", lower_bound=1)
  cli.define_integer(
    "seed", 0, "Seed of the prompts and sampling.", lower_bound=0
  )
  cli.define_integer(
    "max_lines", 300_000, "Lines sampled for training (seeded).", lower_bound=1
  )
  flags.DEFINE_list(
    "splits",
    ["train"],
    "Splits to read. Evaluation splits are left out by default, so that "
    "held-out text does not shape the vocabulary.",
  )
  flags.DEFINE_list(
    "datasets", [], "Dataset folder names to read; empty means every one."
  )
  flags.DEFINE_bool(
    "skip_invalid",
    False,
    "Leave out (and count) files and instances that cannot be read, instead "
    "of failing.",
  )
  flags.DEFINE_bool(
    "overwrite", False, "Replace PATH.model and PATH.vocab if they exist."
  )


def read_prompts(
  data_dir: str,
  seed: int = 0,
  splits: Sequence[str] = ("train",),
  datasets: Sequence[str] = (),
) -> tuple[list[str], list[schema.Problem]]:
  """The inputs and targets of the chosen splits under `data_dir`.

  Args:
    data_dir: Root in the IE INSTRUCTIONS layout.
    seed: Seed of the prompts.
    splits: Split names ("train", "dev", "test") to read.
    datasets: Dataset folder names to read; empty for every dataset.

  Returns:
    (texts, problems): an input and a target per example of the usable
    instances, and the errors found (files and instances left out; duplicate
    warnings are not errors: those instances are read).

  Raises:
    cli.UsageError: an unknown split or a dataset not under `data_dir`.
    cli.UserError: no dataset folder under `data_dir`.
    FileNotFoundError: `data_dir` is not a folder.
  """
  unknown = sorted(set(splits) - set(schema.SPLITS))
  if unknown:
    raise cli.UsageError(
      f"Unknown splits {unknown}; known: {', '.join(schema.SPLITS)}"
    )
  found = schema.list_datasets(data_dir)
  if not found:
    raise cli.UserError(f"no {{NER,RE,EE}}/<dataset> folders under {data_dir}")
  missing = sorted(set(datasets) - {name for _, name in found})
  if missing:
    raise cli.UsageError(f"Datasets {missing} not found under {data_dir}")
  texts, problems = [], []
  for family, dataset in found:
    if datasets and dataset not in datasets:
      continue
    for n, split in enumerate(splits):
      instances, labels, split_problems = validate_data.load_split_checked(
        data_dir, family, dataset, split
      )
      problems += [
        p
        for p in split_problems
        if not p.is_warning and (n == 0 or not p.file.endswith("labels.json"))
      ]
      for example in instructions.examples_for_split(
        instances,
        family,
        labels,
        dataset=dataset,
        split=split,
        train=split == "train",
        options=instructions.PromptOptions(seed=seed),
      ):
        texts.append(example["inputs"])
        texts.append(example["targets"])
  return texts, problems


def skipped_summary(problems: Sequence[schema.Problem]) -> str:
  """`skipped F files and I instances`: what `problems` leave out."""
  files = {p.file for p in problems if p.index is None}
  instances = {(p.file, p.index) for p in problems if p.index is not None}
  return (
    f"skipped {len(files)} file{'s' * (len(files) != 1)} and "
    f"{len(instances)} instance{'s' * (len(instances) != 1)}"
  )


def check_problems(
  problems: Sequence[schema.Problem], skip_invalid: bool
) -> None:
  """Raises unless there are no problems or skipping them is allowed.

  Raises:
    cli.UserError: naming the count and the first problem.
  """
  if problems and not skip_invalid:
    count = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
    raise cli.UserError(
      f"{count} in the data (first: {problems[0]}); fix them, or pass "
      "--skip_invalid to leave those files and instances out"
    )


def check_output(output: str, overwrite: bool = False) -> str:
  """Checks that PATH.model and PATH.vocab can be written; returns PATH.

  Raises:
    cli.UsageError: `output` does not end in `.model`.
    OSError: see `cli.check_output_path`.
  """
  if not output.endswith(".model"):
    raise cli.UsageError(f"--output must end in .model, got {output!r}")
  prefix = output[: -len(".model")]
  for path in (prefix + ".model", prefix + ".vocab"):
    cli.check_output_path(path, overwrite)
  return prefix


def _sentencepiece_message(error: RuntimeError) -> str:
  """The readable part of a SentencePiece error (after its source line)."""
  text = str(error).strip()
  return text.rsplit("] ", 1)[-1] if "] " in text else text


def train_on_texts(
  texts: Sequence[str],
  output: str,
  *,
  vocab_size: int = 800,
  seed: int = 0,
  max_lines: int = 300_000,
  overwrite: bool = False,
) -> str:
  """Trains the model on the lines of `texts`; returns the `.model` path.

  Both files are written in a temporary folder beside `output` and then
  moved into place.

  Raises:
    cli.UserError: no text, or SentencePiece refuses the settings (e.g. a
      vocabulary larger than the text allows).
    OSError: see `check_output`.
  """
  import sentencepiece as spm

  prefix = check_output(output, overwrite)
  lines = [
    line.strip() for text in texts for line in text.splitlines() if line.strip()
  ]
  if not lines:
    raise cli.UserError("no prompts to train on")
  if len(lines) > max_lines:
    lines = rng.example_rng(seed, "train_vocab").sample(lines, max_lines)
  folder = os.path.dirname(os.path.abspath(prefix))
  made = []  # Folders this call creates, removed again if it fails.
  parent = folder
  while not os.path.isdir(parent):
    made.append(parent)
    parent = os.path.dirname(parent)
  os.makedirs(folder, exist_ok=True)
  tmp = tempfile.mkdtemp(prefix=".train_vocab.", dir=folder)
  done = False
  try:
    text_file = os.path.join(tmp, "lines.txt")
    with open(text_file, "w", encoding="utf-8") as f:
      f.write("\n".join(lines) + "\n")
    try:
      spm.SentencePieceTrainer.train(
        input=text_file,
        model_prefix=os.path.join(tmp, "vocab"),
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        user_defined_symbols=list(USER_DEFINED_SYMBOLS),
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        max_sentence_length=1 << 16,
        minloglevel=2,
      )
    except RuntimeError as e:
      raise cli.UserError(f"sentencepiece: {_sentencepiece_message(e)}") from e
    for ext in (".vocab", ".model"):
      os.replace(os.path.join(tmp, "vocab" + ext), prefix + ext)
    done = True
  finally:
    shutil.rmtree(tmp, ignore_errors=True)
    for path in made if not done else ():
      if not os.listdir(path):
        os.rmdir(path)
  return prefix + ".model"


def train_vocab(
  data_dir: str,
  output: str,
  *,
  vocab_size: int = 800,
  seed: int = 0,
  max_lines: int = 300_000,
  splits: Sequence[str] = ("train",),
  datasets: Sequence[str] = (),
  skip_invalid: bool = False,
  overwrite: bool = False,
) -> str:
  """Reads the prompts and trains the model; returns the `.model` path.

  Only the chosen `splits` of the chosen `datasets` are read (see
  `read_prompts`).

  Raises:
    cli.UserError: problems in the data (unless `skip_invalid`), no text, or
      settings SentencePiece refuses.
    OSError: a missing `data_dir`, an output in the way (see `check_output`).
  """
  check_output(output, overwrite)
  texts, problems = read_prompts(data_dir, seed, splits, datasets)
  check_problems(problems, skip_invalid)
  if not texts:
    raise cli.UserError(
      f"no prompts in the {'/'.join(splits)} splits under {data_dir}"
    )
  return train_on_texts(
    texts,
    output,
    vocab_size=vocab_size,
    seed=seed,
    max_lines=max_lines,
    overwrite=overwrite,
  )


def _list_problems(problems: Sequence[schema.Problem], file) -> None:
  for p in problems[:MAX_PROBLEMS_LISTED]:
    print(f"  {p}", file=file)
  if len(problems) > MAX_PROBLEMS_LISTED:
    print(f"  ... and {len(problems) - MAX_PROBLEMS_LISTED} more", file=file)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  check_output(FLAGS.output, FLAGS.overwrite)
  texts, problems = read_prompts(
    FLAGS.data_dir, FLAGS.seed, FLAGS.splits, FLAGS.datasets
  )
  if problems:
    out = sys.stdout if FLAGS.skip_invalid else sys.stderr
    print(f"Problems in the data ({len(problems)}):", file=out)
    _list_problems(problems, out)
    check_problems(problems, FLAGS.skip_invalid)
    print(f"{skipped_summary(problems)} (--skip_invalid)")
  if not texts:
    raise cli.UserError(
      f"no prompts in the {'/'.join(FLAGS.splits)} splits under "
      f"{FLAGS.data_dir}"
    )
  print(f"Read {len(texts) // 2} examples (an input and a target each).")
  path = train_on_texts(
    texts,
    FLAGS.output,
    vocab_size=FLAGS.vocab_size,
    seed=FLAGS.seed,
    max_lines=FLAGS.max_lines,
    overwrite=FLAGS.overwrite,
  )
  print(f"Wrote {path}")


if __name__ == "__main__":
  define_flags()
  cli.run(main)
