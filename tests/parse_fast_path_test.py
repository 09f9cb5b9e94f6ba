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

"""The "instructuie" parser's fast paths read exactly as its careful path."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import fuzz_parser
from instructuie_jax import task_types
from instructuie_jax.formats import instructuie
from instructuie_jax.records import Argument, Entity, Event, Relation

TASKS = tuple(task_types.TASK_TYPES)
# None and an empty hint take the fast paths; a non-empty one does not.
HINTS = (None, instructuie.LabelHint(), fuzz_parser.HINT)


def _check_same(task, text):
  codec = instructuie._CODECS[task]
  for hint in HINTS:
    fast = codec.parse(text, hint)
    careful = codec.parse(text, hint, careful=True)
    assert fast == careful, (task, text, hint)
    assert instructuie.parse(task, text, hint) == fast


# Pieces rich in separators, spaces next to separators and "None".
_PIECES = st.sampled_from(
  [
    "a",
    "b c",
    " ",
    "  ",
    ";",
    ",",
    ":",
    "(",
    ")",
    "; ",
    ", ",
    ": ",
    ",  ",
    ") , (",
    " ( ",
    ") ",
    "None",
    "#$%#",
    "\xa0",
    "\n",
    "x: y",
    "a , b",
    "a ; b",
    "a :b",
  ]
)
_TEXT = st.lists(_PIECES, max_size=14).map("".join)
_FIELD = st.lists(_PIECES, min_size=1, max_size=4).map("".join)


@st.composite
def _target(draw):
  """A target text of random records with tricky fields, maybe mutated."""
  task = draw(st.sampled_from(TASKS))
  records = tuple(draw(st.lists(_record(task), max_size=4)))
  text = instructuie.linearize(task, records)
  if draw(st.booleans()):
    i = draw(st.integers(0, len(text)))
    text = text[:i] + draw(_PIECES) + text[i:]
  return task, text


def _record(task):
  field = _FIELD | st.sampled_from(["a", "b", "t", "r"])
  none = st.just("")
  entity = st.builds(Entity, field, field)
  relation = st.builds(Relation, field, field, field, none, none)
  argument = st.builds(Argument, field, field)
  return {
    "NER": entity,
    "ET": entity,
    "ES": st.builds(Entity, none, field),
    "RE": relation,
    "EPR": relation,
    "EP": st.builds(Relation, field, none, field, none, none),
    "EET": st.builds(Event, field, field, st.just(())),
    "EEA": argument,
    "EE": st.builds(
      Event, field, field, st.lists(argument, max_size=3).map(tuple)
    ),
  }[task]


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(TASKS), _TEXT)
def test_same_on_random_text(task, text):
  _check_same(task, text)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(_target())
def test_same_on_targets(task_text):
  task, text = task_text
  _check_same(task, text)
  for other in ("EE", "EET", "EEA"):
    _check_same(other, text)


def test_same_on_fuzz_strings():
  for _, text in fuzz_parser.fuzz_strings(3000, seed=7):
    for task in TASKS:
      _check_same(task, text)


@pytest.mark.parametrize(
  "text",
  [
    " ( t: g,  a: r, b: r2) , ( u: h, None) ",
    " ( t: g,  a: r,  b: r2) ",
    " ( t: g,   a: r) ",
    " ( t: g ,  a: r) ",
    " ( t :g,  a: r) ",
    " ( t:  g,  a: r) ",
    " ( t: g, a: r, b) ",
    " ( t: g, a, b: r) ",
    " ( t: g,  a: r, b, c) ",
    " ( t: g) , ( : h, None) ",
    " ( t: g,  None) ",
    " ( t: #$%#g, None) ",
    "( t: g, None",
    "t: g, None)",
    " a: r; b: r2",
    " a: r; b; c: r",
    " a: r; b",
    " a; b",
    " a: b: r; c :d",
  ],
)
def test_same_on_edge_cases(text):
  for task in ("EE", "EET", "EEA"):
    _check_same(task, text)


def test_canonical_targets_take_the_fast_paths():
  body = "( t: g,  a: r, b: r2) , ( u: h, None)"
  assert instructuie._clean_events(body).records == (
    Event("t", "g", (Argument("r", "a"), Argument("r2", "b"))),
    Event("u", "h", ()),
  )
  assert instructuie._clean_events("( t: g ,  a: r)") is None
  assert instructuie._clean_arguments("a: r; b: r2", "; ") == [
    Argument("r", "a"),
    Argument("r2", "b"),
  ]
  assert instructuie._clean_arguments("a: r; b", "; ") is None
  assert instructuie._clean_typed("t: a; u: b", quoted=True).records == (
    Event("t", "a", ()),
    Event("u", "b", ()),
  )
  assert instructuie._clean_relations("r: a, b").records == (
    Relation("a", "r", "b"),
  )
