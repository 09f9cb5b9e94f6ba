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

"""Trains a SentencePiece BPE vocabulary on a data root's prompts.

`read_prompts` builds the prompts (main + auxiliary tasks, seeded, in every
registered target format) of the chosen splits of every dataset under a
root, listing what cannot be read;
`train_on_texts` trains a BPE model on them with the target format's
separators as user-defined symbols (ids as in T5: pad 0, eos 1, unk 2, no
bos) and writes it atomically; `train_vocab` does both
(`tools.train_vocab`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence

from instructuie_jax import (
  cli,
  dataset_check,
  formats,
  instructions,
  rng,
  schema,
  task_types,
)

USER_DEFINED_SYMBOLS = (":", ";", ",", '"')


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
      instances, labels, split_problems = dataset_check.load_split_checked(
        data_dir, family, dataset, split
      )
      problems += [
        p
        for p in split_problems
        if not p.is_warning and (n == 0 or not p.file.endswith("labels.json"))
      ]
      texts += _prompts(instances, family, labels, dataset, split, seed)
  return texts, problems


def _prompts(instances, family, labels, dataset, split, seed) -> list[str]:
  """The inputs and targets of a split in every registered target format
  (each for the task types it covers), so that the vocabulary holds the
  characters of every format: a format whose characters it lacked (such as
  words_bio's parentheses) could only be decoded as unknown pieces. A format
  registered without a shipped instruction pool is asked with the default
  format's instructions."""
  train = split == "train"
  family_tasks = task_types.tasks_of_family(
    family, auxiliary=None if train else False
  )
  texts = []
  for name in formats.names():
    covered = {t.name for t in formats.get(name).tasks()}
    tasks = [t for t in family_tasks if t in covered]
    if not tasks:
      continue
    try:
      pool = instructions.default_pool(name)
    except ValueError:  # none shipped for this format
      pool = instructions.default_pool()
    for example in instructions.examples_for_split(
      instances,
      family,
      labels,
      dataset=dataset,
      split=split,
      train=train,
      options=instructions.PromptOptions(seed=seed, target_format=name),
      tasks=tasks,
      pool=pool,
    ):
      texts.append(example["inputs"])
      texts.append(example["targets"])
  return texts


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
