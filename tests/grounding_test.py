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

"""Tests for instructuie_jax.grounding: offsets, occurrence choice, flags."""

from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import grounding
from instructuie_jax.records import Argument, Entity, Event, Relation

NER = grounding.options_for("NER", ["person", "location"])


def _offsets(grounded):
  return [(r.span.start, r.span.end) for r in grounded.records]


def test_entity_offsets_and_flags():
  text = "Ada met Bob in Paris."
  result = grounding.ground(
    text,
    [
      Entity("person", "Ada"),
      Entity("location", "Paris"),
      Entity("person", "Carol"),
      Entity("city", "Bob"),
    ],
    NER,
  )
  assert _offsets(result) == [(0, 3), (15, 20), (None, None), (8, 11)]
  assert [r.span.grounded for r in result.records] == [True, True, False, True]
  assert [r.valid_label for r in result.records] == [True, True, True, False]
  assert result.ungrounded == 1
  assert result.invalid_labels == 1
  assert result.to_json()["entities"][2] == {
    "text": "Carol",
    "type": "person",
    "start": None,
    "end": None,
    "grounded": False,
    "valid_label": True,
  }


def test_repeated_entities_take_successive_occurrences():
  text = "Ada and Ada and Ada"
  records = [Entity("person", "Ada")] * 4
  result = grounding.ground(text, records, NER)
  # Three distinct occurrences; the fourth copy has none left: flagged, not
  # given the offsets of an earlier copy.
  assert _offsets(result) == [(0, 3), (8, 11), (16, 19), (None, None)]
  assert result.repeats == 1
  assert result.ungrounded == 1
  assert result.to_json()["entities"][3]["grounded"] is False


def test_kth_copy_takes_kth_occurrence_beside_other_labels():
  # Another label took the second "Ada" first; the second person copy still
  # gets the second occurrence (the first is its own first copy's).
  result = grounding.ground(
    "Ada met Ada.",
    [
      Entity("person", "Ada"),
      Entity("location", "Ada"),
      Entity("person", "Ada"),
      Entity("location", "Ada"),
      Entity("location", "Ada"),
    ],
    NER,
  )
  assert _offsets(result) == [(0, 3), (8, 11), (8, 11), (0, 3), (None, None)]
  assert (result.repeats, result.ungrounded) == (1, 1)
  # Event triggers: the same rule per (event type, trigger).
  ee = grounding.options_for("EE", {"attack": []})
  result = grounding.ground("hit and hit", [Event("attack", "hit")] * 3, ee)
  triggers = [(r.trigger.start, r.trigger.end) for r in result.records]
  assert triggers == [(0, 3), (8, 11), (None, None)]
  assert result.repeats == 1


def test_nested_span_prefers_an_occurrence_outside_earlier_spans():
  text = "New York is not York."
  result = grounding.ground(
    text, [Entity("location", "New York"), Entity("location", "York")], NER
  )
  assert _offsets(result) == [(0, 8), (16, 20)]
  # Only occurrence inside the earlier span: it is taken anyway.
  result = grounding.ground(
    "New York",
    [Entity("location", "New York"), Entity("location", "York")],
    NER,
  )
  assert _offsets(result) == [(0, 8), (4, 8)]


def test_overlapping_occurrences_are_found():
  assert grounding.occurrences("aaaa", "aa") == [0, 1, 2]
  assert grounding.occurrences("abc", "") == []


def test_empty_span_is_not_grounded():
  result = grounding.ground("text", [Entity("person", "")], NER)
  assert not result.records[0].span.grounded
  assert result.ungrounded == 1


def test_relation_arguments_share_mentions():
  text = "Ada works for IBM and Ada lives in Paris."
  options = grounding.options_for("RE", ["work for", "live in"])
  result = grounding.ground(
    text,
    [
      Relation("Ada", "work for", "IBM"),
      Relation("Ada", "live in", "Paris"),
      Relation("Ada", "born in", "Rome"),
    ],
    options,
  )
  heads = [(r.head.start, r.head.end) for r in result.records]
  assert heads == [(0, 3), (0, 3), (0, 3)]
  assert (result.records[1].tail.start, result.records[1].tail.end) == (35, 40)
  assert [r.valid_label for r in result.records] == [True, True, False]
  assert result.ungrounded == 1  # Rome
  assert result.invalid_labels == 1
  relation = result.to_json()["relations"][0]
  assert relation["head"] == {
    "text": "Ada",
    "start": 0,
    "end": 3,
    "grounded": True,
  }
  assert relation["relation"] == "work for"


def test_pair_and_span_tasks_have_no_labels_to_check():
  ep = grounding.options_for("EP", ["work for"])
  result = grounding.ground("Ada IBM", [Relation("Ada", "", "IBM")], ep)
  assert result.records[0].valid_label
  es = grounding.options_for("ES", ["person"])
  result = grounding.ground("Ada", [Entity("", "Ada")], es)
  assert result.records[0].valid_label
  assert result.invalid_labels == 0


def test_events_check_type_and_roles_per_type():
  text = "Troops attacked the town; the town was attacked again."
  options = grounding.options_for(
    "EE", {"attack": ["attacker", "target"], "die": ["victim"]}
  )
  result = grounding.ground(
    text,
    [
      Event(
        "attack",
        "attacked",
        (Argument("attacker", "Troops"), Argument("victim", "the town")),
      ),
      Event("attack", "attacked", (Argument("target", "the town"),)),
      Event("flood", "rain"),
    ],
    options,
  )
  first, second, third = result.records
  assert (first.trigger.start, first.trigger.end) == (7, 15)
  assert (second.trigger.start, second.trigger.end) == (39, 47)
  # The same argument text is the same mention across events.
  assert first.arguments[1].span == second.arguments[0].span
  assert [a.valid_label for a in first.arguments] == [True, False]
  assert not third.valid_label and not third.trigger.grounded
  assert result.invalid_labels == 2
  assert result.ungrounded == 1
  event = result.to_json()["events"][0]
  assert event["trigger"]["text"] == "attacked"
  assert event["arguments"][0]["role"] == "attacker"


def test_ee_roles_as_one_list_and_eea_options_are_roles():
  options = grounding.options_for("EE", ["attack"], roles=["attacker"])
  result = grounding.ground(
    "X attacked",
    [Event("attack", "attacked", (Argument("attacker", "X"),))],
    options,
  )
  assert result.invalid_labels == 0
  eea = grounding.options_for("EEA", ["attacker", "target"])
  result = grounding.ground(
    "X hit Y", [Argument("attacker", "X"), Argument("place", "Y")], eea
  )
  assert [r.valid_label for r in result.records] == [True, False]
  assert result.to_json()["arguments"][1]["start"] == 6


_ALPHABET = "ab cA,;:é\n"


@settings(max_examples=300, deadline=None)
@given(
  text=st.text(alphabet=_ALPHABET, max_size=40),
  spans=st.lists(st.text(alphabet=_ALPHABET, max_size=5), max_size=8),
)
def test_grounded_offsets_always_match(text, spans):
  records = [Entity("person", s) for s in spans]
  records += [
    Relation(a, "r", b) for a, b in zip(spans, reversed(spans), strict=True)
  ]
  records.append(
    Event(
      "e", spans[0] if spans else "x", tuple(Argument("r", s) for s in spans)
    )
  )
  result = grounding.ground(text, records, NER)
  located = []
  for record in result.records:
    if isinstance(record, grounding.GroundedEntity):
      located.append(record.span)
    elif isinstance(record, grounding.GroundedRelation):
      located += [record.head, record.tail]
    else:
      located.append(record.trigger)
      located += [a.span for a in record.arguments]
  assert len(result.records) == len(records)
  missing = not_in_text = 0
  for span in located:
    if span.grounded:
      assert text[span.start : span.end] == span.text
    else:
      assert span.start is None and span.end is None
      not_in_text += span.text == "" or span.text not in text
      missing += 1
  assert result.ungrounded == missing
  # The others are copies of an entity beyond its text's occurrences.
  assert result.repeats == missing - not_in_text
  entities = [
    (r.span.text, r.span.start)
    for r in result.records
    if isinstance(r, grounding.GroundedEntity) and r.span.grounded
  ]
  assert len(set(entities)) == len(entities)  # no copy shares offsets


@settings(max_examples=200, deadline=None)
@given(
  text=st.text(alphabet="ab ", max_size=30),
  spans=st.lists(st.sampled_from(["a", "ab", "b a", "aa"]), max_size=8),
)
def test_entity_choice_is_leftmost_free_occurrence(text, spans):
  """Each entity takes the leftmost occurrence free of earlier ones.

  Else the leftmost that no earlier copy took, else none.
  """
  result = grounding.ground(text, [Entity("person", s) for s in spans], NER)
  taken = []
  copies: dict[str, list[int]] = {}
  for span in (r.span for r in result.records):
    starts = grounding.occurrences(text, span.text)
    if not starts:
      assert not span.grounded
      continue
    free = [
      s
      for s in starts
      if all(s + len(span.text) <= a or b <= s for a, b in taken)
    ]
    unused = [s for s in starts if s not in copies.get(span.text, [])]
    expected = (free or unused or [None])[0]
    assert span.start == expected
    if expected is not None:
      taken.append((span.start, span.end))
      copies.setdefault(span.text, []).append(span.start)
  # Deterministic: the same input gives the same answer.
  again = grounding.ground(text, [Entity("person", s) for s in spans], NER)
  assert again == result


def test_span_count():
  result = grounding.ground(
    "Ada IBM",
    [Relation("Ada", "r", "IBM"), Relation("Ada", "r", "Bob")],
    grounding.options_for("RE", ["r"]),
  )
  assert (result.spans, result.ungrounded) == (4, 1)
