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

r"""A long text through the extraction API: in windows against cut.

Usage:
  PYTHONPATH=$PWD python benchmarks/long_text.py --checkpoint=MODEL_DIR \
    --data_dir=ROOT --dataset=NER/synth_news [--vocabulary=byte] \
    [--split=test] [--min_chars=5000] [--batch_size=32]

Joins the split's sentences (one space between) until the text holds at
least --min_chars characters, with the gold entities moved to offsets in
the whole text, and asks the model for them (NER, the labels of the
dataset's labels.json) once in windows and once with the prompt cut at the
input length (`Extractor.extract(windows=False)`). Prints per mode: the
windows and merges, the prompt tokens cut, the records and how many have
exact offsets (`text[start:end] == span`), and strict precision, recall
and F1 (type and offsets) over the whole text and over its first, middle
and last third (by a gold entity's start).
"""

from __future__ import annotations

from absl import flags

from instructuie_jax import cli, counts, schema
from instructuie_t5x import extractor as extractor_lib

FLAGS = flags.FLAGS
THIRDS = ("start", "middle", "end")


def define_flags() -> None:
  flags.DEFINE_string("checkpoint", None, "Model directory or checkpoint_N.")
  flags.DEFINE_string("data_dir", None, "IE INSTRUCTIONS root folder.")
  flags.DEFINE_string("dataset", None, "NER/DATASET folder to read.")
  flags.DEFINE_string("vocabulary", None, "SentencePiece model or 'byte'.")
  flags.DEFINE_string("split", "test", "Split file to read.")
  cli.define_integer(
    "min_chars", 5000, "Characters of the text.", lower_bound=1
  )
  cli.define_integer("batch_size", 32, "Windows per decode.", lower_bound=1)


def long_text(
  instances: list[schema.Instance], min_chars: int
) -> tuple[str, list[tuple[str, int, int]]]:
  """The sentences joined until `min_chars`, and the gold `(type, start,
  end)` in the joined text.

  Raises:
    ValueError: the sentences are too few for `min_chars`.
  """
  text, gold = "", []
  for instance in instances:
    offset = len(text) + 1 if text else 0
    text = f"{text} {instance.sentence}" if text else instance.sentence
    gold += [
      (e.type, e.pos[0] + offset, e.pos[1] + offset)
      for e in instance.entities
      if e.pos is not None
    ]
    if len(text) >= min_chars:
      return text, gold
  raise ValueError(
    f"{len(instances)} sentences make {len(text)} characters, "
    f"fewer than --min_chars={min_chars}"
  )


def score(
  text: str, gold: list[tuple[str, int, int]], answer: dict
) -> dict[str, object]:
  """The mode's row: counts, and P/R/F1 overall and per third."""
  predicted = [
    (e["type"], e["start"], e["end"])
    for e in answer["entities"]
    if e["grounded"]
  ]
  exact = sum(
    text[e["start"] : e["end"]] == e["text"]
    for e in answer["entities"]
    if e["grounded"]
  )
  row: dict[str, object] = {
    "windows": answer["windows"],
    "merges": answer["window_merges"],
    "cut_tokens": answer["truncated_tokens"],
    "records": len(answer["entities"]),
    "exact_offsets": exact,
    "all": counts.count(set(gold), set(predicted)),
  }
  n = len(text)
  for k, name in enumerate(THIRDS):
    lo, hi = k * n // 3, (k + 1) * n // 3
    row[name] = counts.count(
      {g for g in gold if lo <= g[1] < hi},
      {p for p in predicted if lo <= p[1] < hi},
    )
  return row


def main(argv) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {argv[1:]}")
  family, dataset = cli.family_and_dataset(FLAGS.dataset or "", "dataset")
  instances, labels, _ = schema.load_dataset_split(
    FLAGS.data_dir, family, dataset, FLAGS.split
  )
  try:
    text, gold = long_text(instances, FLAGS.min_chars)
  except ValueError as e:
    raise cli.UserError(str(e)) from None
  try:
    model = extractor_lib.Extractor.from_checkpoint(
      FLAGS.checkpoint, vocabulary=FLAGS.vocabulary, batch_size=FLAGS.batch_size
    )
  except extractor_lib.CheckpointError as e:
    raise cli.UserError(f"--checkpoint: {e}") from None
  print(
    f"{FLAGS.dataset} {FLAGS.split}: {len(text)} characters, "
    f"{len(gold)} gold entities, input length {model.input_length}"
  )
  print(
    "| mode | windows | merges | prompt tokens cut | records | exact offsets "
    "| P | R | F1 | F1 start | F1 middle | F1 end |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|---|---|")
  for windows in (True, False):
    (answer,) = model.extract(
      [text], "NER", list(labels.types), windows=windows
    )
    row = score(text, gold, answer)
    total = row["all"]
    thirds = " | ".join(f"{100 * row[t].f1:.1f}" for t in THIRDS)
    print(
      f"| {'windows' if windows else 'cut'} | {row['windows']} "
      f"| {row['merges']} | {row['cut_tokens']} | {row['records']} "
      f"| {row['exact_offsets']} | {100 * total.precision:.1f} "
      f"| {100 * total.recall:.1f} | {100 * total.f1:.1f} | {thirds} |",
      flush=True,
    )


if __name__ == "__main__":
  define_flags()
  cli.run(main)
