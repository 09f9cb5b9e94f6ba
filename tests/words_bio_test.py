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

"""Tests of the "words_bio" target format."""

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import formats, metrics, schema, task_types
from instructuie_jax.formats import words_bio
from instructuie_jax.records import Entity

FMT = formats.get("words_bio")
SENTENCE = "Obama visited Paris ( France ) ."


def test_registered_for_span_tasks_only():
  assert "words_bio" in formats.names()
  assert FMT.name == "words_bio"
  assert set(FMT.tasks()) == {task_types.NER, task_types.ES}
  with pytest.raises(ValueError, match="does not cover task type RE"):
    FMT.linearize("RE", (), sentence=SENTENCE)
  result = FMT.parse("RE", " a(O)")
  assert result.records == () and result.problems


def test_words_have_offsets():
  sentence = " a  bc\td "
  assert words_bio.words(sentence) == (
    words_bio.Word("a", 1, 2),
    words_bio.Word("bc", 4, 6),
    words_bio.Word("d", 7, 8),
  )
  assert all(
    sentence[w.start : w.end] == w.text for w in words_bio.words(sentence)
  )


@pytest.mark.parametrize(
  "task,records,text",
  [
    (
      "NER",
      (Entity("person", "Obama"), Entity("location", "Paris")),
      " Obama(B-person) visited(O) Paris(B-location) ((O) France(O) )(O) .(O)",
    ),
    (
      "NER",
      (Entity("location", "Paris ( France )"),),
      " Obama(O) visited(O) Paris(B-location) ((I-location) "
      "France(I-location) )(I-location) .(O)",
    ),
    (
      "ES",
      (Entity("", "Obama"), Entity("", "France")),
      " Obama(B) visited(O) Paris(O) ((O) France(B) )(O) .(O)",
    ),
    ("NER", (), " Obama(O) visited(O) Paris(O) ((O) France(O) )(O) .(O)"),
  ],
)
def test_linearize_and_parse_exact(task, records, text):
  assert FMT.linearize(task, records, sentence=SENTENCE) == text
  for sentence in (None, SENTENCE):
    result = FMT.parse(task, text, sentence=sentence)
    assert result.records == records
    assert result.ok


def test_types_with_spaces_and_words_with_parentheses():
  sentence = "f(x) rating 5(O) stars"
  records = (Entity("rating average", "5(O) stars"), Entity("math", "f(x)"))
  text = FMT.linearize("NER", records, sentence=sentence)
  assert text == (
    " f(x)(B-math) rating(O) 5(O)(B-rating average) stars(I-rating average)"
  )
  result = FMT.parse("NER", text, sentence=sentence)
  assert sorted(result.records) == sorted(records)
  assert result.ok


def test_repeats_take_successive_occurrences():
  sentence = "Ada met Ada and Adam"
  records = (Entity("person", "Ada"), Entity("person", "Ada"))
  text = FMT.linearize("NER", records, sentence=sentence)
  assert text == " Ada(B-person) met(O) Ada(B-person) and(O) Adam(O)"


@pytest.mark.parametrize(
  "records,reason",
  [
    ((Entity("person", "Ob"),), "not made of whole words"),
    ((Entity("person", "Rome"),), "not in the sentence"),
    (
      (Entity("location", "Paris ( France"), Entity("country", "France")),
      "overlapping spans",
    ),
    ((Entity("a(b)", "Obama"),), "parenthesis in type"),
    ((Entity("", "Obama"),), "unwritable type"),
  ],
)
def test_unwritable_records(records, reason):
  assert reason in words_bio.ambiguity("NER", records, SENTENCE)
  with pytest.raises(ValueError, match=reason):
    FMT.linearize("NER", records, sentence=SENTENCE)


def test_linearize_needs_the_sentence():
  with pytest.raises(ValueError, match="needs the sentence"):
    FMT.linearize("NER", ())


def test_spans_keep_the_sentence_text():
  sentence = "New  York is big"
  text = FMT.linearize("NER", (Entity("city", "New  York"),), sentence=sentence)
  assert FMT.parse("NER", text, sentence=sentence).records == (
    Entity("city", "New  York"),
  )
  # Without the sentence, words are joined by single spaces.
  assert FMT.parse("NER", text).records == (Entity("city", "New York"),)


@pytest.mark.parametrize(
  "text,records,problems",
  [
    # A changed word keeps its place.
    (
      " Obama(B-person) visits(O) Pariss(B-location) ((O) France(O) )(O) .(O)",
      (Entity("person", "Obama"), Entity("location", "Paris")),
      0,
    ),
    # A dropped word reads as "O"; an added word is reported.
    (
      " Obama(B-person) really(O) visited(O) Paris(B-location) .(O)",
      (Entity("person", "Obama"), Entity("location", "Paris")),
      2,
    ),
    # A span realigns across a dropped inner word.
    (
      " Obama(O) visited(O) Paris(B-loc) ((I-loc) )(I-loc) .(O)",
      (Entity("loc", "Paris ( France )"),),
      1,
    ),
    # Text that is no item is a problem; the items around it still count.
    (
      " Obama(B-person) visited Paris(B-location) ((O) France(O) )(O) .(O)",
      (Entity("person", "Obama"), Entity("location", "Paris")),
      2,
    ),
    # An I tag without its B starts a span, as conlleval reads it.
    (
      " Obama(I-person) visited(O) Paris(B-x) ((I-y) France(O) )(O) .(O)",
      (Entity("person", "Obama"), Entity("x", "Paris"), Entity("y", "(")),
      0,
    ),
    # NER tags need a type.
    (
      " Obama(B) visited(O) Paris(O) ((O) France(O) )(O) .(O)",
      (),
      1,
    ),
    ("", (), 1),
  ],
)
def test_realignment(text, records, problems):
  result = FMT.parse("NER", text, sentence=SENTENCE)
  assert result.records == records
  assert len(result.problems) == problems, result.problems


# ---------------------------------------------------------------------------
# Property tests.

_WORD = st.text(
  alphabet=st.characters(
    blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp"),
  ),
  min_size=1,
  max_size=5,
).filter(lambda w: not w.isspace() and w == "".join(w.split()))
_TYPE = st.sampled_from(["person", "loc", "rating average", "x-y", "B-a"])


@st.composite
def _sentence_and_records(draw):
  sentence_words = draw(st.lists(_WORD, min_size=1, max_size=12))
  sentence = " ".join(sentence_words)
  offsets = [w.start for w in words_bio.words(sentence)]
  if len(offsets) != len(sentence_words):
    sentence_words = [w.text for w in words_bio.words(sentence)]
  task = draw(st.sampled_from(words_bio.TASKS))
  records = []
  i = 0
  while i < len(sentence_words):
    if draw(st.booleans()):
      j = draw(st.integers(i, min(i + 3, len(sentence_words) - 1)))
      kind = draw(_TYPE) if task.labeled else ""
      records.append(Entity(kind, " ".join(sentence_words[i : j + 1])))
      i = j + 1
    else:
      i += 1
  return task, sentence, tuple(records)


@settings(max_examples=300, deadline=None)
@given(_sentence_and_records())
def test_roundtrip_whenever_writable(case):
  task, sentence, records = case
  if words_bio.ambiguity(task, records, sentence) is not None:
    return
  text = FMT.linearize(task, records, sentence=sentence)
  for given_sentence in (None, sentence):
    result = FMT.parse(task, text, sentence=given_sentence)
    assert collections.Counter(result.records) == collections.Counter(records)
    assert result.ok, result.problems


def _check_result(result):
  assert isinstance(result, formats.ParseResult)
  assert isinstance(result.records, tuple)
  assert all(isinstance(r, Entity) for r in result.records)
  assert all(isinstance(p, str) for p in result.problems)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["NER", "ES"]), st.text(), st.none() | st.text())
def test_parse_never_raises_on_any_text(task, text, sentence):
  _check_result(FMT.parse(task, text, sentence=sentence))


@settings(max_examples=300, deadline=None)
@given(
  _sentence_and_records(),
  st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6)), max_size=3),
  st.sampled_from(["(", ")", "(O)", "(B-", " ", "x", "-", ")(I-a) "]),
)
def test_parse_never_raises_on_mutated_targets(case, cuts, insert):
  task, sentence, records = case
  if words_bio.ambiguity(task, records, sentence) is not None:
    records = ()
  text = FMT.linearize(task, records, sentence=sentence)
  for at, size in cuts:
    text = text[:at] + insert + text[at + size :]
  _check_result(FMT.parse(task, text))
  _check_result(FMT.parse(task, text, sentence=sentence))
  _check_result(FMT.parse(task, text, sentence="other words"))


# ---------------------------------------------------------------------------
# Same metrics as the original format.


def test_same_scores_as_the_original_format():
  sentences = [
    SENTENCE,
    "Ada met Ada and Adam",
    "nothing here",
    "New York , NY",
  ]
  gold = [
    (Entity("person", "Obama"), Entity("location", "Paris")),
    (Entity("person", "Ada"), Entity("person", "Ada")),
    (),
    (Entity("city", "New York"), Entity("state", "NY")),
  ]
  predicted = [
    (Entity("person", "Obama"), Entity("person", "Paris")),
    (Entity("person", "Ada"), Entity("person", "Adam")),
    (Entity("misc", "here"),),
    (Entity("city", "New York , NY"),),
  ]
  original = formats.get("instructuie")
  for task in ("NER", "ES"):
    record = task_types.get(task)
    as_task = [
      [r._replace(type="") if not record.labeled else r for r in rs]
      for rs in (*gold, *predicted)
    ]
    golds, preds = as_task[: len(gold)], as_task[len(gold) :]
    scores = {}
    for name, fmt in (("instructuie", original), ("words_bio", FMT)):
      targets = [
        fmt.linearize(task, g, sentence=s)
        for g, s in zip(golds, sentences, strict=True)
      ]
      outputs = [
        fmt.linearize(task, p, sentence=s)
        for p, s in zip(preds, sentences, strict=True)
      ]
      on_gold = metrics.tally_texts(task, targets, targets, name)
      tally = metrics.tally_texts(task, targets, outputs, name)
      scores[name] = (on_gold.counts, tally.counts, tally.bad_predictions)
    assert scores["instructuie"] == scores["words_bio"]
    assert scores["words_bio"][1] != scores["words_bio"][0]


def test_roundtrip_benchmark_on_tiny_data(tiny_data_dir):
  from benchmarks import words_bio_roundtrip  # noqa: PLC0415

  all_stats = words_bio_roundtrip.run(str(tiny_data_dir), [])
  assert list(all_stats) == ["NER/tiny_ner"]
  stats = all_stats["NER/tiny_ner"]
  assert stats.answers > 0
  assert stats.failures == []
  assert stats.exact == stats.writable
  # "Smith, Jones; Partners: a firm" is ambiguous in the original format.
  assert stats.original_ambiguous == 2
  assert stats.same_scores == stats.writable - stats.original_ambiguous
  assert "\n" in words_bio_roundtrip.table(all_stats)


def test_roundtrip_lengths_in_sentencepiece_tokens(tiny_data_dir, tmp_path):
  from benchmarks import words_bio_roundtrip  # noqa: PLC0415
  from instructuie_jax import vocab_training  # noqa: PLC0415

  model = vocab_training.train_vocab(
    str(tiny_data_dir),
    str(tmp_path / "v.model"),
    vocab_size=400,
    splits=("train", "dev", "test"),
  )
  all_stats = words_bio_roundtrip.run(str(tiny_data_dir), [])
  pieces = words_bio_roundtrip.length_table(all_stats, model, 16)
  raw = words_bio_roundtrip.length_table(all_stats, "byte", 16)
  rows = [
    line.split(" | ") for line in pieces.splitlines() if "| all |" in line
  ]
  words_bio, original = (r[2].split(" / ") for r in rows)
  assert int(words_bio[0]) > int(original[0])  # p50
  assert int(rows[0][3]) >= int(rows[1][3])  # over 16
  assert pieces != raw  # tokens, not bytes
  assert "x the instructuie targets at the median" in pieces.splitlines()[-1]


def test_roundtrip_benchmark_on_real_data(shared_data_dir):
  from benchmarks import words_bio_roundtrip  # noqa: PLC0415

  all_stats = words_bio_roundtrip.run(str(shared_data_dir), ["CrossNER_AI"])
  stats = all_stats["NER/CrossNER_AI"]
  assert stats.failures == []
  assert stats.exact == stats.exact_with_sentence == stats.writable
  assert stats.same_scores == stats.writable - stats.original_ambiguous


def test_examples_in_words_bio(tiny_data_dir):
  from instructuie_jax import instructions  # noqa: PLC0415

  instances, labels, _ = schema.load_dataset_split(
    tiny_data_dir, "NER", "tiny_ner", "test", strict=False
  )
  examples = list(
    instructions.examples_for_split(
      instances[:3],
      "NER",
      labels,
      dataset="tiny_ner",
      split="test",
      train=False,
      options=instructions.PromptOptions(target_format="words_bio"),
    )
  )
  assert examples
  for example, instance in zip(examples, instances, strict=False):
    assert example["targets"].count("(") >= len(instance.sentence.split())
  with pytest.raises(ValueError, match="does not cover task type ET"):
    list(
      instructions.examples_for_split(
        instances[:1],
        "NER",
        labels,
        dataset="tiny_ner",
        split="train",
        train=True,
        options=instructions.PromptOptions(target_format="words_bio"),
      )
    )
