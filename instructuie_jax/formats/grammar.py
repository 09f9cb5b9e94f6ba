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

"""Target grammars, and the token automata that constrained decoding runs.

A target format describes the targets of each task type as a small regular
grammar (`formats.get(name).grammar(task)`), built from five pieces:

  Lit(" ; ")        fixed text (optionally marked, see below)
  Label("types")    one of the prompt's options ("types" or "roles")
  Span()            a non-empty run of the input text's tokens
  Seq(a, b, ...)    one after the other
  Rep(item, sep, empty)   item (sep item)*, or the text `empty`

A literal may carry a `mark` and may `need` one: a literal that needs mark m
may come only right after a literal marked m (never first). That is how
words_bio writes "I-person" only after "B-person" or "I-person": a Markov
constraint between neighbouring literals that a tree-shaped grammar could
not state without repeating the rest of the target under every choice.

`compile_grammar` turns a grammar, the prompt's labels and the input text's
tokens into an `Automaton`: a position automaton (Glushkov's construction at
the level of pieces) whose positions each expect one token. Its state is the
set of positions that may come next; a token keeps the positions that expect
it and moves each to

* the next position of its piece (`has_next`: the next token of a label or
  a literal, the next input token of a span), and, where the piece may end
  there (`group >= 0`),
* the first positions of every piece that may follow (`follow[group]`),
  EOS included where the target may end.

The state is a fixed-size boolean vector per text, so a batch of texts with
different tasks and labels decodes in one jitted loop
(`instructuie_t5x.constrained`). A span's positions are the input text's
tokens: any run of them can be copied, and nothing else.

Pieces are tokenized as they are written between other text (see
`piece_tokens`), so the automaton accepts the tokens of a linearized target
exactly for a byte vocabulary. Where a space belongs to the next word's
first token (`spaces_attach`: SentencePiece, "▁None"), a piece after a space
is tokenized as a word start and spans after a space start at the text's
word starts, so the automaton accepts the vocabulary's own tokenization of
a target whose spans are whole tokens of the text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, Union

import numpy as np


class Lit(NamedTuple):
  """Fixed text.

  `mark`: a name the literal leaves for the one after it; `needs`: the
  literal may come only right after one marked so (not first). A literal
  of spaces only carries neither.
  """

  text: str
  mark: str | None = None
  needs: str | None = None


class Label(NamedTuple):
  """One of the prompt's labels: `kind` is "types" or "roles".

  `only`, when set, narrows it to those labels (see `compile_grammar`'s
  `roles_by_type`).
  """

  kind: str
  only: tuple[str, ...] | None = None


class Span(NamedTuple):
  """A non-empty run of the input text's tokens."""


class Seq(NamedTuple):
  """Its parts one after the other."""

  parts: tuple[Grammar, ...]


class Choice(NamedTuple):
  """One of its options (made by `compile_grammar`, for per-type roles)."""

  options: tuple[Grammar, ...]


class Rep(NamedTuple):
  """`item (sep item)*`, or the text `empty` for no items."""

  item: Grammar
  sep: Lit
  empty: Lit


Grammar = Union[Lit, Label, Span, Seq, Rep, Choice]  # noqa: UP007  # a runtime alias

LABEL_KINDS = ("types", "roles")


def seq(*parts: Grammar) -> Seq:
  return Seq(tuple(parts))


def to_regex(grammar: Grammar, labels: dict[str, Sequence[str]], text: str):
  """A regular expression of the grammar's language over characters.

  For tests on short texts: a span is any non-empty substring of `text`
  (listed one by one); a literal that needs a mark is preceded by the text
  of a literal with that mark (a lookbehind).
  """
  import re  # noqa: PLC0415

  marked: dict[str, set[str]] = {}

  def collect(g):
    if isinstance(g, Lit) and g.mark is not None:
      marked.setdefault(g.mark, set()).add(g.text)
    for child in _children(g):
      collect(child)

  collect(grammar)

  def alt(strings):
    strings = sorted(set(strings), key=len, reverse=True)
    return (
      "(?:" + "|".join(re.escape(s) for s in strings) + ")"
      if strings
      else "(?!)"
    )

  spans = [
    text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)
  ]

  def rx(g):
    if isinstance(g, Lit):
      if g.needs is None:
        return re.escape(g.text)
      behind = "|".join(
        f"(?<={re.escape(t)})" for t in sorted(marked.get(g.needs, ()))
      )
      return f"(?:{behind or '(?!)'}){re.escape(g.text)}"
    if isinstance(g, Label):
      return alt(g.only if g.only is not None else labels.get(g.kind, ()))
    if isinstance(g, Choice):
      return "(?:" + "|".join(rx(o) for o in g.options) + ")"
    if isinstance(g, Span):
      return alt(spans)
    if isinstance(g, Seq):
      return "".join(rx(p) for p in g.parts)
    item = rx(g.item)
    return f"(?:{re.escape(g.empty.text)}|{item}(?:{rx(g.sep)}{item})*)"

  return re.compile(rx(grammar), re.DOTALL)


# ---------------------------------------------------------------------------
# Token automata.


@dataclasses.dataclass(frozen=True)
class Automaton:
  """The token automaton of one target (numpy arrays; P positions, G groups).

  Attributes:
    symbol: [P] int32, the token each position expects (EOS at `eos`).
    has_next: [P] bool, whether a matched position moves on to position + 1.
    group: [P] int32, the piece a matched position may end (-1: none).
    follow: [G, P] bool, the positions that may come after piece g ends.
    start: [P] bool, the positions a target may start with.
    to_end: [P] int32, the fewest tokens, EOS included, from a position's
      token to the end of a target (so a decode can finish in time).
  """

  symbol: np.ndarray
  has_next: np.ndarray
  group: np.ndarray
  follow: np.ndarray
  start: np.ndarray
  to_end: np.ndarray

  @property
  def num_positions(self) -> int:
    return int(self.symbol.shape[0])

  @property
  def num_groups(self) -> int:
    return int(self.follow.shape[0])

  def step(self, state: np.ndarray, token: int) -> np.ndarray:
    """The state after `token` (the reference for the jitted step)."""
    matched = state & (self.symbol == token)
    out = np.zeros_like(state)
    out[1:] = (matched & self.has_next)[:-1]
    for g in np.unique(self.group[matched & (self.group >= 0)]):
      out |= self.follow[g]
    return out

  def allowed(self, state: np.ndarray) -> set[int]:
    """Tokens the state accepts next."""
    return {int(t) for t in self.symbol[state]}


def piece_tokens(
  encode: Callable[[str], Sequence[int]], text: str
) -> list[int]:
  """Tokens of `text` as written between two words.

  The tokens of "x" + text + "x" between those of the first "x" and the
  last token (which holds the second "x" and, for SentencePiece, the space
  before it). Falls back to `encode(text)` where the context does not split
  that way.
  """
  head = list(encode("x"))
  full = list(encode("x" + text + "x"))
  ends = {head[-1], list(encode(" x"))[-1]} if head else set()
  if len(full) > len(head) and full[: len(head)] == head and full[-1] in ends:
    return full[len(head) : -1]
  return list(encode(text))


def _children(g: Grammar) -> tuple[Grammar, ...]:
  if isinstance(g, Seq):
    return g.parts
  if isinstance(g, Choice):
    return g.options
  if isinstance(g, Rep):
    return (g.item, g.sep, g.empty)
  return ()


def _mentions(g: Grammar, kind: str) -> bool:
  if isinstance(g, Label):
    return g.kind == kind
  if isinstance(g, Seq):
    return any(_mentions(p, kind) for p in g.parts)
  if isinstance(g, Rep):
    return _mentions(g.item, kind)
  if isinstance(g, Choice):
    return any(_mentions(o, kind) for o in g.options)
  return False


def _narrow(g: Grammar, kind: str, only: tuple[str, ...]) -> Grammar:
  if isinstance(g, Label) and g.kind == kind:
    return Label(kind, only)
  if isinstance(g, Seq):
    return Seq(tuple(_narrow(p, kind, only) for p in g.parts))
  if isinstance(g, Rep):
    return Rep(_narrow(g.item, kind, only), g.sep, g.empty)
  return g


def _per_type(g: Grammar, types, roles_by_type) -> Grammar:
  """A sequence with a type and roles becomes a choice over the types."""
  if isinstance(g, Seq):
    if Label("types") in g.parts and _mentions(g, "roles"):
      return Choice(
        tuple(
          _narrow(
            _narrow(g, "types", (t,)),
            "roles",
            tuple(roles_by_type.get(t, ())),
          )
          for t in types
        )
      )
    return Seq(tuple(_per_type(p, types, roles_by_type) for p in g.parts))
  if isinstance(g, Rep):
    return Rep(_per_type(g.item, types, roles_by_type), g.sep, g.empty)
  return g


class _Piece(NamedTuple):
  kind: str  # "lit", "label" or "span"
  arg: object  # the Lit text or the Label kind
  mark: str | None = None  # a Lit's
  needs: str | None = None  # a Lit's


class _Glushkov:
  """First/last/follow sets over pieces (atoms) of a grammar."""

  def __init__(self):
    self.pieces: list[_Piece] = []
    self.follow: list[set[int]] = []

  def build(self, g: Grammar, empty: Callable[[Lit], bool]):
    """Returns (first, last, nullable) of `g`, recording follow sets."""
    if isinstance(g, Lit):
      if empty(g):
        return set(), set(), True
      return self._atom(_Piece("lit", g.text, g.mark, g.needs))
    if isinstance(g, Label):
      return self._atom(_Piece("label", g))
    if isinstance(g, Choice):
      first, last, nullable = set(), set(), False
      for option in g.options:
        f, ends, n = self.build(option, empty)
        first |= f
        last |= ends
        nullable = nullable or n
      return first, last, nullable
    if isinstance(g, Span):
      return self._atom(_Piece("span", None))
    if isinstance(g, Seq):
      first: set[int] = set()
      last: set[int] = set()
      nullable = True
      for part in g.parts:
        f, ends, n = self.build(part, empty)
        for a in last:
          self.follow[a] |= f
        if nullable:
          first |= f
        last = ends | last if n else set(ends)
        nullable = nullable and n
      return first, last, nullable
    # Rep: empty | item (sep item)*
    ef, el, en = self.build(g.empty, empty)
    fi, li, ni = self.build(g.item, empty)
    fs, ls, ns = self.build(g.sep, empty)
    for a in li:
      self.follow[a] |= fs | (fi if ns else set())
    for a in ls:
      self.follow[a] |= fi
    return ef | fi, el | li, en or ni

  def _atom(self, piece: _Piece):
    self.pieces.append(piece)
    self.follow.append(set())
    i = len(self.pieces) - 1
    return {i}, {i}, False


def spaces_attach(encode: Callable[[str], Sequence[int]]) -> bool:
  """Whether a space before a word belongs to the word's first token.

  True for SentencePiece (`encode(" b") == encode("b")`: its dummy prefix
  makes every target start a word, and "▁b" holds the space); False for a
  byte vocabulary, where a space is a token of its own.
  """
  return list(encode(" b")) == list(encode("b"))


def compile_grammar(
  grammar: Grammar,
  labels: dict[str, Sequence[str]],
  text_tokens: Sequence[int],
  encode: Callable[[str], Sequence[int]],
  eos_id: int,
  roles_by_type: Mapping[str, Sequence[str]] | None = None,
  word_starts: Sequence[bool] | None = None,
  span_ends: Sequence[bool] | None = None,
) -> Automaton:
  """The token automaton of `grammar` for one prompt.

  Where spaces attach to the next word (`spaces_attach`, SentencePiece), a
  literal's spaces belong to what follows it: a piece after a space (or at
  the start of a target) is tokenized as a word start ("▁None",
  "▁product"), one right after other text as a continuation (":" after a
  label), a literal of spaces only has no tokens of its own, and a span
  after a space starts at a word start of the text (`word_starts`).

  Args:
    grammar: The target grammar of the task.
    labels: Per label kind ("types", "roles"), the options of the prompt.
    text_tokens: The input text's tokens (what spans may copy).
    encode: The output vocabulary's `encode`.
    eos_id: The EOS token (ends every target).
    roles_by_type: Per type, its roles: a sequence holding a type label and
      role labels then allows after each type only that type's roles.
    word_starts: Per text token, whether it starts a word (its piece starts
      with "▁"); None: any token may start a span.
    span_ends: Per text token, whether a span may end with it; None: any.

  Returns:
    The automaton.
  """
  attach = spaces_attach(encode)
  cache: dict[tuple[str, bool], list[int]] = {}

  def tokens_of(text: str, after_space: bool) -> list[int]:
    """Tokens of `text` (after a space or right after other text)."""
    key = (text, after_space)
    if key not in cache:
      if not attach:
        cache[key] = piece_tokens(encode, text)
      else:
        core = text.strip()
        if not core:
          cache[key] = []
        elif after_space or text[0].isspace():
          cache[key] = list(encode(core))
        else:
          cache[key] = piece_tokens(encode, core)
    return cache[key]

  if roles_by_type is not None:
    grammar = _per_type(grammar, labels.get("types", ()), roles_by_type)
  glushkov = _Glushkov()
  first, last, nullable = glushkov.build(
    grammar,
    (lambda g: not g.text) if attach else (lambda g: not tokens_of(g.text, 0)),
  )
  pieces = glushkov.pieces

  def spaces_only(i: int) -> bool:
    return attach and pieces[i].kind == "lit" and not pieces[i].arg.strip()

  def ends_space(i: int) -> bool:
    return attach and pieces[i].kind == "lit" and pieces[i].arg[-1].isspace()

  def reach(starts, after_space: bool):
    """(piece, after_space) entered from `starts`, past spaces-only pieces.

    Returns the entered pieces and whether the target may end there.
    """
    found: set[tuple[int, bool]] = set()
    ends = False
    stack = [(j, after_space) for j in starts]
    seen = set()
    while stack:
      j, space = stack.pop()
      if (j, space) in seen:
        continue
      seen.add((j, space))
      if spaces_only(j):
        stack.extend((k, True) for k in glushkov.follow[j])
        ends = ends or j in last
      else:
        found.add((j, space))
    return found, ends

  def may_enter(entered, mark):
    """The entered pieces that may come right after a piece marked `mark`."""
    return {
      (j, space)
      for j, space in entered
      if pieces[j].needs is None or pieces[j].needs == mark
    }

  # Where spaces attach, a target starts a word (SentencePiece's prefix).
  start_entries, start_ends = reach(first, attach)
  start_entries = may_enter(start_entries, None)
  after = []
  for i in range(len(pieces)):
    if spaces_only(i):
      after.append((set(), False))
    else:
      entered, ends = reach(glushkov.follow[i], ends_space(i))
      after.append((may_enter(entered, pieces[i].mark), ends or i in last))
  needed = start_entries.union(*(entered for entered, _ in after))

  symbols: list[int] = []
  has_next: list[bool] = []
  groups: list[int] = []
  entries: dict[tuple[int, bool], list[int]] = {}
  text_tokens = list(text_tokens)
  span_runs: dict[int, list[int]] = {}

  def add_run(tokens: Sequence[int], piece: int, exits: str) -> list[int]:
    """Adds a run of positions; `exits`: "last" or "all" may end the piece."""
    start = len(symbols)
    for k, t in enumerate(tokens):
      symbols.append(int(t))
      has_next.append(k + 1 < len(tokens))
      if exits == "all":
        ends = span_ends is None or span_ends[k]
      else:
        ends = k + 1 == len(tokens)
      groups.append(piece if ends else -1)
    return list(range(start, len(symbols))) if exits == "all" else [start]

  for i, piece in enumerate(pieces):
    for space in (False, True):
      if (i, space) not in needed:
        continue
      if piece.kind == "lit":
        tokens = tokens_of(piece.arg, space)
        entries[i, space] = add_run(tokens, i, "last") if tokens else []
      elif piece.kind == "label":
        firsts = []
        seen = set()
        kind, only = piece.arg
        for label in only if only is not None else labels.get(kind, ()):
          tokens = tuple(tokens_of(label, space))
          if tokens and tokens not in seen:
            seen.add(tokens)
            firsts.extend(add_run(tokens, i, "last"))
        entries[i, space] = firsts
      else:
        if i not in span_runs:
          span_runs[i] = add_run(text_tokens, i, "all") if text_tokens else []
        run = span_runs[i]
        if space and word_starts is not None and run:
          run = [p for p, w in zip(run, word_starts, strict=True) if w]
        entries[i, space] = run
  eos = len(symbols)
  symbols.append(eos_id)
  has_next.append(False)
  groups.append(-1)
  size = len(symbols)
  # Pieces followed by the same entries share one row (the tags of one word
  # of words_bio, the labels of one slot); then rows that came out equal
  # from different entries (empty ones) are merged too.
  row_of: dict[tuple[frozenset, bool], int] = {}
  piece_row = np.asarray(
    [row_of.setdefault((frozenset(e), ends), len(row_of)) for e, ends in after],
    np.int32,
  ).reshape(-1)
  follow = np.zeros((len(row_of), size), bool)
  for (entered, ends), row in row_of.items():
    for key in entered:
      follow[row, entries[key]] = True
    follow[row, eos] = ends
  distinct: dict[bytes, int] = {}
  shared = np.asarray(
    [distinct.setdefault(row.tobytes(), len(distinct)) for row in follow],
    np.int32,
  ).reshape(-1)
  follow = follow[np.unique(shared, return_index=True)[1]]
  start = np.zeros(size, bool)
  for key in start_entries:
    start[entries[key]] = True
  start[eos] = nullable or start_ends
  symbol = np.asarray(symbols, np.int32)
  has_next_array = np.asarray(has_next, bool)
  group = np.asarray(groups, np.int32)
  group = np.where(group >= 0, shared[piece_row][np.maximum(group, 0)], -1)
  group = group.astype(np.int32)
  return Automaton(
    symbol=symbol,
    has_next=has_next_array,
    group=group,
    follow=follow,
    start=start,
    to_end=_to_end(has_next_array, group, follow, eos),
  )


def _to_end(has_next, group, follow, eos: int) -> np.ndarray:
  """The fewest tokens from each position's token to EOS.

  A breadth-first search back from EOS: each round enters the positions
  one token further from it (through `has_next` or a group's `follow`).
  """
  size = has_next.shape[0]
  far = np.iinfo(np.int32).max // 2
  dist = np.full(size, far, np.int32)
  dist[eos] = 1
  frontier = np.zeros(size, bool)
  frontier[eos] = True
  in_group = group >= 0
  group = np.maximum(group, 0)
  tokens = 1
  while frontier.any():
    tokens += 1
    before = np.zeros(size, bool)
    before[:-1] = has_next[:-1] & frontier[1:]
    before |= in_group & follow[:, frontier].any(axis=1)[group]
    frontier = before & (dist == far)
    dist[frontier] = tokens
  return dist


def finished_prefix(
  automaton: Automaton, tokens: Sequence[int], eos_id: int
) -> int:
  """Length of the longest prefix of `tokens` that is a whole target.

  For a decode cut by the target length: the answer up to its last
  complete item (0 when there is none).
  """
  state = automaton.start
  best = 0
  for k, token in enumerate(tokens):
    if eos_id in automaton.allowed(state):
      best = k
    state = automaton.step(state, int(token))
    if not state.any():
      return best
  return len(tokens) if eos_id in automaton.allowed(state) else best
