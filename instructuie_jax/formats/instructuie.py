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

"""The original InstructUIE target format: records to text and back.

Target strings, exactly as the original `src/uie_dataset.py` writes them
(every answer starts with a space; an empty answer is " None"):

| task    | target text                                                   |
|---------|---------------------------------------------------------------|
| NER, ET | " type: name; type: name"                                     |
| ES      | " name, name"                                                 |
| RE, EPR | " relation: head, tail; relation: head, tail"                 |
| EP      | " head, tail; head, tail"                                     |
| EET     | " type: trigger; type: trigger"                               |
| EEA     | " name: role; name: role"  (name first, role second)          |
| EE      | " ( type: trigger,  name: role, name: role) , ( type: trigger, |
|         | None) "  (events joined by ","; "None" for no arguments)      |

Names may contain the separators (token-level corpora write " ; ", " , ",
" : " inside names), and model outputs vary in spacing. One parser per task
type reads both:

* Labels (entity types, relations, event types, roles) contain no ":". A
  label ends at the first ":" of its item (EEA and EE arguments: starts after
  the last one), whatever the spacing around it.
* Items are split at every ";" (EE arguments: ","; events: ")", "," and "("
  with any whitespace between). A piece that carries no label (no ":" with
  text before it; for arguments, with text after it) belongs to its
  neighbour's name: "person: Smith; Jones" is one entity.
* Head and tail are split at the first ", " with no space right before or
  after it (a "cut": " , " is inside a name); without such a cut, at the
  item's only ",". An EE trigger ends at the "," before a final "None" or
  at the first ",  " cut, where no argument (":") comes before them; else
  at the first ",".
* ES spans are split at ", " cuts. A span with a "," spaced otherwise than
  "a,b" or "a , b" (the ways names write it) is reported, not read.
* With a `labels` hint, a split whose type, relation or role is a known label
  is preferred (`parse(task, text, labels=...)`).

`ambiguity(task, records)` says when records cannot be written unambiguously;
for every other answer `parse(linearize(records))` gives the records back
(entity types of relations excepted: the text does not carry them).

The original replaces "'" with "#$%#" in EE and EET triggers and event types.
`linearize` writes "'" as it is; `parse` reads "#$%#" in those fields as "'",
so output of a released checkpoint scores correctly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from instructuie_jax import formats, task_types
from instructuie_jax import records as records_lib
from instructuie_jax.formats import grammar as grammar_lib
from instructuie_jax.formats.grammar import Label, Lit, Rep, Span, seq
from instructuie_jax.records import Argument, Entity, Event, Relation

NONE = "None"
QUOTE_SUBSTITUTE = "#$%#"

_MAX_SNIPPET = 40


class LabelHint(NamedTuple):
  """Known labels that guide ambiguous splits.

  Attributes:
    types: Entity types, relations or event types.
    roles: Argument roles (EE and EEA).
  """

  types: frozenset[str] = frozenset()
  roles: frozenset[str] = frozenset()


def label_hint(
  labels: object, task: str | task_types.TaskType | None = None
) -> LabelHint | None:
  """Builds a `LabelHint` from the ways callers hold labels.

  Args:
    labels: None, a `LabelHint`, a `schema.Labels` (anything with `types` and
      `roles` attributes) or an iterable of label strings (roles where the
      task's options are roles, EEA; types otherwise).
    task: The task type (or its name); decides what a plain iterable means.

  Returns:
    The hint, or None for `labels=None`. Hints are cached by the identity of
    `labels`: do not change a labels object after first use.
  """
  if labels is None or isinstance(labels, LabelHint):
    return labels
  roles = task is not None and task_types.get(task).role_options
  key = (id(labels), roles)
  cached = _HINT_CACHE.get(key)
  if cached is not None and cached[0] is labels:
    return cached[1]
  hint = _build_hint(labels, roles)
  if len(_HINT_CACHE) >= _HINT_CACHE_SIZE:
    _HINT_CACHE.clear()
  _HINT_CACHE[key] = (labels, hint)
  return hint


_HINT_CACHE: dict[tuple[int, bool], tuple[object, LabelHint]] = {}
_HINT_CACHE_SIZE = 64


def _build_hint(labels: object, roles: bool) -> LabelHint:
  if hasattr(labels, "types"):
    role_map = getattr(labels, "roles", None) or {}
    role_set = frozenset(r for rs in role_map.values() for r in rs)
    return LabelHint(frozenset(labels.types), role_set)
  values = frozenset(labels)
  if roles:
    return LabelHint(frozenset(), values)
  return LabelHint(values, frozenset())


# ---------------------------------------------------------------------------
# Splitting.


def _is_cut(text: str, i: int, n: int) -> bool:
  """Whether the separator of length `n` at `text[i]` can end a field.

  A separator with an ASCII space right before or after it is part of a
  name (fields are trimmed). Only the ASCII space counts: a name may end in
  another whitespace character (CASIE has "last week\xa0").
  """
  return (i == 0 or text[i - 1] != " ") and (
    i + n >= len(text) or text[i + n] != " "
  )


def _find(text: str, sep: str, start: int = 0) -> int:
  """Index of the first `sep` at or after `start` that can end a field."""
  n = len(sep)
  i = text.find(sep, start)
  while i != -1 and not _is_cut(text, i, n):
    i = text.find(sep, i + 1)
  return i


def _split(text: str, sep: str) -> list[str]:
  """Splits `text` at the occurrences of `sep` that can end a field."""
  parts = text.split(sep)
  if len(parts) == 1:
    return parts
  out = []
  cur = parts[0]
  for part in parts[1:]:
    if cur[-1:] == " " or part[:1] == " ":
      cur = cur + sep + part
    else:
      out.append(cur)
      cur = part
  out.append(cur)
  return out


def _label_end(piece: str, known: frozenset[str] | None) -> int:
  """The ":" that ends a label at the start of `piece`, or -1.

  Without `known`, the first ":" with text before it; with it, the ":"
  after the longest known label.
  """
  i = piece.find(":")
  if not known:
    return i if i > 0 and not piece[:i].isspace() else -1
  best = -1
  while i != -1:
    if piece[:i].strip() in known:
      best = i
    i = piece.find(":", i + 1)
  return best


def _label_start(piece: str, known: frozenset[str] | None) -> int:
  """The ":" that starts a label at the end of `piece`, or -1.

  Without `known`, the last ":" with text after it; with it, the first ":"
  after which the rest is a known label (the longest one).
  """
  if not known:
    i = piece.rfind(":")
    return i if i != -1 and piece[i + 1 :].strip() else -1
  i = piece.find(":")
  while i != -1:
    if piece[i + 1 :].strip() in known:
      return i
    i = piece.find(":", i + 1)
  return -1


def _label_first_items(
  body: str, known: frozenset[str] | None
) -> list[tuple[str, int]]:
  """Splits `body` at ";" into (item, index of its label's ":") pairs.

  A piece that does not start with a label (see `_label_end`) is joined to
  the previous item. The first item's ":" is -1 when it has no label.
  """
  items: list[tuple[str, int]] = []
  for piece in body.split(";"):
    i = _label_end(piece, known)
    if i != -1 or not items:
      items.append((piece, i))
    else:
      item, j = items[-1]
      items[-1] = (item + ";" + piece, j)
  return items


def _label_last_items(
  pieces: list[str], sep: str, known: frozenset[str] | None
) -> list[tuple[str, int]]:
  """Groups pieces into (item, index of its label's ":") pairs.

  Pieces are joined forward until one ends with a label (see
  `_label_start`). With `known`, pieces left over at the end are grouped
  again without it; without, they form one item with index -1.
  """
  items: list[tuple[str, int]] = []
  pending: list[str] = []
  for piece in pieces:
    i = _label_start(piece, known)
    if i == -1:
      pending.append(piece)
    elif pending:
      head = sep.join(pending) + sep
      items.append((head + piece, len(head) + i))
      pending = []
    else:
      items.append((piece, i))
  if pending:
    if known:
      items.extend(_label_last_items(pending, sep, None))
    else:
      items.append((sep.join(pending), -1))
  return items


def _pair(text: str) -> tuple[str, str] | None:
  """Splits "head, tail" at its first ", " cut, else at its only ","."""
  i = text.find(", ")
  if i != -1 and not _is_cut(text, i, 2):
    i = _find(text, ", ", i + 1)
  n = 2
  if i == -1:
    i = text.find(",")
    if i == -1 or text.find(",", i + 1) != -1:
      return None
    n = 1
  head = text[:i].strip()
  tail = text[i + n :].strip()
  if not head or not tail:
    return None
  return head, tail


# A "," with the whitespace around it.
_ODD_COMMA = re.compile(r"\s*,\s*")


def _odd_comma(span: str) -> bool:
  """Whether `span` has a "," spaced otherwise than in "a,b" or "a , b"."""
  if "," not in span:
    return False
  return any(m.group() not in (",", " , ") for m in _ODD_COMMA.finditer(span))


def _snippet(text: str) -> str:
  if len(text) > _MAX_SNIPPET:
    text = text[: _MAX_SNIPPET - 3] + "..."
  return repr(text)


def _problem(problems: list[str], where: str, message: str, piece: str) -> None:
  problems.append(f"{where}: {message}; text {_snippet(piece)}")


# Builds a record from a tuple of all its fields, as its NamedTuple
# constructor does, without the Python-level call (parsing makes many).
_new = tuple.__new__


def _unquote(text: str) -> str:
  if "#" in text:
    return text.replace(QUOTE_SUBSTITUTE, "'")
  return text


def _result(
  records: list[records_lib.Record], problems: list[str]
) -> formats.ParseResult:
  return formats.ParseResult(tuple(records), tuple(problems))


_NOTHING = formats.ParseResult((), ())


_EMPTY = formats.ParseResult(
  (), (f"empty answer (expected {NONE!r} for none)",)
)


# ---------------------------------------------------------------------------
# Linearizers and parsers, one pair per task type.


def _items_text(items: Iterable[str], sep: str = "; ") -> str:
  text = sep.join(items)
  return " " + text if text else " " + NONE


def _linearize_typed(records: records_lib.Records) -> str:
  return _items_text(f"{r.type}: {r.text}" for r in records)


def _linearize_spans(records: records_lib.Records) -> str:
  return _items_text((r.text for r in records), ", ")


def _linearize_relations(records: records_lib.Records) -> str:
  return _items_text(f"{r.relation}: {r.head}, {r.tail}" for r in records)


def _linearize_pairs(records: records_lib.Records) -> str:
  return _items_text(f"{r.head}, {r.tail}" for r in records)


def _linearize_triggers(records: records_lib.Records) -> str:
  return _items_text(f"{r.type}: {r.trigger}" for r in records)


def _linearize_arguments(records: records_lib.Records) -> str:
  if not records:
    return " " + NONE
  return ";".join(f" {r.text}: {r.role}" for r in records)


def _event_inner(event: Event) -> str:
  """An event's text between its parentheses, without the outer spaces."""
  args = ",".join(f" {a.text}: {a.role}" for a in event.arguments) or NONE
  return f"{event.type}: {event.trigger}, {args}"


def _linearize_events(records: records_lib.Records) -> str:
  if not records:
    return " " + NONE
  return ",".join(f" ( {_event_inner(r)}) " for r in records)


def _parse_label_first(
  text: str,
  hint: LabelHint | None,
  label: str,
  expected: str,
  record: Callable[[str, str], records_lib.Record | None],
) -> formats.ParseResult:
  """The "label: rest; label: rest" parsers' common steps.

  `record(label, rest)` makes an item's record, or None when the item is
  not `expected` (a problem naming it is reported); an item without a
  `label: ` prefix is reported too.
  """
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  known = hint.types if hint else None
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, (item, i) in enumerate(_label_first_items(body, known)):
    if i == -1:
      i = item.find(":")
      if i == -1:
        _problem(problems, f"item {index}", f"no '{label}: ' prefix", item)
        continue
    made = record(item[:i].strip(), item[i + 1 :])
    if made is None:
      _problem(problems, f"item {index}", expected, item)
    else:
      records.append(made)
  return _result(records, problems)


def _entity(label: str, rest: str) -> records_lib.Record | None:
  value = rest.strip()
  return _new(Entity, (label, value)) if label and value else None


def _trigger(label: str, rest: str) -> records_lib.Record | None:
  value = rest.strip()
  if not label or not value:
    return None
  return _new(Event, (_unquote(label), _unquote(value), ()))


def _relation(label: str, rest: str) -> records_lib.Record | None:
  pair = _pair(rest)
  if not label or pair is None:
    return None
  return _new(Relation, (pair[0], label, pair[1], "", ""))


def _parse_typed(
  text: str, hint: LabelHint | None, *, quoted: bool = False
) -> formats.ParseResult:
  """NER/ET ("type: name; ...") and, with `quoted`, EET."""
  record = _trigger if quoted else _entity
  return _parse_label_first(text, hint, "type", "empty type or text", record)


def _parse_triggers(text: str, hint: LabelHint | None) -> formats.ParseResult:
  return _parse_typed(text, hint, quoted=True)


def _parse_spans(text: str, hint: LabelHint | None) -> formats.ParseResult:
  del hint  # Spans carry no labels.
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, piece in enumerate(_split(body, ", ")):
    name = piece.strip()
    if not name:
      _problem(problems, f"item {index}", "empty span", piece)
    elif _odd_comma(name):
      _problem(problems, f"item {index}", "',' spaced as a separator", piece)
    else:
      records.append(Entity("", name))
  return _result(records, problems)


def _parse_relations(text: str, hint: LabelHint | None) -> formats.ParseResult:
  return _parse_label_first(
    text, hint, "relation", "expected 'relation: head, tail'", _relation
  )


def _parse_pairs(text: str, hint: LabelHint | None) -> formats.ParseResult:
  del hint  # Pairs carry no labels.
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  # A piece without "," joins the previous item, and so does any piece after
  # a leading item without one.
  items: list[str] = []
  for piece in body.split(";"):
    if items and ("," not in piece or "," not in items[-1]):
      items[-1] = items[-1] + ";" + piece
    else:
      items.append(piece)
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, item in enumerate(items):
    pair = _pair(item)
    if pair is None:
      _problem(problems, f"item {index}", "expected 'head, tail'", item)
      continue
    records.append(_new(Relation, (pair[0], "", pair[1], "", "")))
  return _result(records, problems)


def _read_arguments(
  text: str,
  sep: str,
  roles: frozenset[str] | None,
  problems: list[str],
  event: int | None = None,
) -> list[Argument]:
  """Reads "name: role<sep>name: role" into arguments (of event `event`)."""
  args = []
  for index, (item, i) in enumerate(
    _label_last_items(text.split(sep), sep, roles)
  ):
    name = item[:i].strip() if i != -1 else ""
    role = item[i + 1 :].strip() if i != -1 else ""
    if name and role:
      args.append(_new(Argument, (role, name)))
    else:
      where = f"item {index}" if event is None else f"event {event} arg {index}"
      _problem(problems, where, "expected 'text: role'", item)
  return args


def _parse_arguments(text: str, hint: LabelHint | None) -> formats.ParseResult:
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  problems: list[str] = []
  roles = hint.roles if hint else None
  args = _read_arguments(body, ";", roles, problems)
  return _result(args, problems)


# ")" "," "(" with any whitespace between: the end of one event and the
# start of the next.
_EVENT_SEP = re.compile(r"\)\s*,\s*\(")


def _parse_events(text: str, hint: LabelHint | None) -> formats.ParseResult:
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  problems: list[str] = []
  types = hint.types if hint else None
  roles = hint.roles if hint else None
  records: list[records_lib.Record] = []
  chunks = _EVENT_SEP.split(body)
  last = len(chunks) - 1
  for index, chunk in enumerate(chunks):
    if index == 0:
      if chunk.startswith("("):
        chunk = chunk[1:]
      else:
        _problem(problems, f"event {index}", "no '(' before it", chunk)
    if index == last:
      if chunk.endswith(")"):
        chunk = chunk[:-1]
      else:
        _problem(problems, f"event {index}", "no ')' after it", chunk)
    event = _read_event(chunk.strip(), index, types, roles, problems)
    if event is not None:
      records.append(event)
  return _result(records, problems)


def _trigger_end(rest: str) -> int:
  """Where an EE trigger ends in "trigger,  arguments": its ",", or -1.

  The "," before a final "None", else the first ",  " cut (see `_is_cut`),
  when the text before it holds no ":" (no argument); else the first ",".
  """
  j = rest.rfind(",")
  if j != -1 and rest[j + 1 :].strip() == NONE and ":" not in rest[:j]:
    return j
  j = _find(rest, ",  ")
  if j != -1 and ":" not in rest[:j]:
    return j
  return rest.find(",")


def _read_event(
  chunk: str,
  index: int,
  types: frozenset[str] | None,
  roles: frozenset[str] | None,
  problems: list[str],
) -> Event | None:
  """Reads "type: trigger,  name: role, ..." or "type: trigger, None"."""
  i = _label_end(chunk, types)
  if i == -1:
    i = chunk.find(":")
  event_type = chunk[:i].strip() if i != -1 else ""
  rest = chunk[i + 1 :] if i != -1 else ""
  if not event_type or not rest.strip():
    _problem(
      problems, f"event {index}", "expected 'type: trigger, arguments'", chunk
    )
    return None
  j = _trigger_end(rest)
  if j == -1:
    _problem(
      problems, f"event {index}", "no arguments after the trigger", chunk
    )
    trigger, args_text = rest, NONE
  else:
    trigger, args_text = rest[:j], rest[j + 1 :].strip()
  trigger = trigger.strip()
  if not trigger:
    _problem(problems, f"event {index}", "empty trigger", chunk)
    return None
  args: tuple[Argument, ...] = ()
  if args_text != NONE:
    args = tuple(_read_arguments(args_text, ",", roles, problems, index))
  return _new(Event, (_unquote(event_type), _unquote(trigger), args))


# ---------------------------------------------------------------------------
# Which answers the format writes unambiguously.


class _Rule(NamedTuple):
  """Something a field must not contain.

  Attributes:
    what: Named in the reason: "{what} in {field}".
    found: Whether a field value contains it.
  """

  what: str
  found: Callable[[str], bool]


def _cut_rule(sep: str) -> _Rule:
  """`sep` as a cut (see `_is_cut`)."""
  return _Rule(repr(sep), lambda value: _find(value, sep) != -1)


def _char_rule(chars: str) -> _Rule:
  """`chars` anywhere."""
  return _Rule(repr(chars), lambda value: chars in value)


def _label_after_rule(sep: str) -> _Rule:
  """A piece after `sep` that starts with a label (label-first items)."""
  return _Rule(
    f"{sep!r} before a label",
    lambda value: any(_label_end(p, None) != -1 for p in value.split(sep)[1:]),
  )


def _label_before_rule(sep: str) -> _Rule:
  """A piece before `sep` that ends with a label (label-last items)."""
  return _Rule(
    f"a label before {sep!r}",
    lambda value: any(
      _label_start(p, None) != -1 for p in value.split(sep)[:-1]
    ),
  )


_EVENT_SEP_RULE = _Rule("') , ('", lambda value: bool(_EVENT_SEP.search(value)))
_LABEL = (_char_rule(";"), _char_rule(":"))
_NAME = (_cut_rule("; "), _label_after_rule(";"))
_QUOTED = (_char_rule(QUOTE_SUBSTITUTE),)
_HEAD = (_char_rule(";"), _cut_rule(", "))
_COMMA_COLON = _Rule(
  "',' with ':'", lambda value: "," in value and ":" in value
)


def _fields_of(*names: str) -> Callable[[records_lib.Record], Iterable]:
  return lambda r: ((name, getattr(r, name)) for name in names)


def _event_fields(event: Event) -> Iterable[tuple[str, str]]:
  yield "type", event.type
  yield "trigger", event.trigger
  for a in event.arguments:
    yield "text", a.text
    yield "role", a.role


def _event_problem(event: Event) -> str | None:
  if _EVENT_SEP.search(_event_inner(event)):
    return "') , (' across fields"
  return None


class _TaskFormat(NamedTuple):
  """All the format knows of one task type.

  Attributes:
    linearize: Records to target text.
    parse: (text, hint) -> `formats.ParseResult`.
    fields: A record's written (field name, value) pairs.
    rules: Per field name, what its value must not contain.
    record_problem: What makes a record ambiguous beyond its single fields.
    answer_problem: What makes a whole answer ambiguous beyond its records.
    grammar: The targets the linearizer writes, for constrained decoding
      (`formats.grammar`).
  """

  linearize: Callable[[records_lib.Records], str]
  parse: Callable[[str, LabelHint | None], formats.ParseResult]
  fields: Callable[[records_lib.Record], Iterable[tuple[str, str]]]
  rules: Mapping[str, tuple[_Rule, ...]]
  record_problem: Callable[[records_lib.Record], str | None] = lambda record: (
    None
  )
  answer_problem: Callable[[records_lib.Records], str | None] = lambda records: (
    None
  )
  grammar: grammar_lib.Grammar | None = None


# The grammars of the linearizers above: " " then "None" or the items.
def _items_grammar(item: grammar_lib.Grammar, sep: str = "; "):
  return seq(Lit(" "), Rep(item, Lit(sep), Lit(NONE)))


_ARGUMENT = seq(Lit(" "), Span(), Lit(": "), Label("roles"))
_TYPED_GRAMMAR = _items_grammar(seq(Label("types"), Lit(": "), Span()))
_PAIR_GRAMMAR = seq(Span(), Lit(", "), Span())
_EVENT_GRAMMAR = seq(
  Lit(" ( "),
  Label("types"),
  Lit(": "),
  Span(),
  Lit(", "),
  Rep(_ARGUMENT, Lit(","), Lit(NONE)),
  Lit(") "),
)


def _lone_none(records: records_lib.Records) -> str | None:
  # " None" is the empty answer: a single span "None" reads as no spans.
  if len(records) == 1 and records[0].text == NONE:
    return f"lone span {NONE!r}"
  return None


_TYPED = _TaskFormat(
  _linearize_typed,
  _parse_typed,
  _fields_of("type", "text"),
  {"type": _LABEL, "text": _NAME},
  grammar=_TYPED_GRAMMAR,
)
_RELATIONS = _TaskFormat(
  _linearize_relations,
  _parse_relations,
  _fields_of("relation", "head", "tail"),
  {"relation": _LABEL, "head": _HEAD, "tail": (_char_rule(";"),)},
  grammar=_items_grammar(seq(Label("types"), Lit(": "), _PAIR_GRAMMAR)),
)
# The codec of each task type (a test checks that every task type has one).
_CODECS: dict[task_types.TaskType, _TaskFormat] = {
  task_types.NER: _TYPED,
  task_types.ET: _TYPED,
  task_types.ES: _TaskFormat(
    _linearize_spans,
    _parse_spans,
    _fields_of("text"),
    {"text": (_cut_rule(", "), _Rule("odd ','", _odd_comma))},
    grammar=_items_grammar(Span(), ", "),
    answer_problem=_lone_none,
  ),
  task_types.RE: _RELATIONS,
  task_types.EPR: _RELATIONS,
  task_types.EP: _TaskFormat(
    _linearize_pairs,
    _parse_pairs,
    _fields_of("head", "tail"),
    {"head": _HEAD, "tail": (_char_rule(";"),)},
    grammar=_items_grammar(_PAIR_GRAMMAR),
  ),
  task_types.EET: _TaskFormat(
    _linearize_triggers,
    _parse_triggers,
    _fields_of("type", "trigger"),
    {"type": _LABEL + _QUOTED, "trigger": _NAME + _QUOTED},
    grammar=_TYPED_GRAMMAR,
  ),
  task_types.EEA: _TaskFormat(
    _linearize_arguments,
    _parse_arguments,
    _fields_of("text", "role"),
    {"text": (_cut_rule("; "), _label_before_rule(";")), "role": _LABEL},
    grammar=Rep(_ARGUMENT, Lit(";"), Lit(" " + NONE)),
  ),
  task_types.EE: _TaskFormat(
    _linearize_events,
    _parse_events,
    _event_fields,
    {
      "type": (_char_rule(":"), _EVENT_SEP_RULE) + _QUOTED,
      "trigger": (_cut_rule(",  "), _COMMA_COLON, _EVENT_SEP_RULE) + _QUOTED,
      "text": (_cut_rule(", "), _label_before_rule(","), _EVENT_SEP_RULE),
      "role": (_char_rule(":"), _char_rule(","), _EVENT_SEP_RULE),
    },
    _event_problem,
    grammar=Rep(_EVENT_GRAMMAR, Lit(","), Lit(" " + NONE)),
  ),
}


# The codecs looked up by record or by name (`parse` is the scoring hot path).
_CODEC_OF: dict[object, _TaskFormat] = {
  **_CODECS,
  **{t.name: codec for t, codec in _CODECS.items()},
}


def _task_format(task: str | task_types.TaskType) -> _TaskFormat:
  return _CODECS[task_types.get(task)]


def linearize(
  task: str | task_types.TaskType,
  records: records_lib.Records,
  sentence: str | None = None,
) -> str:
  """Returns the original InstructUIE target text of `records`.

  Args:
    task: The task type (or its name).
    records: The answer, in the order to write it.
    sentence: Unused (the text does not write the input's words).

  Raises:
    ValueError: For an unknown task type.
  """
  del sentence
  return _task_format(task).linearize(records)


def parse(
  task: str | task_types.TaskType,
  text: str,
  labels: object = None,
  sentence: str | None = None,
) -> formats.ParseResult:
  """Reads target or predicted `text` of task type `task`; never raises.

  Args:
    task: The task type (or its name). An unknown one gives no records and
      one problem.
    text: The text; " None" (any surrounding whitespace) means no records.
    labels: Optional hint (see `label_hint`): splits whose type, relation or
      role is a known label win where the text is ambiguous. Note that with
      a hint, an item whose label is unknown may be read as part of the
      previous item's text.
    sentence: Unused (names are read from the text itself).

  Returns:
    The records in text order and one problem per unreadable piece.
  """
  del sentence
  try:
    task_format = _CODEC_OF.get(task)
  except TypeError:  # unhashable
    task_format = None
  if task_format is None:
    return formats.ParseResult((), (f"unknown task type {task!r}",))
  if not isinstance(text, str):
    return formats.ParseResult((), (f"not a string: {type(text).__name__}",))
  if labels is None:
    return task_format.parse(text, None)
  try:
    hint = label_hint(labels, task)
  except TypeError:
    return formats.ParseResult((), (f"unusable labels hint: {labels!r}",))
  return task_format.parse(text, hint)


def ambiguity(
  task: str | task_types.TaskType, records: records_lib.Records
) -> str | None:
  """Why `records` have no unambiguous target text; None when they have.

  Records are representable when every written field is non-empty, has no
  whitespace at either end and contains none of the separators the parser
  could split it at (the task's codec `rules`; e.g. ":" in a label, ";"
  before a "label:" in a name, ", " as a cut in a head); for ES a lone span
  "None" is ambiguous too. For representable records
  `parse(task, linearize(task, r))` gives `r` back (relation entity types
  excepted).

  Args:
    task: The task type (or its name).
    records: The answer.

  Returns:
    A short reason ("empty type", "':' in role", ...) or None.
  """
  task_format = _task_format(task)
  for record in records:
    for name, value in task_format.fields(record):
      if not value:
        return f"empty {name}"
      if value[0].isspace() or value[-1].isspace():
        return f"whitespace at the edge of {name}"
      for rule in task_format.rules[name]:
        if rule.found(value):
          return f"{rule.what} in {name}"
    reason = task_format.record_problem(record)
    if reason is not None:
      return reason
  return task_format.answer_problem(records)


def tasks() -> Sequence[task_types.TaskType]:
  """The task types the format covers."""
  return tuple(_CODECS)


def grammar(
  task: str | task_types.TaskType,
  sentence: str | None = None,
  labels: Any = None,
) -> grammar_lib.Grammar:
  """The grammar of the targets `linearize` writes for task type `task`
  (the same for every sentence; labels are `Label` pieces).

  Raises:
    ValueError: For an unknown task type.
  """
  del sentence, labels  # One grammar for every prompt.
  return _task_format(task).grammar


class InstructUIEFormat:
  """The "instructuie" target format (see the module docstring).

  Its `linearize` and `parse` are the module's functions, with no extra call
  per text.
  """

  name = "instructuie"
  linearize = staticmethod(linearize)
  parse = staticmethod(parse)
  grammar = staticmethod(grammar)
  tasks = staticmethod(tasks)


formats.register("instructuie", InstructUIEFormat)
