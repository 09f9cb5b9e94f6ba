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

`write_datasets` (what `tools/make_tiny_data.py` calls) writes, under
`NER/`, one folder per data set with `labels.json` and
`{train,dev,test}.json`: eight supervised data sets (`SUPERVISED`), each
listing two or three of six entity types, and two zero-shot ones.

| data set        | role       | labels                              |
|-----------------|------------|-------------------------------------|
| `synth_news`    | supervised | person, location, organization      |
| `synth_bio`     | supervised | disease, chemical                   |
| `synth_shop`    | supervised | product, organization               |
| `synth_clinic`  | supervised | person, disease                     |
| `synth_lab`     | supervised | chemical, person                    |
| `synth_travel`  | supervised | location, disease                   |
| `synth_retail`  | supervised | product, person                     |
| `synth_pharma`  | supervised | chemical, organization              |
| `synth_mixed`   | zero-shot  | location, chemical, product         |
| `synth_heldout` | zero-shot  | location, organization, person      |

Sentences come from a fragment grammar: a fragment is a clause of one
domain (news, bio, shop, clinic) with entity slots, and a sentence is one
fragment or two joined by a connector. A data set annotates only the
entities whose type it lists. A supervised sentence starts from a fragment
with a slot of a listed type; its second fragment may come from any domain,
so sentences also hold entities of types the data set does not list, left
unannotated. Every label is listed by two to four data sets, each time with
other companions, so "answer the types the prompt lists" is the one rule
that explains the annotations.

`synth_mixed` tests that rule zero-shot: its label set is a combination no
supervised data set lists (no supervised set lists two of its labels), its
sentences are pairs of fragments of two domains that no training sentence
joins (pairs are split between training and held-out by a hash), and its
names never occur in training. `synth_heldout` is the older, harder row:
whole sentence templates that share no clause with the fragments, with the
news labels and unseen names; it measures transfer to new contexts, which a
tiny model trained from scratch barely learns.

About 80% of training names are made up from random syllables (the rest of
the person, location and organization names come from a small list of real
names), so a model has to learn contexts and the shapes of names instead of
memorising them; about 30% of the names in the supervised dev/test splits
never occur in train. Sentences are space-separated tokens; every entity has
`pos`, its character offsets. The output depends only on the arguments.

Files already at those paths are left alone (`OSError` naming the first)
unless `overwrite`. Each file is written to a temporary file beside it and
then renamed, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import NamedTuple

from instructuie_jax import cli
from instructuie_jax import rng as rng_lib

_SLOT_TYPES = {
  "PER": "person",
  "LOC": "location",
  "ORG": "organization",
  "DIS": "disease",
  "CHEM": "chemical",
  "PROD": "product",
}
TYPES = tuple(sorted(_SLOT_TYPES.values()))

# Fragments (clauses) per domain; {PER}, {LOC}, ... are entity slots.
FRAGMENTS = {
  "news": (
    "{PER} was born in {LOC}",
    "{ORG} hired {PER}",
    "{PER} joined {ORG} last year",
    "the headquarters of {ORG} are in {LOC}",
    "police in {LOC} arrested {PER}",
    "{PER} leads {ORG}",
    "{ORG} opened an office in {LOC}",
    "{PER} traveled to {LOC}",
    "{PER} won the election in {LOC}",
    "{PER} met {PER}",
    "officials in {LOC} praised {ORG}",
    "{ORG} named {PER} as its chief",
    "{PER} resigned",
    "{ORG} reported record profits",
    "flights to {LOC} were cancelled",
  ),
  "bio": (
    "{CHEM} reduced symptoms of {DIS}",
    "patients with {DIS} received {CHEM}",
    "{DIS} was treated with {CHEM}",
    "high doses of {CHEM} can cause {DIS}",
    "the trial tested {CHEM}",
    "cases of {DIS} rose",
    "{CHEM} binds to the receptor",
    "{CHEM} was mixed with {CHEM}",
    "{DIS} is linked to {DIS}",
    "{DIS} spread quickly",
    "an outbreak of {DIS} hit {LOC}",
    "{PER} discovered {CHEM}",
    "{ORG} produces {CHEM}",
  ),
  "shop": (
    "{ORG} released the {PROD}",
    "the {PROD} by {ORG} sold out",
    "reviewers praised the {PROD}",
    "{ORG} cut the price of the {PROD}",
    "the {PROD} outsold the {PROD}",
    "{ORG} recalled the {PROD}",
    "buyers returned the {PROD}",
    "{ORG} unveiled the {PROD}",
    "{PER} bought the {PROD}",
    "the {PROD} is sold in {LOC}",
  ),
  "clinic": (
    "{PER} was diagnosed with {DIS}",
    "{PER} recovered from {DIS}",
    "{PER} studies {DIS}",
    "doctors treated {PER} for {DIS}",
    "{PER} caught {DIS}",
    "{PER} visited the clinic",
    "{DIS} cases fell",
  ),
}
CONNECTORS = (" , and ", " ; ", " , while ", " after ")
EMPTY_SENTENCES = (
  "It rained all day .",
  "The market closed higher on Friday .",
  "Nobody answered the phone .",
  "Prices rose again this month .",
  "The meeting was postponed .",
  "Traffic was heavy this morning .",
)


class Spec(NamedTuple):
  """A data set of the fragment grammar: its name and labels."""

  name: str
  labels: tuple[str, ...]


# Each label is listed by two to four data sets, with other companions each
# time; no data set lists two labels of MIXED.
SUPERVISED = (
  Spec("synth_news", ("person", "location", "organization")),
  Spec("synth_bio", ("disease", "chemical")),
  Spec("synth_shop", ("product", "organization")),
  Spec("synth_clinic", ("person", "disease")),
  Spec("synth_lab", ("chemical", "person")),
  Spec("synth_travel", ("location", "disease")),
  Spec("synth_retail", ("product", "person")),
  Spec("synth_pharma", ("chemical", "organization")),
)
MIXED = Spec("synth_mixed", ("location", "chemical", "product"))
# The older held-out set: whole templates sharing no clause with FRAGMENTS.
HELDOUT_LABELS = ("location", "organization", "person")
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
_DISEASE_ENDS = ("itis", "osis", "emia")
_CHEMICAL_ENDS = ("ine", "ol", "ate", "ide")
_PRODUCT_MODELS = ("Pro", "Max", "Mini", "Air", "X2", "S7")
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


NUM_TRAIN = 3000  # Default training sentences per supervised data set.
NUM_EVAL = 100  # Default sentences per dev/test split.
NO_ENTITY_RATE = 0.1
MAX_SLOTS = 3  # Entity slots of a sentence of two fragments.
SINGLE_FRAGMENT_RATE = 0.4  # Training sentences of one fragment.
GAZETTEER_RATE = 0.2  # News names from _GAZETTEER, in training.
UNSEEN_EVAL_RATE = 0.3  # Supervised dev/test names not in train.


def _word(rng, min_syllables: int, max_syllables: int) -> str:
  n = rng.randint(min_syllables, max_syllables)
  return "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()


_NAME_SHAPES: dict[str, Callable] = {
  "person": lambda rng: f"{_word(rng, 2, 3)} {_word(rng, 2, 3)}",
  "location": lambda rng: _word(rng, 2, 4),
  "organization": lambda rng: f"{_word(rng, 2, 3)} {rng.choice(_ORG_SUFFIXES)}",
  "disease": lambda rng: _word(rng, 2, 3).lower() + rng.choice(_DISEASE_ENDS),
  "chemical": lambda rng: _word(rng, 2, 3).lower() + rng.choice(_CHEMICAL_ENDS),
  "product": lambda rng: f"{_word(rng, 2, 3)} {rng.choice(_PRODUCT_MODELS)}",
}


def random_name(rng, entity_type: str) -> str:
  """A made-up name of `entity_type` built from random syllables.

  Persons are two capitalized words, locations one, organizations one plus a
  suffix such as "Labs", products one plus a model such as "Pro"; diseases
  and chemicals are one lowercase word ending as "-itis" or "-ine" do.
  """
  if entity_type not in _NAME_SHAPES:
    raise ValueError(f"unknown entity type {entity_type!r}")
  return _NAME_SHAPES[entity_type](rng)


def slot_types(template: str) -> list[str]:
  """The entity types of the slots of `template`, in order."""
  return [_SLOT_TYPES[p.split("}", 1)[0]] for p in template.split("{")[1:]]


def fill_template(
  template: str, names: Sequence[str], labels: Sequence[str] | None = None
) -> dict:
  """Fills the slots of `template` in order with `names`.

  Args:
    template: a template with slots such as `{PER}` and `{LOC}`.
    names: one name per slot, in the order the slots occur.
    labels: the types to annotate (default: all).

  Returns:
    An instance `{"sentence", "entities": [{"name", "type", "pos"}]}` with
    `pos` the `[start, end)` character offsets of each annotated name.
  """
  pieces = template.split("{")
  sentence = pieces[0]
  entities = []
  for piece, name in zip(pieces[1:], names, strict=True):
    slot, rest = piece.split("}", 1)
    start = len(sentence)
    sentence += name
    if labels is None or _SLOT_TYPES[slot] in labels:
      entities.append(
        {"name": name, "type": _SLOT_TYPES[slot], "pos": [start, len(sentence)]}
      )
    sentence += rest
  return {"sentence": sentence, "entities": entities}


def _domain_of() -> dict[str, str]:
  return {f: d for d, fragments in FRAGMENTS.items() for f in fragments}


def pair_is_heldout(first: str, second: str) -> bool:
  """Whether two fragments of different domains are joined only in
  `synth_mixed` (about half the pairs, by a hash of the unordered pair)."""
  key = "|".join(sorted((first, second))).encode()
  return hashlib.sha256(key).digest()[0] % 2 == 1


@functools.cache
def partners(first: str, heldout: bool) -> tuple[str, ...]:
  """The fragments `first` may be joined with: of another domain, the pair
  held out iff `heldout` (for training, also of `first`'s own domain), with
  at most MAX_SLOTS slots in the two."""
  domains = _domain_of()
  out = []
  for second in domains:
    if len(slot_types(first + second)) > MAX_SLOTS:
      continue
    if domains[second] == domains[first]:
      if not heldout:
        out.append(second)
    elif pair_is_heldout(first, second) == heldout:
      out.append(second)
  return tuple(out)


def _fragments_with(labels: Sequence[str]) -> list[str]:
  """The fragments with a slot of a type of `labels`."""
  return [f for f in _domain_of() if set(slot_types(f)) & set(labels)]


def heldout_pairs(labels: Sequence[str]) -> list[tuple[str, str]]:
  """Every held-out pair (both orders) with a slot of a type of `labels`."""
  return [
    (first, second)
    for first in _domain_of()
    for second in partners(first, heldout=True)
    if set(slot_types(first + second)) & set(labels)
  ]


def _sentence(rng, fragments: Sequence[str], pick_name, labels) -> dict:
  if len(fragments) == 1:
    template = fragments[0] + " ."
  else:
    template = fragments[0] + rng.choice(CONNECTORS) + fragments[1] + " ."
  return fill_template(
    template, [pick_name(rng, t) for t in slot_types(template)], labels
  )


def _supervised(seed, spec: Spec, split, count, pick_name) -> Iterator[dict]:
  """Sentences whose first fragment has a slot of a listed type."""
  home = _fragments_with(spec.labels)
  for index in range(count):
    rng = rng_lib.example_rng(seed, "make_tiny_data", spec.name, split, index)
    if rng.random() < NO_ENTITY_RATE:
      yield {"sentence": rng.choice(EMPTY_SENTENCES), "entities": []}
      continue
    first = rng.choice(home)
    others = partners(first, heldout=False)
    if rng.random() < SINGLE_FRAGMENT_RATE or not others:
      fragments = (first,)
    else:
      second = rng.choice(others)
      fragments = (first, second) if rng.random() < 0.5 else (second, first)
    yield _sentence(rng, fragments, pick_name, spec.labels)


def _mixed(seed, split, count, pick_name) -> Iterator[dict]:
  """Held-out pairs with at least one entity of a listed type (bar the
  NO_ENTITY_RATE of empty sentences)."""
  pairs = heldout_pairs(MIXED.labels)
  assert pairs, "no held-out pair holds a label of synth_mixed"
  for index in range(count):
    rng = rng_lib.example_rng(seed, "make_tiny_data", MIXED.name, split, index)
    if rng.random() < NO_ENTITY_RATE:
      yield {"sentence": rng.choice(HELDOUT_EMPTY), "entities": []}
      continue
    yield _sentence(rng, rng.choice(pairs), pick_name, MIXED.labels)


def _heldout(seed, split, count, pick_name) -> Iterator[dict]:
  for index in range(count):
    rng = rng_lib.example_rng(
      seed, "make_tiny_data", "synth_heldout", split, index
    )
    if rng.random() < NO_ENTITY_RATE:
      yield {"sentence": rng.choice(HELDOUT_EMPTY), "entities": []}
      continue
    template = rng.choice(HELDOUT_TEMPLATES)
    yield fill_template(
      template, [pick_name(rng, t) for t in slot_types(template)]
    )


def _fresh_name(rng, entity_type: str, taken: set[str]) -> str:
  while True:
    name = random_name(rng, entity_type)
    if name not in taken:
      return name


def make_datasets(
  seed: int = 0, num_train: int = NUM_TRAIN, num_eval: int = NUM_EVAL
) -> dict[str, dict[str, list[dict]]]:
  """Builds every synthetic data set in memory.

  Args:
    seed: the seed every random choice derives from.
    num_train: number of training sentences of each supervised data set.
    num_eval: number of sentences in each dev/test split (and in the
      train splits of the held-out sets).

  Returns:
    `{dataset: {split: [instance, ...]}}`, in the order of `DATASETS`.
  """

  def train_name(rng, entity_type):
    if entity_type in _GAZETTEER and rng.random() < GAZETTEER_RATE:
      return rng.choice(_GAZETTEER[entity_type])
    return random_name(rng, entity_type)

  out = {
    spec.name: {
      "train": list(_supervised(seed, spec, "train", num_train, train_name))
    }
    for spec in SUPERVISED
  }
  seen = {t: set() for t in TYPES}
  for splits in out.values():
    for instance in splits["train"]:
      for entity in instance["entities"]:
        seen[entity["type"]].add(entity["name"])
  seen_sorted = {t: sorted(names) for t, names in seen.items()}
  # Unannotated names of training sentences count as seen too.
  all_seen = set(_GAZETTEER_NAMES)
  for splits in out.values():
    all_seen.update(_words_of(splits["train"]))

  def eval_name(rng, entity_type):
    if rng.random() < UNSEEN_EVAL_RATE or not seen_sorted[entity_type]:
      return _fresh_name(rng, entity_type, all_seen)
    return rng.choice(seen_sorted[entity_type])

  def unseen_name(rng, entity_type):
    return _fresh_name(rng, entity_type, all_seen)

  for spec in SUPERVISED:
    for split in ("dev", "test"):
      out[spec.name][split] = list(
        _supervised(seed, spec, split, num_eval, eval_name)
      )
  splits = ("train", "dev", "test")
  out[MIXED.name] = {
    split: list(_mixed(seed, split, num_eval, unseen_name)) for split in splits
  }
  out["synth_heldout"] = {
    split: list(_heldout(seed, split, num_eval, unseen_name))
    for split in splits
  }
  return out


_GAZETTEER_NAMES = frozenset(n for names in _GAZETTEER.values() for n in names)


def _words_of(instances: Sequence[Mapping]) -> set[str]:
  """Every name-shaped run of words of `instances`' sentences: a made-up
  name is unseen only if no training sentence holds it, annotated or not."""
  names = set()
  for instance in instances:
    words = instance["sentence"].split(" ")
    for i in range(len(words)):
      names.add(words[i])
      if i + 1 < len(words):
        names.add(f"{words[i]} {words[i + 1]}")
  return names


ZERO_SHOT = (MIXED.name, "synth_heldout")
DATASETS = (*(spec.name for spec in SUPERVISED), *ZERO_SHOT)
LABELS = {
  **{spec.name: spec.labels for spec in SUPERVISED},
  MIXED.name: MIXED.labels,
  "synth_heldout": HELDOUT_LABELS,
}
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
  num_train: int = NUM_TRAIN,
  num_eval: int = NUM_EVAL,
  *,
  overwrite: bool = False,
) -> dict[str, int]:
  """Writes every data set of `DATASETS` under `output_dir/NER/`.

  Args:
    output_dir: The data root to write `NER/synth_*/` under.
    seed: The seed every random choice derives from.
    num_train: Training sentences per supervised data set (>= 1).
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
    _write_json_list(os.path.join(directory, "labels.json"), LABELS[dataset])
    for split, instances in splits.items():
      _write_json_list(os.path.join(directory, f"{split}.json"), instances)
      written[f"NER/{dataset}/{split}.json"] = len(instances)
  return written
