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
  python tools/train_vocab.py --data_dir=DIR --output=PATH.model \
    [--vocab_size=800] [--seed=0] [--max_lines=300000]

Builds the train-split prompts (main + auxiliary tasks, seeded) and the
dev/test prompts of every dataset under DIR (IE INSTRUCTIONS layout), and
trains a BPE model on inputs and targets with `:` `;` `,` `"` as user-defined
symbols (the separators of the target format). Ids follow T5: pad 0, eos 1,
unk 2, no bos. Writes PATH.model and PATH.vocab; use it with
`IE_INSTRUCTIONS_VOCAB=PATH.model`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence

from absl import app, flags

from instructuie_jax import instructions, rng, schema

USER_DEFINED_SYMBOLS = (":", ";", ",", '"')

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
  flags.DEFINE_integer("vocab_size", 800, "Number of pieces.")
  flags.DEFINE_integer("seed", 0, "Seed of the prompts and sampling.")
  flags.DEFINE_integer(
    "max_lines", 300_000, "Lines sampled for training (seeded)."
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


def prompt_texts(
  data_dir: str,
  seed: int = 0,
  splits: Sequence[str] = ("train",),
  datasets: Sequence[str] = (),
) -> Iterator[str]:
  """Yields the inputs and targets of the chosen splits under `data_dir`.

  Args:
    data_dir: Root in the IE INSTRUCTIONS layout.
    seed: Seed of the prompts.
    splits: Split names ("train", "dev", "test") to read.
    datasets: Dataset folder names to read; empty for every dataset.

  Raises:
    ValueError: an unknown split or a dataset not under `data_dir`.
  """
  unknown = sorted(set(splits) - set(schema.SPLITS))
  if unknown:
    raise ValueError(f"Unknown splits {unknown}; known: {schema.SPLITS}")
  found = schema.list_datasets(data_dir)
  missing = sorted(set(datasets) - {name for _, name in found})
  if missing:
    raise ValueError(f"Datasets {missing} not found under {data_dir}")
  for family, dataset in found:
    if datasets and dataset not in datasets:
      continue
    for split in splits:
      if not os.path.exists(
        os.path.join(data_dir, family, dataset, f"{split}.json")
      ):
        continue
      instances, labels, _ = schema.load_dataset_split(
        data_dir, family, dataset, split, strict=False
      )
      for example in instructions.examples_for_split(
        instances,
        family,
        labels,
        dataset=dataset,
        split=split,
        seed=seed,
        train=split == "train",
      ):
        yield example["inputs"]
        yield example["targets"]


def train_vocab(
  data_dir: str,
  output: str,
  *,
  vocab_size: int = 800,
  seed: int = 0,
  max_lines: int = 300_000,
  splits: Sequence[str] = ("train",),
  datasets: Sequence[str] = (),
) -> str:
  """Trains the model; returns the path of the `.model` file written.

  Only the chosen `splits` of the chosen `datasets` are read (see
  `prompt_texts`).

  Raises:
    ValueError: no text under `data_dir`.
  """
  import sentencepiece as spm

  lines = [
    line.strip()
    for text in prompt_texts(data_dir, seed, splits, datasets)
    for line in text.splitlines()
    if line.strip()
  ]
  if not lines:
    raise ValueError(f"No prompts under {data_dir}")
  if len(lines) > max_lines:
    lines = rng.example_rng(seed, "train_vocab").sample(lines, max_lines)
  prefix = output[: -len(".model")] if output.endswith(".model") else output
  os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
  with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
    f.flush()
    spm.SentencePieceTrainer.train(
      input=f.name,
      model_prefix=prefix,
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
  return prefix + ".model"


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  path = train_vocab(
    FLAGS.data_dir,
    FLAGS.output,
    vocab_size=FLAGS.vocab_size,
    seed=FLAGS.seed,
    max_lines=FLAGS.max_lines,
    splits=FLAGS.splits,
    datasets=FLAGS.datasets,
  )
  print(f"Wrote {path}")


if __name__ == "__main__":
  define_flags()
  app.run(main)
