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

"""The synthetic tiny NER data sets in the IE INSTRUCTIONS layout.

`write_datasets` (what `tools/make_tiny_data.py` calls) writes
`NER/synth_news/{train,dev,test}.json` (supervised) and
`NER/synth_heldout/{train,dev,test}.json` (zero-shot: other sentence
templates, names never seen in synth_news), each with a `labels.json`. Sentences are
space-separated tokens; every entity has `pos`, its character offsets into the
sentence. About 80% of training names are made up from random syllables (the
rest come from a small list of real names), so a model has to learn the
contexts instead of memorising names; about 30% of the names in synth_news
dev/test never occur in its train split. The output depends only on the
arguments.

Files already at those paths are left alone (`OSError` naming the first)
unless `overwrite`. Each file is written to a temporary file beside it and
then renamed, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence

from instructuie_jax import cli
from instructuie_jax import rng as rng_lib

TYPES = ("location", "organization", "person")
_SLOT_TYPES = {"PER": "person", "LOC": "location", "ORG": "organization"}

# Context templates: {PER}, {LOC} and {ORG} are entity slots.
NEWS_TEMPLATES = (
  "{PER} was born in {LOC} .",
  "{ORG} hired {PER} in {LOC} .",
  "{PER} joined {ORG} last year .",
  "The headquarters of {ORG} are in {LOC} .",
  "{PER} met {PER} in {LOC} .",
  "{ORG} opened a new office in {LOC} .",
  "{PER} , a spokesman for {ORG} , declined to comment .",
  "Shares of {ORG} fell after {PER} resigned .",
  "{PER} traveled from {LOC} to {LOC} .",
  "Officials in {LOC} said {ORG} will expand .",
  "{PER} leads {ORG} .",
  "Police in {LOC} arrested {PER} on Monday .",
  "{ORG} and {ORG} agreed to merge .",
  "{PER} won the election in {LOC} .",
  "{PER} said the talks in {LOC} went well .",
  "Fans of {PER} gathered in {LOC} .",
  "{ORG} reported record profits .",
  "{PER} thanked {PER} for the support .",
  "Flights to {LOC} were cancelled .",
  "{PER} , who works at {ORG} , lives in {LOC} .",
  "{LOC} welcomed {PER} on Sunday .",
  "{LOC} banned imports from {ORG} .",
  "{ORG} moved its offices from {LOC} to {LOC} .",
  "{ORG} named {PER} as its new chief .",
  "{LOC} police questioned {PER} .",
  "Last week {PER} visited {ORG} in {LOC} .",
  "{LOC} hosted the annual meeting of {ORG} .",
  "A court in {LOC} fined {ORG} .",
  "{ORG} signed {PER} for two years .",
  "Yesterday {ORG} and {PER} met in {LOC} .",
)
NEWS_EMPTY = (
  "It rained all day .",
  "The market closed higher on Friday .",
  "Nobody answered the phone .",
  "Prices rose again this month .",
  "The meeting was postponed .",
  "Traffic was heavy this morning .",
)
HELDOUT_TEMPLATES = (
  "According to {PER} , {ORG} will move to {LOC} .",
  "{LOC} is home to {ORG} .",
  "A statue of {PER} stands in {LOC} .",
  "{PER} criticized {ORG} on Tuesday .",
  "Investors in {LOC} welcomed the deal with {ORG} .",
  "{PER} and {PER} founded {ORG} .",
  "The mayor of {LOC} , {PER} , stepped down .",
  "{ORG} sued {ORG} in {LOC} .",
)
HELDOUT_EMPTY = (
  "The weather improved in the afternoon .",
  "Sales were flat this quarter .",
)

_SYLLABLES = (
  "ka",
  "lo",
  "mi",
  "ren",
  "tor",
  "vel",
  "shi",
  "da",
  "ben",
  "ra",
  "zu",
  "fen",
  "gor",
  "li",
  "mar",
  "nes",
  "pa",
  "qui",
  "sol",
  "tan",
  "ul",
  "vor",
  "wen",
  "xi",
  "yal",
  "zor",
  "bri",
  "cal",
  "dun",
  "el",
  "fa",
  "hal",
  "ira",
  "jo",
  "kel",
  "mun",
  "no",
  "os",
  "pel",
  "rim",
  "sa",
  "te",
  "vi",
  "wy",
)
_ORG_SUFFIXES = (
  "Corp",
  "Group",
  "Labs",
  "Bank",
  "Institute",
  "Motors",
  "Systems",
  "Press",
)
_GAZETTEER = {
  "person": (
    "Ada Lovelace",
    "Alan Turing",
    "Marie Curie",
    "Nelson Mandela",
    "Frida Kahlo",
    "Isaac Newton",
    "Rosa Parks",
    "Leo Tolstoy",
  ),
  "location": (
    "London",
    "Paris",
    "Berlin",
    "Tokyo",
    "Cairo",
    "Lima",
    "Oslo",
    "Boston",
  ),
  "organization": (
    "Acme Corp",
    "United Nations",
    "Red Cross",
    "Globex Corporation",
    "World Bank",
    "Reuters",
    "Interpol",
    "Greenpeace",
  ),
}

NO_ENTITY_RATE = 0.1
GAZETTEER_RATE = 0.2
UNSEEN_EVAL_RATE = 0.3


def _word(rng, min_syllables: int, max_syllables: int) -> str:
  n = rng.randint(min_syllables, max_syllables)
  return "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()


def random_name(rng, entity_type: str) -> str:
  """A made-up name of `entity_type` built from random syllables.

  Persons are two words, locations one word and organizations one word plus a
  suffix such as "Labs".
  """
  if entity_type == "person":
    return f"{_word(rng, 2, 3)} {_word(rng, 2, 3)}"
  if entity_type == "location":
    return _word(rng, 2, 4)
  if entity_type == "organization":
    return f"{_word(rng, 2, 3)} {rng.choice(_ORG_SUFFIXES)}"
  raise ValueError(f"unknown entity type {entity_type!r}")


def fill_template(template: str, names: Sequence[str]) -> dict:
  """Fills the slots of `template` in order with `names`.

  Args:
    template: a template with `{PER}`, `{LOC}`, `{ORG}` slots.
    names: one name per slot, in the order the slots occur.

  Returns:
    An instance `{"sentence", "entities": [{"name", "type", "pos"}]}` with
    `pos` the `[start, end)` character offsets of each name.
  """
  pieces = template.split("{")
  sentence = pieces[0]
  entities = []
  for piece, name in zip(pieces[1:], names, strict=True):
    slot, rest = piece.split("}", 1)
    start = len(sentence)
    sentence += name
    entities.append(
      {"name": name, "type": _SLOT_TYPES[slot], "pos": [start, len(sentence)]}
    )
    sentence += rest
  return {"sentence": sentence, "entities": entities}


def slot_types(template: str) -> list[str]:
  """The entity types of the slots of `template`, in order."""
  return [_SLOT_TYPES[p.split("}", 1)[0]] for p in template.split("{")[1:]]


def _instances(
  seed: int,
  dataset: str,
  split: str,
  count: int,
  templates: Sequence[str],
  empty_templates: Sequence[str],
  pick_name,
) -> Iterator[dict]:
  for index in range(count):
    rng = rng_lib.example_rng(seed, "make_tiny_data", dataset, split, index)
    if rng.random() < NO_ENTITY_RATE:
      yield {"sentence": rng.choice(empty_templates), "entities": []}
      continue
    template = rng.choice(templates)
    yield fill_template(
      template, [pick_name(rng, t) for t in slot_types(template)]
    )


def _fresh_name(rng, entity_type: str, taken: set[str]) -> str:
  while True:
    name = random_name(rng, entity_type)
    if name not in taken:
      return name


def make_datasets(
  seed: int = 0, num_train: int = 20000, num_eval: int = 300
) -> dict[str, dict[str, list[dict]]]:
  """Builds both synthetic data sets in memory.

  Args:
    seed: the seed every random choice derives from.
    num_train: number of synth_news training sentences.
    num_eval: number of sentences in each dev/test split (and in the
      synth_heldout train split).

  Returns:
    `{dataset: {split: [instance, ...]}}` for `synth_news` and
    `synth_heldout`.
  """

  def train_name(rng, entity_type):
    if rng.random() < GAZETTEER_RATE:
      return rng.choice(_GAZETTEER[entity_type])
    return random_name(rng, entity_type)

  news = {
    "train": list(
      _instances(
        seed,
        "synth_news",
        "train",
        num_train,
        NEWS_TEMPLATES,
        NEWS_EMPTY,
        train_name,
      )
    )
  }
  seen = {t: set() for t in TYPES}
  for instance in news["train"]:
    for entity in instance["entities"]:
      seen[entity["type"]].add(entity["name"])
  seen_sorted = {t: sorted(names) for t, names in seen.items()}
  all_seen = set().union(*seen.values())

  def eval_name(rng, entity_type):
    if rng.random() < UNSEEN_EVAL_RATE or not seen_sorted[entity_type]:
      return _fresh_name(rng, entity_type, all_seen)
    return rng.choice(seen_sorted[entity_type])

  def heldout_name(rng, entity_type):
    return _fresh_name(rng, entity_type, all_seen)

  for split in ("dev", "test"):
    news[split] = list(
      _instances(
        seed,
        "synth_news",
        split,
        num_eval,
        NEWS_TEMPLATES,
        NEWS_EMPTY,
        eval_name,
      )
    )
  heldout = {
    split: list(
      _instances(
        seed,
        "synth_heldout",
        split,
        num_eval,
        HELDOUT_TEMPLATES,
        HELDOUT_EMPTY,
        heldout_name,
      )
    )
    for split in ("train", "dev", "test")
  }
  return {"synth_news": news, "synth_heldout": heldout}


DATASETS = ("synth_news", "synth_heldout")
FILES = ("labels.json", "train.json", "dev.json", "test.json")


def _write_json_list(path: str, items: Sequence) -> None:
  """Writes `items` as a JSON list, one item a line, atomically."""
  with cli.atomic_write(path) as f:
    f.write("[\n")
    f.write(",\n".join(json.dumps(x, ensure_ascii=False) for x in items))
    f.write("\n]\n")


def output_paths(output_dir: str) -> list[str]:
  """Every file `write_datasets` writes under `output_dir`."""
  return [
    os.path.join(output_dir, "NER", dataset, name)
    for dataset in DATASETS
    for name in FILES
  ]


def check_output(output_dir: str, overwrite: bool = False) -> None:
  """Checks that the data can be written to `output_dir`, writing nothing.

  Raises:
    OSError: see `cli.check_output_path`, for the first file in the way.
  """
  for path in output_paths(output_dir):
    cli.check_output_path(path, overwrite)


def write_datasets(
  output_dir: str,
  seed: int = 0,
  num_train: int = 20000,
  num_eval: int = 300,
  *,
  overwrite: bool = False,
) -> dict[str, int]:
  """Writes both data sets under `output_dir/NER/`.

  Args:
    output_dir: The data root to write `NER/synth_*/` under.
    seed: The seed every random choice derives from.
    num_train: Number of synth_news training sentences (>= 1).
    num_eval: Number of sentences per dev/test split (>= 1).
    overwrite: Replace files that exist; otherwise they are an error.

  Returns:
    The number of instances written per file, keyed by relative path.

  Raises:
    ValueError: a count below 1.
    OSError: see `check_output`; nothing has been written then.
  """
  for name, value in (("num_train", num_train), ("num_eval", num_eval)):
    if value < 1:
      raise ValueError(f"{name} must be >= 1, got {value}")
  check_output(output_dir, overwrite)
  written = {}
  for dataset, splits in make_datasets(seed, num_train, num_eval).items():
    directory = os.path.join(output_dir, "NER", dataset)
    os.makedirs(directory, exist_ok=True)
    _write_json_list(os.path.join(directory, "labels.json"), TYPES)
    for split, instances in splits.items():
      _write_json_list(os.path.join(directory, f"{split}.json"), instances)
      written[f"NER/{dataset}/{split}.json"] = len(instances)
  return written
