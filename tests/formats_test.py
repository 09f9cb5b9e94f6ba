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

"""Tests of the "instructuie" target format: exact texts, parsing, fuzzing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import fuzz_parser, roundtrip
from instructuie_jax import formats, task_types
from instructuie_jax.formats import instructuie
from instructuie_jax.records import Argument, Entity, Event, Relation

FMT = formats.get("instructuie")
TASKS = tuple(task_types.TASK_TYPES)

ADA = Entity("person", "Ada Lovelace")
LONDON = Entity("location", "London")
ACME_PARIS = Relation("Acme Corp", "organization in", "Paris")
BOB_PARIS = Relation("Bob Smith", "live in", "Paris")
HACKERS = Argument("attacker", "Hackers")
SERVERS = Argument("compromised data", "Acme's servers")
BREACH = Event("databreach", "breached", (HACKERS, SERVERS))
PHISHING = Event("phishing", "phishing", ())

# Hand-written from the original `src/uie_dataset.py` label templates.
EXPECTED = [
  ("NER", (ADA, LONDON), " person: Ada Lovelace; location: London"),
  ("ET", (ADA, LONDON), " person: Ada Lovelace; location: London"),
  (
    "ES",
    (Entity("", "Ada Lovelace"), Entity("", "London")),
    " Ada Lovelace, London",
  ),
  (
    "RE",
    (ACME_PARIS, BOB_PARIS),
    " organization in: Acme Corp, Paris; live in: Bob Smith, Paris",
  ),
  ("EPR", (BOB_PARIS,), " live in: Bob Smith, Paris"),
  (
    "EP",
    (ACME_PARIS._replace(relation=""), BOB_PARIS._replace(relation="")),
    " Acme Corp, Paris; Bob Smith, Paris",
  ),
  (
    "EET",
    (BREACH._replace(arguments=()), PHISHING),
    " databreach: breached; phishing: phishing",
  ),
  (
    "EEA",
    (HACKERS, SERVERS),
    " Hackers: attacker; Acme's servers: compromised data",
  ),
  ("EEA", (HACKERS,), " Hackers: attacker"),
  (
    "EE",
    (BREACH,),
    " ( databreach: breached,  Hackers: attacker,"
    " Acme's servers: compromised data) ",
  ),
  ("EE", (PHISHING,), " ( phishing: phishing, None) "),
  (
    "EE",
    (Event("databreach", "breached", (HACKERS,)), PHISHING),
    " ( databreach: breached,  Hackers: attacker) , ( phishing: phishing,"
    " None) ",
  ),
]


def test_registered():
  assert "instructuie" in formats.names()
  assert FMT.name == "instructuie"
  assert set(instructuie.tasks()) == {task_types.get(t) for t in TASKS}


def test_the_fuzzer_covers_every_task_type():
  every = set(task_types.TASK_TYPES.values())
  assert set(fuzz_parser.RANDOM_RECORD) == every
  assert set(fuzz_parser.BODY) == every


def test_the_original_format_covers_every_task_type():
  # A new task type is its record plus a codec in the original format.
  covered = formats.get("instructuie").tasks()
  assert sorted(t.name for t in covered) == sorted(task_types.TASK_TYPES)


@pytest.mark.parametrize("name", formats.names())
def test_every_format_declares_the_task_types_it_covers(name):
  # A format may cover some task types only; it declares them, and
  # `check_format` accepts exactly those.
  covered = formats.get(name).tasks()
  assert covered
  assert all(t is task_types.get(t.name) for t in covered)
  for task in task_types.TASK_TYPES.values():
    if task in covered:
      formats.check_format(name, [task])
    else:
      with pytest.raises(ValueError, match=f"does not cover task type {task}"):
        formats.check_format(name, [task])


@pytest.mark.parametrize("task,records,text", EXPECTED)
def test_linearize_exact(task, records, text):
  assert FMT.linearize(task, records) == text


@pytest.mark.parametrize("task,records,text", EXPECTED)
def test_parse_exact(task, records, text):
  result = FMT.parse(task, text)
  assert result.records == records
  assert result.ok


@pytest.mark.parametrize("task", TASKS)
def test_empty_answer_is_none(task):
  assert FMT.linearize(task, ()) == " None"


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("text", [" None", "None", "  None \n", "\tNone"])
def test_none_parses_to_nothing(task, text):
  assert FMT.parse(task, text) == formats.ParseResult((), ())


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_a_problem(task, text):
  result = FMT.parse(task, text)
  assert result.records == ()
  assert len(result.problems) == 1


def test_linearize_writes_quotes_and_parse_reads_substitute():
  event = Event("databreach", "Acme's breach", ())
  assert FMT.linearize("EET", (event,)) == " databreach: Acme's breach"
  assert FMT.parse("EET", " databreach: Acme#$%#s breach").records == (event,)
  assert FMT.parse("EE", " ( databreach: Acme#$%#s breach, None) ").records == (
    event,
  )


def test_relation_entity_types_are_not_written():
  typed = Relation("Ada", "work for", "Acme", "people", "organization")
  text = FMT.linearize("RE", (typed,))
  assert text == " work for: Ada, Acme"
  assert FMT.parse("RE", text).records == (Relation("Ada", "work for", "Acme"),)


@pytest.mark.parametrize(
  "task,text,records",
  [
    # Token-level commas (" , ") are inside names.
    (
      "ES",
      " New York , NY, Paris",
      (Entity("", "New York , NY"), Entity("", "Paris")),
    ),
    (
      "RE",
      " live in: Eve, New York , NY",
      (Relation("Eve", "live in", "New York , NY"),),
    ),
    (
      "RE",
      " live in: Smith , Jones, Rome",
      (Relation("Smith , Jones", "live in", "Rome"),),
    ),
    # A piece without "type: " continues the previous name.
    (
      "NER",
      " person: Smith; Jones; location: Rome",
      (Entity("person", "Smith; Jones"), Entity("location", "Rome")),
    ),
    # ": " inside a name: the type ends at the first one.
    (
      "NER",
      " title: Star Wars: Episode I",
      (Entity("title", "Star Wars: Episode I"),),
    ),
    # EEA names come first: a piece without ": " joins the next one.
    (
      "EEA",
      " a; b: subject; c: drug",
      (Argument("subject", "a; b"), Argument("drug", "c")),
    ),
    (
      "EE",
      " ( adverse event: caused,  aspirin, ibuprofen: drug) ",
      (
        Event(
          "adverse event", "caused", (Argument("drug", "aspirin, ibuprofen"),)
        ),
      ),
    ),
    # Detokenized output loses the double space after the trigger.
    (
      "EE",
      "( adverse event: caused, aspirin: drug, rash: effect)",
      (
        Event(
          "adverse event",
          "caused",
          (Argument("drug", "aspirin"), Argument("effect", "rash")),
        ),
      ),
    ),
    ("EP", " a; b, c", (Relation("a; b", "", "c"),)),
  ],
)
def test_ambiguous_texts(task, text, records):
  assert FMT.parse(task, text).records == records


def test_labels_hint_prefers_known_labels():
  text = " organization: Smith, Jones; Partners: LLP; location: Rome"
  plain = FMT.parse("NER", text).records
  assert plain == (
    Entity("organization", "Smith, Jones"),
    Entity("Partners", "LLP"),
    Entity("location", "Rome"),
  )
  hinted = FMT.parse("NER", text, labels=["organization", "location"]).records
  assert hinted == (
    Entity("organization", "Smith, Jones; Partners: LLP"),
    Entity("location", "Rome"),
  )
  roles = instructuie.LabelHint(roles=frozenset({"drug", "effect"}))
  assert FMT.parse(
    "EEA", " dose: 5 mg; aspirin: drug", labels=roles
  ).records == (Argument("drug", "dose: 5 mg; aspirin"),)
  # Unknown roles left at the end are read without the hint.
  assert FMT.parse("EEA", " a: drug; b: foo; c: bar", labels=roles).records == (
    Argument("drug", "a"),
    Argument("foo", "b"),
    Argument("bar", "c"),
  )


def test_labels_hint_from_schema_labels():
  class Labels:  # duck-typed schema.Labels
    types = ("databreach",)
    roles = {"databreach": ("compromised data",)}

  text = " ( databreach: hit,  x: y: compromised data) "
  assert FMT.parse("EE", text, labels=Labels()).records == (
    Event("databreach", "hit", (Argument("compromised data", "x: y"),)),
  )


@pytest.mark.parametrize(
  "task,text,num_records,num_problems",
  [
    ("NER", "person Ada; location: Rome", 1, 1),
    # An empty name, not "; location: Rome" as the name of a person.
    ("NER", "person: ; location: Rome", 1, 1),
    ("RE", " work for: Ada", 0, 1),
    ("RE", " work for: Ada, Acme; Bob", 1, 0),
    ("EP", " Ada", 0, 1),
    ("EEA", " Hackers: attacker; Acme", 1, 1),
    ("EE", " ( databreach: breached,  Hackers: attacker, Acme", 1, 2),
    ("EE", "databreach: breached, None) ", 1, 1),
    ("EE", " ( databreach) ", 0, 1),
    ("ES", " Ada, , Rome", 2, 1),
  ],
)
def test_malformed_texts_report_problems(task, text, num_records, num_problems):
  result = FMT.parse(task, text)
  assert len(result.records) == num_records
  assert len(result.problems) == num_problems


def test_unknown_task():
  assert FMT.parse("XX", " None").problems
  with pytest.raises(ValueError, match="XX"):
    FMT.linearize("XX", ())


@pytest.mark.parametrize(
  "task,records,reason",
  [
    ("NER", (Entity("person", "a; b"),), "'; ' in text"),
    # Labels end at the first ":", whatever its spacing.
    ("NER", (Entity("a: b", "x"),), "':' in type"),
    ("NER", (Entity("a:b", "x"),), "':' in type"),
    ("NER", (Entity("person", "a ; b"),), None),
    ("NER", (Entity("person", "a ; b: c"),), "';' before a label in text"),
    ("NER", (Entity("person", "a : b"),), None),
    ("NER", (Entity("person", " Ada"),), "whitespace at the edge of text"),
    ("NER", (Entity("person", ""),), "empty text"),
    ("ES", (Entity("", "None"),), "lone span 'None'"),
    ("ES", (Entity("", "a, b"),), "', ' in text"),
    ("ES", (Entity("", "a , b"),), None),
    ("RE", (Relation("a, b", "r", "c"),), "', ' in head"),
    ("RE", (Relation("a", "r", "b, c"),), None),
    ("EEA", (Argument("role", "a: b"),), None),
    ("EE", (Event("t", "a,  b", ()),), "',  ' in trigger"),
    ("EE", (Event("t", "a , b", ()),), None),
    ("EE", (Event("t", "a, b", (Argument("r", "x"),)),), None),
    ("EE", (Event("t", "a, b: c", ()),), "',' with ':' in trigger"),
    ("EE", (Event("t", "g", (Argument("r", "a)  ,(b"),)),), "') , (' in text"),
    (
      "EE",
      (Event("t", "g)", (Argument("r", "(a"),)),),
      "') , (' across fields",
    ),
    (
      "EE",
      (Event("t", "g", (Argument("r", "a: b,c"),)),),
      "a label before ',' in text",
    ),
    ("ES", (Entity("", "a ,b"),), "odd ',' in text"),
    ("ES", (Entity("", "a,b"),), None),
    ("EE", (Event("t", "g", (Argument("r", "a) , (b"),)),), "') , (' in text"),
    ("EET", (Event("t", "a#$%#b", ()),), "'#$%#' in trigger"),
  ],
)
def test_ambiguity(task, records, reason):
  assert instructuie.ambiguity(task, records) == reason


# ---------------------------------------------------------------------------
# Property tests.

# Rich in separators, so that ambiguous names come up often.
_TRICKY = st.text(alphabet="ab ;:,()#$%N\n\xa0", max_size=8) | st.sampled_from(
  ["None", "a, b", "a , b", "a; b", "x: y", "(a)", "#$%#", "a,  b", ") , ("]
)
# Never ambiguous: no separator characters, no edge whitespace.
_SAFE = (
  st.text(
    alphabet=st.characters(
      blacklist_characters=";,:()#", blacklist_categories=("Cs",)
    ),
    min_size=1,
    max_size=12,
  )
  .map(str.strip)
  .filter(lambda s: s and s != "None")
)


def _records(task, text):
  """A strategy of answers of task type `task` built from strings `text`."""
  entity = st.builds(Entity, text, text)
  argument = st.builds(Argument, text, text)
  none = st.just("")
  relation = st.builds(Relation, text, text, text, none, none)
  kinds = {
    "NER": entity,
    "ET": entity,
    "ES": st.builds(Entity, none, text),
    "RE": relation,
    "EPR": relation,
    "EP": st.builds(Relation, text, none, text, none, none),
    "EET": st.builds(Event, text, text, st.just(())),
    "EEA": argument,
    "EE": st.builds(
      Event, text, text, st.lists(argument, max_size=3).map(tuple)
    ),
  }
  return st.lists(kinds[task], max_size=4).map(tuple)


@st.composite
def _task_and_records(draw, text):
  task = draw(st.sampled_from(TASKS))
  return task, draw(_records(task, text))


@settings(max_examples=300, deadline=None)
@given(_task_and_records(_SAFE))
def test_roundtrip_safe_strings(task_records):
  task, records = task_records
  result = FMT.parse(task, FMT.linearize(task, records))
  assert result.records == records
  assert result.ok


@settings(max_examples=500, deadline=None)
@given(_task_and_records(_TRICKY))
def test_roundtrip_whenever_unambiguous(task_records):
  task, records = task_records
  text = FMT.linearize(task, records)
  result = FMT.parse(task, text)
  assert isinstance(result, formats.ParseResult)
  if instructuie.ambiguity(task, records) is None:
    assert result.records == records, text
    assert result.ok


def _check_result(result):
  assert isinstance(result, formats.ParseResult)
  assert isinstance(result.records, tuple)
  assert isinstance(result.problems, tuple)
  assert all(isinstance(p, str) for p in result.problems)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TASKS), st.text())
def test_parse_never_raises_on_any_text(task, text):
  _check_result(FMT.parse(task, text))
  _check_result(FMT.parse(task, text, labels=["person", "a"]))


@st.composite
def _mutated_target(draw):
  task, records = draw(_task_and_records(_TRICKY))
  text = FMT.linearize(task, records)
  for _ in range(draw(st.integers(1, 3))):
    op = draw(st.sampled_from(["truncate", "delete", "duplicate", "insert"]))
    i = draw(st.integers(0, len(text)))
    if op == "truncate":
      text = text[:i]
    elif op == "delete":
      text = text[:i] + text[i + draw(st.integers(1, 3)) :]
    elif op == "duplicate":
      text = text[:i] + text[i : i + 3] + text[i:]
    else:
      text = (
        text[:i]
        + draw(
          st.sampled_from(
            ["; ", ", ", ": ", "(", ") , (", "None", "\u00e9", "#$%#"]
          )
        )
        + text[i:]
      )
  return task, text


@settings(max_examples=300, deadline=None)
@given(_mutated_target())
def test_parse_never_raises_on_mutated_targets(task_text):
  task, text = task_text
  _check_result(FMT.parse(task, text))
  _check_result(FMT.parse(task, text, labels=instructuie.LabelHint()))


# ---------------------------------------------------------------------------
# The benchmarks, on small inputs.


def _check_roundtrip(all_stats):
  for stats in all_stats.values():
    assert stats.answers > 0
    assert stats.failures == []
    for mode in roundtrip.MODES:
      assert stats.exact_representable[mode] == stats.representable


def test_roundtrip_benchmark_on_tiny_data(tiny_data_dir):
  all_stats = roundtrip.run(str(tiny_data_dir), [])
  assert set(all_stats) == {"NER/tiny_ner", "RE/tiny_re", "EE/tiny_ee"}
  _check_roundtrip(all_stats)
  ner = all_stats["NER/tiny_ner"]
  # "Smith, Jones; Partners: a firm" is ambiguous in NER, ET and ES; the
  # labels hint reads it back in NER and ET.
  assert ner.answers - ner.representable == 3
  assert ner.answers - ner.exact["plain"] == 3
  assert ner.answers - ner.exact["labels"] == 1
  assert "\n" in roundtrip.table(all_stats)


def test_roundtrip_benchmark_on_real_data(shared_data_dir):
  _check_roundtrip(roundtrip.run(str(shared_data_dir), ["conll04"]))


def test_fuzz_benchmark_smoke():
  pairs = fuzz_parser.fuzz_strings(200, seed=0)
  assert pairs == fuzz_parser.fuzz_strings(200, seed=0)
  counts, _, failures = fuzz_parser.fuzz(pairs)
  assert failures == []
  assert counts[("NER", "strings")] == 400
  spacing, wrong = fuzz_parser.spacing_fuzz(300, seed=0)
  assert wrong == []
  assert sum(spacing.values()) == 600
  bio, failures = fuzz_parser.words_bio_fuzz(200, seed=0)
  assert failures == []
  assert sum(n for (kind, _), n in bio.items() if kind != "problem") == 600
  assert bio[("clean", "exact")] >= 100
