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

"""The "instructuie" parser on model outputs whose spacing varies.

Answers with plain names are written with random whitespace around every
separator (";", ":", ",", the EE arguments' "," and the events' ") , (").
The parser must give the records back or report a problem: never a wrong
record without a problem.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import fuzz_parser
from instructuie_jax import task_types
from instructuie_jax.formats import instructuie
from instructuie_jax.records import Argument, Entity, Event, Relation

TASKS = tuple(task_types.TASK_TYPES)
# How names write a "," ("4,5,6", "Washington , D.C."): an ES answer with
# a "," spaced so is one name, and no parser can tell otherwise.
NAME_COMMAS = fuzz_parser.NAME_COMMAS
_PAIRS = fuzz_parser.SPACE_PAIRS


def _check(task, records, text, exact=True):
  """Records or problems; with `exact`, the records and no problem."""
  hint = fuzz_parser.answer_hint(records)
  for labels in (None, hint):
    result = instructuie.parse(task, text, labels)
    assert result.problems or result.records == records, (text, result)
    if exact:
      assert result.ok and result.records == records, (text, result)


_WORD = st.text(alphabet="abcxyz", min_size=1, max_size=4)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)


def _record(task):
  none = st.just("")
  entity = st.builds(Entity, _NAME, _NAME)
  relation = st.builds(Relation, _NAME, _NAME, _NAME, none, none)
  argument = st.builds(Argument, _NAME, _NAME)
  return {
    "NER": entity,
    "ET": entity,
    "ES": st.builds(Entity, none, _NAME),
    "RE": relation,
    "EPR": relation,
    "EP": st.builds(Relation, _NAME, none, _NAME, none, none),
    "EET": st.builds(Event, _NAME, _NAME, st.just(())),
    "EEA": argument,
    "EE": st.builds(
      Event, _NAME, _NAME, st.lists(argument, max_size=3).map(tuple)
    ),
  }[task]


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_any_spacing_reads_back_or_is_reported(data):
  task = data.draw(st.sampled_from(TASKS))
  records = tuple(data.draw(st.lists(_record(task), max_size=4)))

  def space(char):
    pairs = _PAIRS
    if task == "ES" and char == ",":
      pairs = [p for p in _PAIRS if p not in NAME_COMMAS]
    return data.draw(st.sampled_from(pairs))

  # Every spacing reads back but ES commas spaced oddly, which are reported.
  _check(
    task, records, fuzz_parser.respace(task, records, space), exact=task != "ES"
  )


def _two(task):
  """A fixed answer of two records with every separator of `task`."""
  args = (Argument("role a", "name a"), Argument("role b", "name b"))
  return {
    "NER": (Entity("type a", "name a"), Entity("type b", "name b")),
    "ES": (Entity("", "name a"), Entity("", "name b")),
    "RE": (Relation("head a", "rel a", "tail a"), Relation("h", "r", "t")),
    "EP": (Relation("head a", "", "tail a"), Relation("h", "", "t")),
    "EET": (Event("type a", "trigger a", ()), Event("type b", "g", ())),
    "EEA": args,
    "EE": (Event("type a", "trigger a", args), Event("b", "g", ())),
  }[task]


def _cases():
  for task in ("NER", "ES", "RE", "EP", "EET", "EEA", "EE"):
    canonical = instructuie.linearize(task, _two(task))
    chars = [c for c in ";:," if c in canonical]
    chars += [")"] if task == "EE" else []
    for char in chars:
      for pair in _PAIRS:
        yield task, char, pair


@pytest.mark.parametrize("task,char,pair", list(_cases()))
def test_each_separator_in_each_spacing(task, char, pair):
  """One kind of separator spaced as `pair`, the others as written."""
  records = _two(task)
  canonical = instructuie.linearize(task, records)
  if char == ")":  # The events' separator: ")" pair[0] "," pair[1] "(".
    text = canonical.replace(") , (", ")" + pair[0] + "," + pair[1] + "(")
  else:
    if task == "ES" and pair in NAME_COMMAS:
      result = instructuie.parse(
        task, canonical.replace(", ", "".join((pair[0], ",", pair[1])))
      )
      assert len(result.records) == 1  # One name, as in the data.
      return
    text = canonical.replace(") , (", "\1")
    for sep in (f"{char}  ", f"{char} "):
      text = text.replace(sep, "\0")
    text = text.replace("\0", pair[0] + char + pair[1])
    text = text.replace("\1", ") , (")
  _check(task, records, text, exact=task != "ES")


def test_two_spaces_before_the_event_separator():
  text = " ( a: t0,  n0: r)  , ( a: t1,  n1: r) "
  result = instructuie.parse("EE", text)
  assert result.ok
  assert result.records == (
    Event("a", "t0", (Argument("r", "n0"),)),
    Event("a", "t1", (Argument("r", "n1"),)),
  )


@pytest.mark.parametrize(
  "task,text,records",
  [
    (
      "NER",
      " person: Ada ; city: Rome",
      (Entity("person", "Ada"), Entity("city", "Rome")),
    ),
    (
      "NER",
      " person :Ada;city:  Rome",
      (Entity("person", "Ada"), Entity("city", "Rome")),
    ),
    ("RE", " live in: Ada , Rome", (Relation("Ada", "live in", "Rome"),)),
    (
      "EEA",
      " Ada :subject ;aspirin:drug",
      (Argument("subject", "Ada"), Argument("drug", "aspirin")),
    ),
    (
      "EE",
      "(t :g ,a:r ,  b : s),(u: h,None)",
      (
        Event("t", "g", (Argument("r", "a"), Argument("s", "b"))),
        Event("u", "h", ()),
      ),
    ),
  ],
)
def test_spacing_examples(task, text, records):
  result = instructuie.parse(task, text)
  assert result.ok
  assert result.records == records


@pytest.mark.parametrize("text", [" Ada ,Rome", " Ada,  Rome", " Ada  , Rome"])
def test_es_commas_spaced_as_separators_are_reported(text):
  result = instructuie.parse("ES", text)
  assert result.records == ()
  assert result.problems
