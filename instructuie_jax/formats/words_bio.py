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

"""The "words_bio" target format: every input word followed by its tag.

GNER-style targets (Ding et al., 2024): the words of the input sentence in
order, each followed by its BIO tag in parentheses,

  NER: " Obama(B-person) visited(O) Paris(B-location) ."  -> " ...(O)"
  ES:  " Obama(B) visited(O) Paris(B) .(O)"

The words are the whitespace-separated tokens of the sentence (`words`);
the sentences of the IE INSTRUCTIONS NER data are tokens joined by single
spaces, so its words are the corpus tokens. It covers the task types whose
answer is a set of spans of the sentence (`TASKS`: NER and ES); selecting it
for another task type is an error (`formats.check_covers`).

Writing needs the sentence (`linearize(task, records, sentence=...)`): each
record, in order, takes the leftmost occurrence of its text that covers
whole words and overlaps no earlier record's words; records with no such
occurrence (nested or overlapping spans, spans inside a word, types with
parentheses) cannot be written (`ambiguity` says why).

Reading (`parse`) never raises. Items are `word(tag)` separated by
whitespace; a tag is "O", "B", "I", "B-type" or "I-type" (a type has no
parentheses). Runs of B/I words make spans; an I word that does not continue
a span of its type starts one (as conlleval reads it). Without the sentence,
a span is its words joined by single spaces. With it (`sentence=...`), the
output words are first realigned to the input words (longest common
subsequence, `difflib.SequenceMatcher`; a run of changed words as long as
the input run it replaces keeps its positions), and a span is the
sentence's text from its first word's start to its last word's end. Output
words without an input word and input words missing from the output are
problems (the latter read as "O", or as the span's I tag between two words
of one span), as is text that is no `word(tag)` item.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from instructuie_jax import formats, grounding, task_types
from instructuie_jax import records as records_lib
from instructuie_jax.formats import grammar as grammar_lib
from instructuie_jax.records import Entity

NAME = "words_bio"
OUTSIDE = "O"
BEGIN = "B"
INSIDE = "I"

# The task types it covers: those whose answer is spans of the sentence.
TASKS: tuple[task_types.TaskType, ...] = (task_types.NER, task_types.ES)

_WORD = re.compile(r"\S+")
# One item: a word (no whitespace) and its tag, ended by whitespace or the
# end. The word is the shortest prefix after which a valid tag follows.
_ITEM = re.compile(r"(\S+?)\((O|[BI](?:-[^()]*)?)\)(?=\s|$)")
_MAX_SNIPPET = 40


class Word(NamedTuple):
  """A word of the sentence: its text and character offsets."""

  text: str
  start: int
  end: int


def words(sentence: str) -> tuple[Word, ...]:
  """The words of `sentence`: its whitespace-separated tokens, with offsets.

  `sentence[w.start:w.end] == w.text` for every word.
  """
  return tuple(
    Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(sentence)
  )


def _snippet(text: str) -> str:
  if len(text) > _MAX_SNIPPET:
    text = text[: _MAX_SNIPPET - 3] + "..."
  return repr(text)


def _covers(task: task_types.TaskType | str) -> task_types.TaskType | None:
  try:
    record = task_types.get(task)
  except ValueError:
    return None
  return record if record in TASKS else None


def _tag_type(task: task_types.TaskType, record: Entity) -> str:
  return record.type if task.labeled else ""


def _type_problem(kind: str) -> str | None:
  """Why a tag cannot hold the type `kind`; None when it can."""
  if not kind or kind != kind.strip():
    return f"unwritable type {kind!r}"
  if "(" in kind or ")" in kind:
    return f"parenthesis in type {kind!r}"
  return None


def _locate(
  task: task_types.TaskType, records: records_lib.Records, sentence: str
) -> tuple[list[str], str | None]:
  """The tag of every word of `sentence`, or the reason they have none.

  Each record takes the leftmost occurrence of its text (as
  `grounding.occurrences` finds them) that starts and ends at word edges and
  overlaps no word taken by an earlier record.
  """
  sentence_words = words(sentence)
  tags = [OUTSIDE] * len(sentence_words)
  first = {w.start: i for i, w in enumerate(sentence_words)}
  last = {w.end: i for i, w in enumerate(sentence_words)}
  for record in records:
    if not isinstance(record, Entity):
      return tags, f"not an entity: {record!r}"
    kind = _tag_type(task, record)
    problem = _type_problem(kind) if task.labeled else None
    if problem:
      return tags, problem
    starts = grounding.occurrences(sentence, record.text)
    if not starts:
      return tags, f"span not in the sentence: {record.text!r}"
    end = len(record.text)
    aligned = [
      (first[a], last[a + end])
      for a in starts
      if a in first and a + end in last
    ]
    if not aligned:
      return tags, f"span not made of whole words: {record.text!r}"
    free = [
      (i, j) for i, j in aligned if all(t == OUTSIDE for t in tags[i : j + 1])
    ]
    if not free:
      return tags, f"overlapping spans: {record.text!r}"
    i, j = free[0]
    suffix = f"-{kind}" if kind else ""
    tags[i] = BEGIN + suffix
    for k in range(i + 1, j + 1):
      tags[k] = INSIDE + suffix
  return tags, None


def ambiguity(
  task: str | task_types.TaskType,
  records: records_lib.Records,
  sentence: str,
) -> str | None:
  """Why `records` cannot be written for `sentence`; None when they can.

  For records that can be written, `parse(task, linearize(...))` gives them
  back (with or without the sentence), as a multiset.
  """
  record = _covers(task)
  if record is None:
    return f"task type {task!r} is not covered by {NAME}"
  return _locate(record, records, sentence)[1]


def linearize(
  task: str | task_types.TaskType,
  records: records_lib.Records,
  sentence: str | None = None,
) -> str:
  """The words_bio target of `records` of `sentence`.

  Raises:
    ValueError: No sentence, a task type it does not cover, or records it
      cannot write (see `ambiguity`).
  """
  record = formats.check_covers(NAME, TASKS, task)
  if sentence is None:
    raise ValueError(f"The {NAME} target format needs the sentence.")
  tags, reason = _locate(record, records, sentence)
  if reason is not None:
    raise ValueError(f"Cannot write a {NAME} target: {reason}")
  return "".join(
    f" {w.text}({t})" for w, t in zip(words(sentence), tags, strict=True)
  )


def _items(text: str) -> tuple[list[tuple[str, str]], list[str]]:
  """The `(word, tag)` items of `text` and one problem per unread piece."""
  items: list[tuple[str, str]] = []
  problems: list[str] = []
  at = 0
  for match in _ITEM.finditer(text):
    gap = text[at : match.start()]
    if gap.strip():
      problems.append(f"not a word(tag) item: {_snippet(gap.strip())}")
    items.append((match.group(1), match.group(2)))
    at = match.end()
  rest = text[at:]
  if rest.strip():
    problems.append(f"not a word(tag) item: {_snippet(rest.strip())}")
  return items, problems


def _realign(
  sentence_words: Sequence[Word], items: Sequence[tuple[str, str]]
) -> tuple[list[str], list[str]]:
  """Tags of the input words from the output items, and the problems.

  An input word missing from the output reads as "O", except inside a span:
  between a word tagged B-t or I-t and one tagged I-t it reads as I-t.
  """
  tags: list[str | None] = [None] * len(sentence_words)
  problems: list[str] = []
  matcher = difflib.SequenceMatcher(
    None,
    [w.text for w in sentence_words],
    [w for w, _ in items],
    autojunk=False,
  )
  for op, i1, i2, j1, j2 in matcher.get_opcodes():
    if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
      for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
        tags[i] = items[j][1]
      continue
    if j2 > j1:
      added = " ".join(w for w, _ in items[j1:j2])
      problems.append(f"words not in the input: {_snippet(added)}")
    if i2 > i1:
      missing = " ".join(w.text for w in sentence_words[i1:i2])
      problems.append(f"input words missing: {_snippet(missing)}")
  out: list[str] = []
  for i, tag in enumerate(tags):
    if tag is None:
      tag = OUTSIDE
      after = next((t for t in tags[i + 1 :] if t is not None), OUTSIDE)
      before = out[-1] if out else OUTSIDE
      if after.startswith(INSIDE) and before[1:] == after[1:]:
        tag = after
    out.append(tag)
  return out, problems


def _spans(
  task: task_types.TaskType, tags: Sequence[str]
) -> tuple[list[tuple[str, int, int]], list[str]]:
  """`(type, first, last)` word runs of the tags, and the problems."""
  spans: list[tuple[str, int, int]] = []
  problems: list[str] = []
  current: list | None = None
  for i, tag in enumerate(tags):
    prefix, _, kind = tag.partition("-")
    if not task.labeled:
      kind = ""
    elif prefix != OUTSIDE and not kind:
      problems.append(f"tag without a type: {tag!r}")
      current = None
      continue
    if prefix == OUTSIDE:
      current = None
    elif prefix == INSIDE and current is not None and current[0] == kind:
      current[2] = i
    else:
      current = [kind, i, i]
      spans.append(current)
  return [tuple(s) for s in spans], problems


def parse(
  task: str | task_types.TaskType,
  text: str,
  labels: object = None,
  sentence: str | None = None,
) -> formats.ParseResult:
  """Reads words_bio `text` of task type `task`; never raises.

  Args:
    task: NER or ES (or its name); another gives no records and a problem.
    text: The target or predicted text.
    labels: Unused (types are written in full; the tag's parentheses end
      them).
    sentence: The input sentence: when given, the output words are
      realigned to its words and spans are its text (module docstring).

  Returns:
    The records in text order and one problem per unreadable piece.
  """
  del labels
  record = (
    _covers(task) if isinstance(task, str | task_types.TaskType) else None
  )
  if record is None:
    return formats.ParseResult((), (f"task type {task!r} not in {NAME}",))
  if not isinstance(text, str):
    return formats.ParseResult((), (f"not a string: {type(text).__name__}",))
  if sentence is not None and not isinstance(sentence, str):
    return formats.ParseResult(
      (), (f"sentence not a string: {type(sentence).__name__}",)
    )
  items, problems = _items(text)
  if sentence is None:
    tags = [tag for _, tag in items]
    spans, span_problems = _spans(record, tags)
    found = [
      Entity(kind, " ".join(w for w, _ in items[i : j + 1]))
      for kind, i, j in spans
    ]
  else:
    sentence_words = words(sentence)
    tags, align_problems = _realign(sentence_words, items)
    problems.extend(align_problems)
    spans, span_problems = _spans(record, tags)
    found = [
      Entity(kind, sentence[sentence_words[i].start : sentence_words[j].end])
      for kind, i, j in spans
    ]
  problems.extend(span_problems)
  return formats.ParseResult(tuple(found), tuple(problems))


def tasks() -> Sequence[task_types.TaskType]:
  """The task types the format covers (`TASKS`)."""
  return TASKS


def tags(
  task: str | task_types.TaskType, types: Sequence[str] = ()
) -> list[str]:
  """The tags a word may take: "O", then "B-type" and "I-type" for each of
  `types` that a tag can hold (NER), or "B" and "I" (ES)."""
  record = formats.check_covers(NAME, TASKS, task)
  if not record.labeled:
    return [OUTSIDE, BEGIN, INSIDE]
  kinds = [t for t in types if _type_problem(t) is None]
  return [
    OUTSIDE,
    *(f"{BEGIN}-{t}" for t in kinds),
    *(f"{INSIDE}-{t}" for t in kinds),
  ]


def grammar(
  task: str | task_types.TaskType,
  sentence: str | None = None,
  labels: Any = None,
) -> grammar_lib.Grammar:
  """The targets of `sentence` that `linearize` can write: its words in
  order, each with one of `tags(task, labels["types"])`.

  Each `word(tag)` is one literal: it is one whitespace-separated chunk of
  the target, which SentencePiece tokenizes on its own, so the automaton
  expects the model's own tokens of it. An "I-type" comes only right after
  "B-type" or "I-type" of the same type, as `linearize` writes it (the
  literals' `mark` and `needs`); the parser would read a stray one as a
  span's start.

  Raises:
    ValueError: No sentence, or a task type the format does not cover.
  """
  if sentence is None:
    raise ValueError(f"The {NAME} grammar needs the sentence.")
  word_tags = tags(task, (labels or {}).get("types", ()))

  def literal(word: str, tag: str) -> grammar_lib.Lit:
    if tag == OUTSIDE:
      return grammar_lib.Lit(f" {word}({tag})")
    position, _, kind = tag.partition("-")
    needs = kind if position == INSIDE else None
    return grammar_lib.Lit(f" {word}({tag})", mark=kind, needs=needs)

  return grammar_lib.seq(
    *(
      grammar_lib.Choice(tuple(literal(w.text, t) for t in word_tags))
      for w in words(sentence)
    )
  )


class WordsBioFormat:
  """The "words_bio" target format (see the module docstring)."""

  name = NAME
  linearize = staticmethod(linearize)
  parse = staticmethod(parse)
  tasks = staticmethod(tasks)
  grammar = staticmethod(grammar)


formats.register(NAME, WordsBioFormat)
