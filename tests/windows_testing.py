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

"""A long text with gold records, and a fake T5X model that answers from gold.

`FakeModel` has what `extractor.Extractor` calls of a T5X model
(`input_vocabulary`, `predict_batch`), with the byte vocabulary: it reads the
text of each prompt back from the input tokens and answers, in the
InstructUIE target format, every gold record whose spans all lie whole in
that text. Like a real model at a window's edge, it also answers the piece
of a gold entity that the text's first or last words cut (a prefix or a
suffix, typed like the entity), so that merging must drop those pieces.

`make_extractor(entity_answers(long_text()), "NER")` is a real `Extractor`
on it.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable

import numpy as np

from instructuie_jax import formats
from instructuie_jax import records as records_lib

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances")
_MIDDLE = ("Brewster", "Mathison", "Wybe", "Jane", "Ervin", "Elizabeth")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen")
_PLACES = ("Port", "Lake", "Mount", "Saint", "New", "Upper")
_PLACE_NAMES = ("Arden", "Belmont", "Corrin", "Dalby", "Elmswick", "Fenwick")


@dataclasses.dataclass(frozen=True)
class Gold:
  """A gold span: its label, text and start offset in the long text."""

  type: str
  text: str
  start: int

  @property
  def end(self) -> int:
    return self.start + len(self.text)


@dataclasses.dataclass(frozen=True)
class LongText:
  """The fixture: text, its entities and (head, relation, tail) triples."""

  text: str
  entities: tuple[Gold, ...]
  relations: tuple[tuple[Gold, str, Gold], ...]


def long_text(min_chars: int = 5000) -> LongText:
  """Sentences naming people and places, one run-on sentence longer than
  a window in the middle; every name is unique, so each has one offset."""
  people = [f"{a} {b} {c}" for c in _LAST for b in _MIDDLE for a in _FIRST]
  places = [f"{a} {b}" for b in _PLACE_NAMES for a in _PLACES]
  parts: list[str] = []
  entities: list[Gold] = []
  relations: list[tuple[Gold, str, Gold]] = []
  size = 0

  def add(piece: str, label: str = "") -> Gold | None:
    nonlocal size
    gold = Gold(label, piece, size) if label else None
    if gold:
      entities.append(gold)
    parts.append(piece)
    size += len(piece)
    return gold

  i = 0
  while size < min_chars:
    if i == 20:  # the run-on sentence: only word boundaries to cut at
      add("Then came ")
      for _ in range(40):
        add(people.pop(), "person")
        add(" and ")
      add("many others. ")
    person = people.pop()
    place = places[i % len(places)] + f" {i}"
    add(f"On day {i}, ")
    head = add(person, "person")
    add(" lived in ")
    tail = add(place, "location")
    add(". ")
    relations.append((head, "live in", tail))
    i += 1
  return LongText("".join(parts), tuple(entities), tuple(relations))


def _window_text(prompt: str) -> str:
  return prompt.split("\nText: ", 1)[1].rsplit(" \nAnswer:", 1)[0]


def entity_answers(fixture: LongText) -> Callable[[str], list]:
  """The gold entities whole in a piece of the fixture's text, and the
  pieces of those its edges cut."""

  def answers(piece: str) -> list:
    start = fixture.text.find(piece)
    assert start >= 0 and fixture.text.find(piece, start + 1) < 0, piece
    end = start + len(piece)
    out = []
    for gold in fixture.entities:
      if start <= gold.start and gold.end <= end:
        out.append(records_lib.Entity(gold.type, gold.text))
      elif gold.start < start < gold.end:
        cut = fixture.text[start : gold.end].strip()
        out.append(records_lib.Entity(gold.type, cut))
      elif gold.start < end < gold.end:
        cut = fixture.text[gold.start : end].strip()
        out.append(records_lib.Entity(gold.type, cut))
    return out

  return answers


def relation_answers(fixture: LongText) -> Callable[[str], list]:
  """The gold relations with head and tail whole in a text."""

  def answers(text: str) -> list:
    return [
      records_lib.Relation(head=h.text, relation=r, tail=t.text)
      for h, r, t in fixture.relations
      if h.text in text and t.text in text
    ]

  return answers


class FakeModel:
  """Answers each prompt from gold (module docstring)."""

  def __init__(
    self, answers: Callable[[str], list], task: str, target_length: int
  ):
    import seqio  # noqa: PLC0415

    self.answers = answers
    self.task = task
    self.target_length = target_length
    self.input_vocabulary = seqio.ByteVocabulary()
    self.output_vocabulary = self.input_vocabulary
    self.prompts: list[str] = []

  def predict_batch(self, params, batch):
    del params
    vocabulary = self.input_vocabulary
    rows = []
    for ids in np.asarray(batch["encoder_input_tokens"]).tolist():
      ids = [x for x in ids if x > 1]  # padding and EOS
      if not ids:  # a row that pads the batch
        rows.append([0] * self.target_length)
        continue
      prompt = vocabulary.decode(ids)
      self.prompts.append(prompt)
      target = formats.get("instructuie").linearize(
        self.task, self.answers(_window_text(prompt))
      )
      out = list(vocabulary.encode(target)) + [vocabulary.eos_id]
      assert len(out) <= self.target_length, target
      rows.append(out + [0] * (self.target_length - len(out)))
    return np.asarray(rows, np.int32)


class FakePartitioner:
  """What `Extractor.__init__` asks of a partitioner, on one device."""

  data_partition_spec = None

  def partition(self, fn, **kwargs):
    del kwargs
    return fn

  def get_data_layout(self, batch_size):
    del batch_size
    return types.SimpleNamespace(num_shards=1)


def make_extractor(
  answers: Callable[[str], list],
  task: str,
  input_length: int = 512,
  target_length: int = 2048,
  batch_size: int = 8,
):
  from instructuie_t5x import extractor  # noqa: PLC0415

  model = FakeModel(answers, task, target_length)
  return extractor.Extractor(
    model,
    None,
    FakePartitioner(),
    None,
    input_length=input_length,
    target_length=target_length,
    batch_size=batch_size,
  )
