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

"""Tests of the target grammars and constrained decoding (byte vocabulary)."""

from __future__ import annotations

import random
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import seqio

from benchmarks import fuzz_parser
from instructuie_jax import formats, records, task_types
from instructuie_jax.formats import grammar as grammar_lib
from instructuie_jax.formats import instructuie
from instructuie_t5x import constrained

VOCAB = seqio.ByteVocabulary()
FMT = formats.get("instructuie")
TASKS = tuple(instructuie.tasks())
# Names rich in the format's separators.
WORDS = ("Ada", "a, b", "x: y", "L;o", "None", "(c)", "d e")
TARGET_LENGTH = 48


def _compile(task: str, labels: dict, text: str) -> grammar_lib.Automaton:
  return grammar_lib.compile_grammar(
    FMT.grammar(task), labels, VOCAB.encode(text), VOCAB.encode, VOCAB.eos_id
  )


def _gold_case(task: str, r: random.Random):
  """A linearized answer and a prompt (labels, text) that holds its pieces."""
  records = fuzz_parser.random_records(
    task, r, name=lambda rr: rr.choice(WORDS)
  )
  text = " ".join(WORDS)
  labels = {kind: list(WORDS) for kind in grammar_lib.LABEL_KINDS}
  return FMT.linearize(task, records), labels, text


def _random_prompt(r: random.Random):
  alphabet = "ab ;:,N"
  task = r.choice(TASKS)
  labels = {
    kind: [
      "".join(r.choice(alphabet) for _ in range(r.randint(1, 3)))
      for _ in range(r.randint(1, 3))
    ]
    for kind in grammar_lib.LABEL_KINDS
  }
  text = "".join(r.choice(alphabet) for _ in range(r.randint(1, 8)))
  return task, labels, text


def test_every_task_has_a_grammar():
  for task in TASKS:
    assert FMT.grammar(task) is not None


@pytest.mark.parametrize("task", TASKS)
def test_linearized_targets_match_the_grammar(task):
  r = random.Random(task.name)
  for _ in range(40):
    target, labels, text = _gold_case(task, r)
    regex = grammar_lib.to_regex(FMT.grammar(task), labels, text)
    assert regex.fullmatch(target), target
    automaton = _compile(task, labels, text)
    state = automaton.start
    for token in [*VOCAB.encode(target), VOCAB.eos_id]:
      assert token in automaton.allowed(state), (target, token)
      state = automaton.step(state, token)


def _accepts(automaton: grammar_lib.Automaton, target: str) -> bool:
  state = automaton.start
  for token in [*VOCAB.encode(target), VOCAB.eos_id]:
    if token not in automaton.allowed(state):
      return False
    state = automaton.step(state, token)
  return True


def test_labels_and_spans_outside_the_prompt_are_refused():
  labels = {"types": ["person"], "roles": []}
  automaton = _compile(task_types.NER, labels, "Ada met Bob")
  regex = grammar_lib.to_regex(
    FMT.grammar(task_types.NER), labels, "Ada met Bob"
  )

  for target in (" person: Ada", " person: met Bob; person: Ada", " None"):
    assert _accepts(automaton, target) and regex.fullmatch(target)
  for target in (" place: Ada", " person: Eve", " person: Ada;", " person:"):
    assert not _accepts(automaton, target) and not regex.fullmatch(target)


# ---------------------------------------------------------------------------
# Decoding with t5x's temperature_sample.


def _fake_model(logits_table):
  """`tokens_to_logits` reading [B, T, V] logits at each row's step."""

  def tokens_to_logits(state):
    rows = jnp.arange(logits_table.shape[0])
    index = jnp.minimum(state.cur_index, logits_table.shape[1] - 1)
    return logits_table[rows, index], state.cache

  return tokens_to_logits


TRACES = []


@jax.jit
def _decode(constraints, logits_table, rng, temperature):
  TRACES.append(1)
  rows = logits_table.shape[0]
  decodes, _ = constrained.decode(
    jnp.zeros((rows, TARGET_LENGTH), jnp.int32),
    {"dummy": jnp.zeros((rows,))},
    _fake_model(logits_table),
    VOCAB.eos_id,
    constraints=constraints,
    decode_rng=rng,
    temperature=temperature,
  )
  return decodes[:, -1]


def _text(tokens) -> tuple[str, bool]:
  ids = list(np.asarray(tokens))
  ended = VOCAB.eos_id in ids
  if ended:
    ids = ids[: ids.index(VOCAB.eos_id)]
  return VOCAB.decode(ids), ended


def _gold_logits(targets, rng, rows):
  logits = rng.normal(size=(rows, TARGET_LENGTH, VOCAB.vocab_size)) * 3
  for i, target in enumerate(targets):
    ids = [*VOCAB.encode(target), VOCAB.eos_id]
    logits[i, np.arange(len(ids)), ids] = 50.0
  return jnp.asarray(logits, jnp.float32)


def test_teacher_forced_gold_is_reproduced():
  r = random.Random(0)
  rng = np.random.default_rng(0)
  tasks = [t for t in TASKS for _ in range(2)]
  pairs = [
    (task, case)
    for task, case in zip(tasks, [_gold_case(t, r) for t in tasks], strict=True)
    if len(VOCAB.encode(case[0])) < TARGET_LENGTH
  ]
  automata = [_compile(task, c[1], c[2]) for task, c in pairs]
  constraints = constrained.pack(automata)
  out = _decode(
    constraints,
    _gold_logits([c[0] for _, c in pairs], rng, len(pairs)),
    jax.random.PRNGKey(0),
    0.0,
  )
  for (task, case), tokens in zip(pairs, out, strict=True):
    assert _text(tokens) == (case[0], True), task


def test_random_logits_never_leave_the_grammar():
  r = random.Random(1)
  rng = np.random.default_rng(1)
  rows = 16
  TRACES.clear()
  ended = 0
  for trial in range(12):
    prompts = [_random_prompt(r) for _ in range(rows)]
    automata = [_compile(*p) for p in prompts]
    constraints = constrained.pack(automata)
    assert constraints["symbol"].shape == (rows, 64)
    logits = rng.normal(size=(rows, TARGET_LENGTH, VOCAB.vocab_size)) * 2
    out = _decode(
      constraints,
      jnp.asarray(logits, jnp.float32),
      jax.random.PRNGKey(trial),
      1.0,
    )
    for (task, labels, text), tokens, automaton in zip(
      prompts, out, automata, strict=True
    ):
      decoded, done = _text(tokens)
      regex = grammar_lib.to_regex(FMT.grammar(task), labels, text)
      if done:
        ended += 1
        assert regex.fullmatch(decoded), (task, labels, text, decoded)
      # Every token, ended or not, was one the reference automaton allows.
      state = automaton.start
      for token in VOCAB.encode(decoded):
        assert token in automaton.allowed(state)
        state = automaton.step(state, token)
  # Every answer ends in time: the mask steers towards an end it can reach.
  assert ended == rows * 12
  assert len(TRACES) == 1  # One compilation for every batch of this shape.


def test_each_row_decodes_under_its_own_labels():
  prompts = [
    (task_types.NER, {"types": ["person"], "roles": []}, "Ada"),
    (task_types.NER, {"types": ["city"], "roles": []}, "Rome"),
    (task_types.EEA, {"types": [], "roles": ["victim"]}, "Bob"),
    (task_types.NER, {"types": ["person"], "roles": []}, "Ada"),
  ]
  automata = [_compile(*p) for p in prompts]
  # The last row's logits favour the second row's answer.
  wanted = [" person: Ada", " city: Rome", " Bob: victim", " city: Rome"]
  rng = np.random.default_rng(2)
  out = _decode(
    constrained.pack(automata),
    _gold_logits(wanted, rng, 4),
    jax.random.PRNGKey(0),
    0.0,
  )
  texts = [_text(t)[0] for t in out]
  assert texts[:3] == wanted[:3]
  task, labels, text = prompts[3]
  assert grammar_lib.to_regex(FMT.grammar(task), labels, text).fullmatch(
    texts[3]
  )
  assert "city" not in texts[3] and "Rome" not in texts[3]


def test_an_unfinished_answer_is_cut_back_to_its_last_item():
  labels = {"types": ["person", "place"], "roles": []}
  automaton = _compile(task_types.NER, labels, "Ada in Rome")
  eos = VOCAB.eos_id
  whole = " person: Ada; place: Rome"
  for target, kept in (
    (whole, whole),
    (" person: Ada; pla", " person: Ada"),
    (" person: Ada; place: Ro", " person: Ada; place: Ro"),
    (" perso", ""),
  ):
    tokens = VOCAB.encode(target)
    n = grammar_lib.finished_prefix(automaton, tokens, eos)
    assert VOCAB.decode(tokens[:n]) == kept


def test_event_roles_follow_their_event_type():
  labels = {"types": ["attack", "meet"], "roles": ["attacker", "entity"]}
  by_type = {"attack": ["attacker"], "meet": ["entity"]}
  text = "Al met Bo"
  automaton = grammar_lib.compile_grammar(
    FMT.grammar(task_types.EE),
    labels,
    VOCAB.encode(text),
    VOCAB.encode,
    VOCAB.eos_id,
    roles_by_type=by_type,
  )

  assert _accepts(automaton, " ( meet: met,  Al: entity, Bo: entity) ")
  assert _accepts(
    automaton, " ( attack: met,  Al: attacker) , ( meet: met, None) "
  )
  assert not _accepts(automaton, " ( meet: met,  Al: attacker) ")
  assert not _accepts(automaton, " ( attack: met,  Al: entity) ")


# ---------------------------------------------------------------------------
# words_bio: every word of the text with one tag.

WORDS_BIO = formats.get("words_bio")
BIO_WORDS = ("Ada", "met", "Bob", "(x)", "in", "New", "York")


def _bio_prompt(r: random.Random):
  """A task, its labels and a text of two to four words."""
  task = r.choice(WORDS_BIO.tasks())
  types = r.sample(["person", "city", "a b", "bad(type)"], r.randint(1, 3))
  text = " ".join(r.choice(BIO_WORDS) for _ in range(r.randint(2, 4)))
  return task, {"types": types, "roles": []}, text


def _bio_compile(task, labels, text) -> grammar_lib.Automaton:
  return grammar_lib.compile_grammar(
    WORDS_BIO.grammar(task, text, labels),
    labels,
    VOCAB.encode(text),
    VOCAB.encode,
    VOCAB.eos_id,
  )


def _bio_gold(task, labels, text, r: random.Random) -> str:
  """A target `linearize` writes: random spans of whole words, types from
  `labels` that a tag can hold."""
  words = text.split()
  kinds = [t for t in labels["types"] if "(" not in t]
  entities, i = [], 0
  while i < len(words):
    n = r.randint(1, 2)
    if r.random() < 0.5 and i + n <= len(words) and kinds:
      entities.append(
        records.Entity(r.choice(kinds), " ".join(words[i : i + n]))
      )
      i += n
    else:
      i += 1
  target = WORDS_BIO.linearize(task, tuple(entities), sentence=text)
  return target


def test_words_bio_gold_targets_are_accepted_and_nothing_else():
  r = random.Random(3)
  for _ in range(200):
    task, labels, text = _bio_prompt(r)
    try:
      target = _bio_gold(task, labels, text, r)
    except ValueError:  # A repeated word's span taken twice: not writable.
      continue
    automaton = _bio_compile(task, labels, text)
    regex = grammar_lib.to_regex(
      WORDS_BIO.grammar(task, text, labels), labels, text
    )
    assert regex.fullmatch(target), target
    state = automaton.start
    for token in [*VOCAB.encode(target), VOCAB.eos_id]:
      assert token in automaton.allowed(state), (target, token)
      state = automaton.step(state, token)
  labels = {"types": ["person"], "roles": []}
  regex = grammar_lib.to_regex(
    WORDS_BIO.grammar(task_types.NER, "Ada met", labels), labels, "Ada met"
  )
  for target in (" Ada(B-city) met(O)", " Ada(O)", " Eve(O) met(O)"):
    assert not regex.fullmatch(target)
  assert regex.fullmatch(" Ada(B-person) met(I-person)")


@pytest.mark.parametrize(
  "task,target,writable",
  [
    ("NER", " Ada(B-person) met(I-person)", True),
    ("NER", " Ada(B-city) met(B-person)", True),
    ("NER", " Ada(I-person) met(O)", False),
    ("NER", " Ada(O) met(I-person)", False),
    ("NER", " Ada(B-city) met(I-person)", False),
    ("ES", " Ada(B) met(I)", True),
    ("ES", " Ada(O) met(I)", False),
    ("ES", " Ada(I) met(O)", False),
  ],
)
def test_words_bio_inside_tags_only_continue_their_type(task, target, writable):
  labels = {"types": ["person", "city"], "roles": []}
  grammar = WORDS_BIO.grammar(task, "Ada met", labels)
  regex = grammar_lib.to_regex(grammar, labels, "Ada met")
  assert bool(regex.fullmatch(target)) is writable
  assert _accepts(_bio_compile(task, labels, "Ada met"), target) is writable


def _tag_sequence_is_bio(decoded: str) -> bool:
  """Every "I[-type]" right after "B[-type]" or "I[-type]" of its type."""
  before = "O"
  for tag in re.findall(r"\((O|[BI](?:-[^()]*)?)\)(?=\s|$)", decoded):
    if tag[0] == "I" and (before == "O" or before[1:] != tag[1:]):
      return False
    before = tag
  return True


def test_words_bio_random_logits_give_parsable_answers_in_the_prompt():
  r = random.Random(4)
  rng = np.random.default_rng(4)
  rows = 16
  for trial in range(6):
    prompts = [_bio_prompt(r) for _ in range(rows)]
    automata = [_bio_compile(*p) for p in prompts]
    logits = rng.normal(size=(rows, TARGET_LENGTH, VOCAB.vocab_size)) * 2
    out = _decode(
      constrained.pack(automata),
      jnp.asarray(logits, jnp.float32),
      jax.random.PRNGKey(trial),
      1.0,
    )
    for (task, labels, text), tokens in zip(prompts, out, strict=True):
      decoded, done = _text(tokens)
      assert done, (task, labels, text, decoded)
      parsed = WORDS_BIO.parse(task, decoded, sentence=text)
      assert not parsed.problems, (text, decoded, parsed.problems)
      assert _tag_sequence_is_bio(decoded), decoded
      for entity in parsed.records:
        assert entity.text in text
        assert not task.labeled or entity.type in labels["types"]


def test_words_bio_teacher_forced_gold_is_reproduced():
  r = random.Random(5)
  rng = np.random.default_rng(5)
  cases = []
  while len(cases) < 8:
    task, labels, text = _bio_prompt(r)
    try:
      cases.append((task, labels, text, _bio_gold(task, labels, text, r)))
    except ValueError:
      continue
  cases = [c for c in cases if len(VOCAB.encode(c[3])) < TARGET_LENGTH]
  out = _decode(
    constrained.pack([_bio_compile(*c[:3]) for c in cases]),
    _gold_logits([c[3] for c in cases], rng, len(cases)),
    jax.random.PRNGKey(0),
    0.0,
  )
  for case, tokens in zip(cases, out, strict=True):
    assert _text(tokens) == (case[3], True), case
