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

"""Splitting long texts into windows and merging their answers (pure)."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import grounding, records, task_types, windows
from instructuie_t5x import queries

_WORD = st.text(alphabet="abcxyz", min_size=1, max_size=8)
_SEPARATOR = st.sampled_from([" ", " ", " ", ". ", "\n", "  "])


@st.composite
def _texts(draw):
  words = draw(st.lists(_WORD, min_size=1, max_size=120))
  seps = draw(st.lists(_SEPARATOR, min_size=len(words), max_size=len(words)))
  return "".join(w + s for w, s in zip(words, seps, strict=True)).rstrip()


def _chars(overhead):
  return lambda piece: overhead + len(piece)


def _words_plus(overhead):
  return lambda piece: overhead + len(piece.split())


def _check_cover(text, spans):
  assert spans[0].start == 0 and spans[-1].end == len(text)
  for before, after in zip(spans, spans[1:], strict=False):
    assert before.start < after.start <= before.end < after.end


@settings(max_examples=200, deadline=None)
@given(
  text=_texts(),
  overhead=st.integers(0, 30),
  room=st.integers(20, 120),
  overlap=st.integers(0, 12),
)
def test_windows_cover_the_text_fit_and_overlap_as_configured(
  text, overhead, room, overlap
):
  length = _chars(overhead)
  limit = overhead + room
  spans = windows.split(text, length, limit, overlap=overlap)
  _check_cover(text, spans)
  for span in spans:
    assert span.fits and length(text[span.start : span.end]) <= limit
  for before, after in zip(spans, spans[1:], strict=False):
    shared = text[after.start : before.end]
    assert length(shared) - overhead <= overlap
    # Words are at most 8 characters: an overlap of 10 holds one.
    if overlap >= 10 and room > 2 * overlap:
      assert shared.strip(), (before, after)


@settings(max_examples=100, deadline=None)
@given(
  text=st.text(alphabet="甲乙丙丁。", min_size=1, max_size=200),
  room=st.integers(4, 40),
  overlap=st.integers(0, 3),
)
def test_text_without_spaces_is_cut_at_characters_with_overlap(
  text, room, overlap
):
  spans = windows.split(text, len, room, overlap=overlap)
  _check_cover(text, spans)
  for before, after in zip(spans, spans[1:], strict=False):
    assert len(text[after.start : before.end]) <= overlap
    assert after.end - after.start <= room


@settings(max_examples=100, deadline=None)
@given(
  sentences=st.lists(
    st.lists(_WORD, min_size=1, max_size=5).map(" ".join),
    min_size=2,
    max_size=40,
  ),
)
def test_windows_end_at_sentence_boundaries_when_sentences_fit(sentences):
  text = ". ".join(sentences) + "."
  spans = windows.split(text, len, 60, overlap=8)
  _check_cover(text, spans)
  boundaries = set(windows.sentence_boundaries(text))
  for span in spans[:-1]:
    assert span.end in boundaries


def test_windows_repeat_one_sentence_and_move_on():
  # 40 sentences of 9 words, room for 30 words, an overlap of 25: windows
  # used to start 25 words back, moving on by 2 words (170 windows, most
  # of them starting mid-sentence); now each starts at its predecessor's
  # last sentence.
  text = " ".join(f"Sentence {i} has some words in it ." for i in range(40))
  spans = windows.split(text, _words_plus(5), 35, overlap=25)
  starts = set(windows.sentence_boundaries(text)) | {0}
  assert all(w.start in starts for w in spans)
  assert len(spans) == 20
  # One long sentence: word windows still move on by half their room.
  long = " ".join(f"w{i}" for i in range(200))
  spans = windows.split(long, _words_plus(5), 35, overlap=25)
  moves = [len(long[a.start : b.start].split()) for a, b in pairwise(spans)]
  assert min(moves) >= 15, moves


def test_a_text_that_fits_is_one_window():
  assert windows.split("Ada met Bob.", len, 100) == [windows.Window(0, 12)]


def test_a_prompt_whose_overhead_is_too_long_is_cut_and_says_so():
  spans = windows.split("ab cd ef", lambda p: 50 + len(p), 10)
  _check_cover("ab cd ef", spans)
  assert not any(span.fits for span in spans)


def test_negative_overlap_is_refused():
  with pytest.raises(ValueError, match="overlap"):
    windows.split("ab cd", len, 2, overlap=-1)


def _entity(text, label, start):
  end = None if start is None else start + len(text)
  return {
    "text": text,
    "type": label,
    "start": start,
    "end": end,
    "grounded": start is not None,
    "valid_label": True,
  }


def test_merge_shifts_offsets_and_keeps_a_repeat_once():
  text = "Ada met Bob near Rome."
  spans = [windows.Window(0, 12), windows.Window(8, 22)]
  merged, merges = windows.merge(
    text,
    spans,
    [
      [_entity("Ada", "person", 0), _entity("Bob", "person", 8)],
      [_entity("Bob", "person", 0), _entity("Rome", "location", 9)],
    ],
  )
  assert [(e["text"], e["start"], e["end"]) for e in merged] == [
    ("Ada", 0, 3),
    ("Bob", 8, 11),
    ("Rome", 17, 21),
  ]
  assert merges == 1
  for e in merged:
    assert text[e["start"] : e["end"]] == e["text"]


def test_merge_drops_the_piece_a_window_edge_cut_and_keeps_nested_names():
  text = "We met Ada King Lovelace and New York Times staff today."
  # Window 0 ends after "Ada King "; window 1 starts at "King".
  spans = [windows.Window(0, 16), windows.Window(11, len(text))]
  merged, merges = windows.merge(
    text,
    spans,
    [
      [_entity("Ada King", "person", 7)],
      [
        _entity("King Lovelace", "person", 0),  # cut by its window's start
        _entity("Ada King Lovelace", "person", -4),
        _entity("New York Times", "org", 18),
        _entity("York", "org", 22),  # inside, not at an edge: kept
      ],
    ],
  )
  got = [(e["text"], e["start"]) for e in merged]
  assert got == [("Ada King Lovelace", 7), ("New York Times", 29), ("York", 33)]
  assert merges == 2


def test_merge_keeps_relations_and_events_of_one_window_with_offsets():
  text = "Ada met Bob. Bob hit Cy."
  span = {"text": "Bob", "start": 0, "end": 3, "grounded": True}
  relation = {
    "relation": "met",
    "head": {"text": "Ada", "start": 0, "end": 3, "grounded": True},
    "tail": {"text": "Bob", "start": 8, "end": 11, "grounded": True},
    "head_type": "",
    "tail_type": "",
    "valid_label": True,
  }
  event = {
    "type": "attack",
    "trigger": {"text": "hit", "start": 4, "end": 7, "grounded": True},
    "arguments": [{**span, "role": "attacker", "valid_label": True}],
    "valid_label": True,
  }
  spans = [windows.Window(0, 13), windows.Window(13, 24)]
  merged, merges = windows.merge(text, spans, [[relation], [event, event]])
  assert merges == 1
  assert merged[0] == relation
  assert merged[1]["trigger"]["start"] == 17
  assert merged[1]["arguments"][0]["start"] == 13
  assert windows.count_flags(text, merged) == (0, 0, 0)


def test_ungrounded_answers_are_kept_once_and_counted():
  text = "Ada met Bob."
  spans = [windows.Window(0, 8), windows.Window(4, 12)]
  eve = _entity("Eve", "person", None)
  merged, merges = windows.merge(text, spans, [[eve], [eve]])
  assert merged == [eve] and merges == 1
  assert windows.count_flags(text, merged) == (1, 0, 0)
  # A second "Ada" (the text holds one) is a repeat: in the text, no offsets.
  again = _entity("Ada", "person", None)
  assert windows.count_flags(text, [*merged, again]) == (2, 1, 0)


def _prompt_length(prompt):
  return len(prompt) + 1


def test_query_too_long_is_asked_in_windows_with_the_same_prompt_parts():
  text = " ".join(f"Person{i} met Person{i + 1}." for i in range(60))
  query = queries.make_query("NER", text, ["person"])
  plan = queries.window_query(query, _prompt_length, 400, overlap=8)
  assert len(plan.parts) > 2
  for window, part in zip(plan.windows, plan.parts, strict=True):
    assert part.text == text[window.start : window.end]
    assert _prompt_length(part.prompt) <= 400
    assert part.prompt.replace(part.text, "") == query.prompt.replace(text, "")
  decoded = [(" person: " + p.text.split()[0], 0) for p in plan.parts]
  answer = queries.answer_windows(plan, decoded)
  assert answer["windows"] == len(plan.parts)
  assert answer["window_offsets"][0] == [0, plan.windows[0].end]
  for e in answer["entities"]:
    assert text[e["start"] : e["end"]] == e["text"]
  totals = queries.summarize([answer])
  assert totals["windowed_texts"] == 1 and totals["windows"] == len(plan.parts)


def test_tasks_naming_spans_of_the_whole_text_are_cut_not_windowed():
  text = "Ada met Bob. " * 50
  for task in task_types.TASK_TYPES.values():
    item = {"text": text, "entities": ["Ada"], "pairs": [["Ada", "Bob"]]}
    item["event_type"] = "meet"
    query = queries.make_query(task.name, item, ["meet"], roles=["who"])
    plan = queries.window_query(query, _prompt_length, 200)
    assert (len(plan.parts) > 1) == task.windowed, task.name
    if not task.windowed:
      assert plan.parts == (query,)


def test_records_from_json_inverts_grounding_for_every_record_class():
  text = "Ada hit Bob in Rome."
  answers = {
    "entities": (records.Entity("person", "Ada"), records.Entity("", "Rome")),
    "relations": (records.Relation("Ada", "hit", "Bob", "person", ""),),
    "events": (
      records.Event("attack", "hit", (records.Argument("target", "Bob"),)),
      records.Event("attack", "hit"),
    ),
    "arguments": (records.Argument("place", "Rome"),),
  }
  options = grounding.Options(check_types=False)
  for key, answer in answers.items():
    grounded = grounding.ground(text, answer, options).to_json()[key]
    assert grounding.records_from_json(key, grounded) == answer


def _event(trigger, start, arguments):
  return {
    "type": "attack",
    "trigger": {
      "text": trigger,
      "start": start,
      "end": start + len(trigger),
      "grounded": True,
    },
    "arguments": [
      {
        "text": t,
        "role": role,
        "start": s,
        "end": s + len(t),
        "grounded": True,
        "valid_label": True,
      }
      for role, t, s in arguments
    ],
    "valid_label": True,
  }


def test_an_event_missing_arguments_beyond_its_window_is_merged():
  text = "Ada hit Bob and Cy. Then Ada hit Dan."
  spans = [windows.Window(0, 16), windows.Window(8, len(text))]
  partial = _event("hit", 4, [("attacker", "Ada", 0), ("target", "Bob", 8)])
  whole = _event("hit", 4, [("attacker", "Ada", 0), ("target", "Bob", 8)])
  whole["arguments"].append(dict(whole["arguments"][1], text="Cy", start=16))
  whole["arguments"][-1]["end"] = 18
  # The second window only: the event of "Then Ada hit Dan." is its own.
  other = _event("hit", 29, [("attacker", "Ada", 25), ("target", "Dan", 33)])
  second = [windows.shift(whole, -8), windows.shift(other, -8)]
  second.append(windows.shift(_event("hit", 29, []), -8))
  merged, merges = windows.merge(text, spans, [[partial], second])
  assert merged == [whole, other, _event("hit", 29, [])]
  assert merges == 1
  for event in merged:
    for span in [event["trigger"], *event["arguments"]]:
      assert text[span["start"] : span["end"]] == span["text"]


@settings(max_examples=150, deadline=None)
@given(
  words=st.lists(_WORD, min_size=5, max_size=150),
  marks=st.lists(st.integers(0, 3), min_size=150, max_size=150),
  seps=st.lists(_SEPARATOR, min_size=150, max_size=150),
  overlap=st.integers(30, 40),
)
def test_merging_answers_from_gold_gives_gold_once(words, marks, seps, overlap):
  # Entities: runs of up to 3 words (at most 26 characters, less than the
  # overlap); a mark of 0 leaves a word out.
  text, gold, i = "", [], 0
  while i < len(words):
    size = min(marks[i], len(words) - i)
    if size == 0:
      text += words[i] + seps[i]
      i += 1
      continue
    name = " ".join(words[i : i + size])
    gold.append(_entity(name, "t", len(text)))
    text += name + seps[i]
    i += size
  spans = windows.split(text, len, 3 * overlap, overlap=overlap)
  answers = []
  for w in spans:
    answer = []
    for e in gold:
      start, end = max(e["start"], w.start), min(e["end"], w.end)
      piece = text[start:end]
      if start >= end or not piece.strip():
        continue
      start += len(piece) - len(piece.lstrip())
      piece = piece.strip()
      answer.append(_entity(piece, "t", start - w.start))
    answers.append(answer)
  merged, _ = windows.merge(text, spans, answers)
  key = lambda e: (e["start"], e["end"], e["text"])  # noqa: E731
  assert sorted(map(key, merged)) == sorted(map(key, gold))


def test_long_text_benchmark_joins_sentences_with_exact_gold_offsets(tmp_path):
  from benchmarks import long_text  # noqa: PLC0415
  from instructuie_jax import schema, tiny_data  # noqa: PLC0415

  tiny_data.write_datasets(str(tmp_path), num_train=1, num_eval=60)
  instances, _, _ = schema.load_dataset_split(
    str(tmp_path), "NER", "synth_news", "test"
  )
  text, gold = long_text.long_text(instances, 2000)
  assert len(text) >= 2000
  names = [e.name for x in instances for e in x.entities]
  assert [text[s:e] for _, s, e in gold] == names[: len(gold)]
  with pytest.raises(ValueError, match="fewer than --min_chars"):
    long_text.long_text(instances[:2], 2000)
