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

"""Token automata under a SentencePiece vocabulary (spaces attach to words).

A vocabulary trained here on sentences and their linearized targets: the
automaton must accept the vocabulary's own tokenization of every gold
target, and every path through it must decode to a target of the grammar.
"""

from __future__ import annotations

import random
import re

import pytest
import seqio

from instructuie_jax import formats, records
from instructuie_jax.formats import grammar as grammar_lib
from instructuie_t5x import constrained

FMT = formats.get("instructuie")
TEXTS = (
  "Ada Lovelace met Bob Smith in London , said Carol .",
  "flights to Velor were cancelled while kaline spread quickly",
  "the Rimzor S7 by Calsa Group sold out in Neshalmun ( mostly ) .",
)
TYPES = ("person", "location", "organization", "product", "chemical")
ROLES = ("attacker", "place", "target")
TASKS = ("NER", "RE", "EE")


def _words(text: str) -> list[str]:
  """Runs of one to three whole words of `text` (the spans of answers)."""
  words = text.split()
  return [
    " ".join(words[i : i + n])
    for n in (1, 2, 3)
    for i in range(len(words) - n + 1)
  ]


def _records(task: str, text: str, r: random.Random):
  spans = _words(text)
  span = lambda: r.choice(spans)  # noqa: E731
  count = r.randrange(4)
  if task == "NER":
    return tuple(records.Entity(r.choice(TYPES), span()) for _ in range(count))
  if task == "RE":
    return tuple(
      records.Relation(span(), r.choice(TYPES), span()) for _ in range(count)
    )
  return tuple(
    records.Event(
      r.choice(TYPES),
      span(),
      tuple(
        records.Argument(r.choice(ROLES), span()) for _ in range(r.randrange(3))
      ),
    )
    for _ in range(count)
  )


def _cases(seed: int, num: int):
  r = random.Random(seed)
  for _ in range(num):
    task = r.choice(TASKS)
    text = r.choice(TEXTS)
    yield task, text, FMT.linearize(task, _records(task, text, r))


WORDS_BIO = formats.get("words_bio")


def _bio_cases(seed: int, num: int):
  """NER and ES answers of whole words, not overlapping, as words_bio."""
  r = random.Random(seed)
  for _ in range(num):
    task = r.choice(WORDS_BIO.tasks())
    text = r.choice(TEXTS)
    words = text.split()
    entities, i = [], 0
    while i < len(words):
      n = r.randint(1, 3)
      if r.random() < 0.3 and i + n <= len(words):
        entities.append(
          records.Entity(r.choice(TYPES), " ".join(words[i : i + n]))
        )
        i += n
      else:
        i += 1
    try:
      target = WORDS_BIO.linearize(task, tuple(entities), sentence=text)
    except ValueError:  # a span whose text occurs earlier, taken twice
      continue
    yield task, text, target


@pytest.fixture(scope="module")
def vocab(tmp_path_factory):
  import sentencepiece as spm  # noqa: PLC0415

  folder = tmp_path_factory.mktemp("sp")
  lines = (
    [target for _, _, target in _cases(0, 400)]
    + [target for _, _, target in _bio_cases(0, 100)]
    + list(TEXTS) * 20
  )
  (folder / "text.txt").write_text("\n".join(lines))
  spm.SentencePieceTrainer.train(
    input=str(folder / "text.txt"),
    model_prefix=str(folder / "sp"),
    vocab_size=150,
    model_type="bpe",
    minloglevel=2,
  )
  return seqio.SentencePieceVocabulary(str(folder / "sp.model"))


def _compile(task: str, text: str, vocab) -> grammar_lib.Automaton:
  tokens = list(vocab.encode(text))
  return grammar_lib.compile_grammar(
    FMT.grammar(task),
    {"types": list(TYPES), "roles": list(ROLES)},
    tokens,
    vocab.encode,
    vocab.eos_id,
    word_starts=constrained.word_starts(vocab, tokens),
    span_ends=constrained.span_ends(vocab, tokens),
  )


def test_spaces_attach_only_for_sentencepiece(vocab):
  assert grammar_lib.spaces_attach(vocab.encode)
  assert not grammar_lib.spaces_attach(seqio.ByteVocabulary().encode)
  pieces = [vocab.tokenizer.id_to_piece(t) for t in vocab.encode(" None")]
  assert pieces == ["▁None"]


def test_gold_targets_are_accepted_token_by_token(vocab):
  seen = set()
  for task, text, target in _cases(1, 120):
    seen.add(task)
    automaton = _compile(task, text, vocab)
    state = automaton.start
    for k, token in enumerate([*vocab.encode(target), vocab.eos_id]):
      assert token in automaton.allowed(state), (task, text, target, k)
      state = automaton.step(state, token)
    assert not state.any()  # Nothing after EOS.
  assert seen == set(TASKS)


def test_words_bio_gold_targets_are_accepted_token_by_token(vocab):
  # Each "word(tag)" is one literal: SentencePiece tokenizes it as the
  # chunk it is in the target, merges across "(" included.
  labels = {"types": list(TYPES), "roles": []}
  cases = list(_bio_cases(1, 60))
  assert len(cases) > 40
  for task, text, target in cases:
    tokens = list(vocab.encode(text))
    automaton = grammar_lib.compile_grammar(
      WORDS_BIO.grammar(task, text, labels),
      labels,
      tokens,
      vocab.encode,
      vocab.eos_id,
    )
    state = automaton.start
    for k, token in enumerate([*vocab.encode(target), vocab.eos_id]):
      assert token in automaton.allowed(state), (task, text, target, k)
      state = automaton.step(state, token)
    assert not state.any()


def _fits(regex, decoded: str) -> bool:
  """Whether the decode is a target up to its spaces.

  SentencePiece writes a run of spaces as one and drops those at the ends:
  the grammar's spaces are optional here, and a decode has no two spaces
  in a row.
  """
  loose = re.compile(regex.pattern.replace("\\ ", "\\ ?"), re.DOTALL)
  return "  " not in decoded and bool(loose.fullmatch(decoded.strip()))


def test_every_path_decodes_to_a_target_with_spans_from_the_text(vocab):
  r = random.Random(2)
  labels = {"types": list(TYPES), "roles": list(ROLES)}
  for trial in range(150):
    task = TASKS[trial % len(TASKS)]
    text = r.choice(TEXTS)
    automaton = _compile(task, text, vocab)
    regex = grammar_lib.to_regex(FMT.grammar(task), labels, text)
    state = automaton.start
    tokens = []
    while True:
      allowed = sorted(automaton.allowed(state))
      assert allowed, (task, text, tokens)
      # Ending is allowed now and then; otherwise go on while one can.
      if vocab.eos_id in allowed and (len(allowed) == 1 or r.random() < 0.3):
        break
      token = r.choice([t for t in allowed if t != vocab.eos_id])
      tokens.append(token)
      state = automaton.step(state, token)
    decoded = vocab.decode(tokens)
    assert _fits(regex, decoded), (task, text, decoded)
    if any(c in text for c in ",;:()"):
      continue  # The parse of spans holding separators is ambiguous.
    for record in FMT.parse(task, decoded).records:
      for span in _spans(record):
        assert span in text, (task, text, decoded, span)


def _spans(record) -> list[str]:
  if isinstance(record, records.Entity):
    return [record.text]
  if isinstance(record, records.Relation):
    return [record.head, record.tail]
  return [record.trigger, *(a.text for a in record.arguments)]
