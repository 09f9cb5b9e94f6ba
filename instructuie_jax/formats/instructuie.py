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

Names may contain the separators ("; ", ", ", ": "), so the format is
ambiguous for some answers. The parser resolves what it can:

* A field never starts or ends with a space, so a separator that has a
  space right before or right after it is part of a name (token-level
  corpora write commas inside names as " , ").
* A piece between item separators that lacks its inner separator is joined to
  its neighbour (NER "person: Smith; Jones" is one entity).
* With a `labels` hint, a split whose type, relation or role is a known label
  is preferred (`parse(task, text, labels=...)`).
* EE also reads "type: trigger, name: role" with one space after the trigger
  (SentencePiece detokenization collapses the double space).

`ambiguity(task, records)` says when records cannot be written unambiguously;
for every other answer `parse(linearize(records))` gives the records back
(entity types of relations excepted: the text does not carry them).

The original replaces "'" with "#$%#" in EE and EET triggers and event types.
`linearize` writes "'" as it is; `parse` reads "#$%#" in those fields as "'",
so output of a released checkpoint scores correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from instructuie_jax import formats
from instructuie_jax import records as records_lib
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


def label_hint(labels: object, task: str = "") -> LabelHint | None:
  """Builds a `LabelHint` from the ways callers hold labels.

  Args:
    labels: None, a `LabelHint`, a `schema.Labels` (anything with `types` and
      `roles` attributes) or an iterable of label strings (roles for EEA,
      types otherwise).
    task: The task type; decides what a plain iterable means.

  Returns:
    The hint, or None for `labels=None`. Hints are cached by the identity of
    `labels`: do not change a labels object after first use.
  """
  if labels is None or isinstance(labels, LabelHint):
    return labels
  key = (id(labels), task == "EEA")
  cached = _HINT_CACHE.get(key)
  if cached is not None and cached[0] is labels:
    return cached[1]
  hint = _build_hint(labels, task)
  if len(_HINT_CACHE) >= _HINT_CACHE_SIZE:
    _HINT_CACHE.clear()
  _HINT_CACHE[key] = (labels, hint)
  return hint


_HINT_CACHE: dict[tuple[int, bool], tuple[object, LabelHint]] = {}
_HINT_CACHE_SIZE = 64


def _build_hint(labels: object, task: str) -> LabelHint:
  if hasattr(labels, "types"):
    roles = getattr(labels, "roles", None) or {}
    role_set = frozenset(r for rs in roles.values() for r in rs)
    return LabelHint(frozenset(labels.types), role_set)
  values = frozenset(labels)
  if task == "EEA":
    return LabelHint(frozenset(), values)
  return LabelHint(values, frozenset())


# ---------------------------------------------------------------------------
# Splitting. A separator with a space right before or after it cannot end a
# field (fields are trimmed), so it is part of a name. Only the ASCII space
# counts: a name may end in another whitespace character (CASIE has "last
# week\xa0") and the model may write it. Bodies without such separators, the
# usual case, are split with plain str methods.


def _is_cut(text: str, i: int, n: int) -> bool:
  """Whether the separator of length `n` at `text[i]` can end a field."""
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


def _rfind(text: str, sep: str) -> int:
  """Index of the last `sep` that can end a field, or -1."""
  n = len(sep)
  i = text.rfind(sep)
  while i != -1 and not _is_cut(text, i, n):
    i = text.rfind(sep, 0, i + n - 1)
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


class _Ops(NamedTuple):
  split: Callable[[str, str], list[str]]
  find: Callable[..., int]
  rfind: Callable[[str, str], int]


_PLAIN = _Ops(str.split, str.find, str.rfind)
_CUT_AWARE = _Ops(_split, _find, _rfind)


def _ops(body: str, touching: tuple[str, ...]) -> _Ops:
  """Plain str methods when no separator in `body` touches a space.

  Args:
    body: The stripped answer.
    touching: Separator characters with a space around them, as they would
      appear (" ;", ";  ", ...).
  """
  for t in touching:
    if t in body:
      return _CUT_AWARE
  return _PLAIN


def _touching(chars: str) -> tuple[str, ...]:
  return tuple(t for c in chars for t in (" " + c, c + "  "))


_TOUCH_TYPED = _touching(";:")
_TOUCH_SPANS = _touching(",")
_TOUCH_RELATIONS = _touching(";:,")


def _cuts(text: str, sep: str, find: Callable[..., int]) -> list[int]:
  """Indices of every `sep` cut in `text`, left to right."""
  out = []
  i = find(text, sep)
  while i != -1:
    out.append(i)
    i = find(text, sep, i + 1)
  return out


def _split_first(
  item: str, sep: str, known: frozenset[str] | None, find: Callable[..., int]
) -> int:
  """Where `item` splits into a label and the rest; -1 when it does not.

  Prefers the longest prefix that is a known label; else the first cut.
  """
  first = find(item, sep)
  if first == -1 or not known:
    return first
  best = -1
  i = first
  while i != -1:
    if item[:i] in known:
      best = i
    i = find(item, sep, i + 1)
  return first if best == -1 else best


def _split_last(
  item: str, sep: str, known: frozenset[str] | None, ops: _Ops
) -> int:
  """Where `item` splits into the rest and a label (the role); -1 if none.

  Prefers the longest suffix that is a known label; else the last cut.
  """
  if not known:
    return ops.rfind(item, sep)
  cuts = _cuts(item, sep, ops.find)
  n = len(sep)
  for i in cuts:
    if item[i + n :] in known:
      return i
  return cuts[-1] if cuts else -1


def _starts_item(
  piece: str, inner: str, known: frozenset[str] | None, find: Callable[..., int]
) -> bool:
  """Whether `piece` starts a "label<inner>..." item."""
  i = find(piece, inner)
  if i == -1 or not known:
    return i != -1
  while i != -1:
    if piece[:i] in known:
      return True
    i = find(piece, inner, i + 1)
  return False


def _group_label_first(
  body: str, sep: str, inner: str, known: frozenset[str] | None, ops: _Ops
) -> list[str]:
  """Splits `body` into "label<inner>..." items.

  A piece that does not start an item is joined to the previous one. Without
  `known`, a piece starts an item when it has an `inner` cut; with it, when
  the text before one of its `inner` cuts is a known label.
  """
  find = ops.find
  items: list[str] = []
  for piece in ops.split(body, sep):
    if not items:
      items.append(piece)
    elif known:
      if _starts_item(piece, inner, known, find):
        items.append(piece)
      else:
        items[-1] = items[-1] + sep + piece
    elif find(piece, inner) != -1:
      items.append(piece)
    else:
      items[-1] = items[-1] + sep + piece
  return items


def _group_label_last(
  pieces: list[str],
  sep: str,
  inner: str,
  known: frozenset[str] | None,
  ops: _Ops,
) -> list[str]:
  """Groups pieces into "...<inner>label" items, joining pieces forward.

  Without `known`, a piece ends an item when it has an `inner` cut; with it,
  when the text after one of its `inner` cuts is a known label. Pieces left
  over at the end are grouped again without `known`.
  """
  find = ops.find
  n = len(inner)
  items: list[str] = []
  pending: list[str] = []
  for piece in pieces:
    if known:
      ends = any(piece[i + n :] in known for i in _cuts(piece, inner, find))
    else:
      ends = find(piece, inner) != -1
    if ends:
      if pending:
        pending.append(piece)
        piece = sep.join(pending)
        pending = []
      items.append(piece)
    else:
      pending.append(piece)
  if pending:
    if known:
      items.extend(_group_label_last(pending, sep, inner, None, ops))
    else:
      items.append(sep.join(pending))
  return items


def _group_pairs(body: str, ops: _Ops) -> list[str]:
  """Splits `body` into "head, tail" items.

  A piece without ", " joins the previous item; a leading one joins the next
  piece.
  """
  find = ops.find
  items: list[str] = []
  for piece in ops.split(body, "; "):
    if items and (find(piece, ", ") == -1 or find(items[-1], ", ") == -1):
      items[-1] = items[-1] + "; " + piece
    else:
      items.append(piece)
  return items


def _pair(item: str, find: Callable[..., int]) -> tuple[str, str] | None:
  """Splits "head, tail" at its first ", " cut."""
  i = find(item, ", ")
  if i == -1:
    return None
  head = item[:i].strip()
  tail = item[i + 2 :].strip()
  if not head or not tail:
    return None
  return head, tail


def _snippet(text: str) -> str:
  if len(text) > _MAX_SNIPPET:
    text = text[: _MAX_SNIPPET - 3] + "..."
  return repr(text)


def _problem(problems: list[str], where: str, message: str, piece: str) -> None:
  problems.append(f"{where}: {message}; text {_snippet(piece)}")


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


def _linearize_events(records: records_lib.Records) -> str:
  if not records:
    return " " + NONE
  events = []
  for r in records:
    args = ",".join(f" {a.text}: {a.role}" for a in r.arguments) or NONE
    events.append(f" ( {r.type}: {r.trigger}, {args}) ")
  return ",".join(events)


def _group_plain(body: str, sep: str, inner: str) -> list[str]:
  """`_group_label_first` without labels for bodies that take `_PLAIN`."""
  items: list[str] = []
  for piece in body.split(sep):
    if inner in piece or not items:
      items.append(piece)
    else:
      items[-1] = items[-1] + sep + piece
  return items


# Fast paths. For a body whose separators are all cuts (`_PLAIN`) and no
# labels hint, each reads the answers that parse without problems, with
# plain str methods and no grouping, and returns None for any other text,
# which the general code then reads. tests/parse_fast_path_test.py checks
# them against the careful path (`careful=True`).

# Builds a record from a tuple of all its fields, as its NamedTuple
# constructor does, without the Python-level call.
_new = tuple.__new__


def _clean_typed(body: str, quoted: bool) -> formats.ParseResult | None:
  """`_parse_typed` of a `_PLAIN` body without labels; None if not clean."""
  records = []
  for item in body.split("; "):
    i = item.find(": ")
    if i == -1:
      return None
    label = item[:i].strip()
    value = item[i + 2 :].strip()
    if not label or not value:
      return None
    if quoted:
      records.append(_new(Event, (_unquote(label), _unquote(value), ())))
    else:
      records.append(_new(Entity, (label, value)))
  return formats.ParseResult(tuple(records), ())


def _clean_relations(body: str) -> formats.ParseResult | None:
  """`_parse_relations` of a `_PLAIN` body without labels; None if not clean."""
  records = []
  for item in body.split("; "):
    i = item.find(": ")
    if i == -1:
      return None
    relation = item[:i].strip()
    j = item.find(", ", i + 2)
    if j == -1:
      return None
    head = item[i + 2 : j].strip()
    tail = item[j + 2 :].strip()
    if not relation or not head or not tail:
      return None
    records.append(_new(Relation, (head, relation, tail, "", "")))
  return formats.ParseResult(tuple(records), ())


def _label_first_items(
  body: str, known: frozenset[str] | None, ops: _Ops, plain: bool
) -> list[str]:
  """The "label: rest" items of a "; "-separated, label-first target."""
  if plain:
    return _group_plain(body, "; ", ": ")
  return _group_label_first(body, "; ", ": ", known, ops)


def _label_end(
  item: str, known: frozenset[str] | None, ops: _Ops, plain: bool
) -> int:
  """Where an item's label ends (its ": "), or -1."""
  if plain:
    return item.find(": ")
  return _split_first(item, ": ", known, ops.find)


def _parse_typed(
  text: str,
  hint: LabelHint | None,
  *,
  quoted: bool = False,
  careful: bool = False,
) -> formats.ParseResult:
  """NER/ET ("type: name; ...") and, with `quoted`, EET."""
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  known = hint.types if hint else None
  ops = _CUT_AWARE if careful else _ops(body, _TOUCH_TYPED)
  plain = ops is _PLAIN and not known
  if plain:
    clean = _clean_typed(body, quoted)
    if clean is not None:
      return clean
  items = _label_first_items(body, known, ops, plain)
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, item in enumerate(items):
    i = _label_end(item, known, ops, plain)
    if i == -1:
      _problem(problems, f"item {index}", "no 'type: ' prefix", item)
      continue
    label = item[:i].strip()
    value = item[i + 2 :].strip()
    if not label or not value:
      _problem(problems, f"item {index}", "empty type or text", item)
    elif quoted:
      records.append(Event(_unquote(label), _unquote(value), ()))
    else:
      records.append(Entity(label, value))
  return _result(records, problems)


def _parse_triggers(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  return _parse_typed(text, hint, quoted=True, careful=careful)


def _parse_spans(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  del hint  # Spans carry no labels.
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  records: list[records_lib.Record] = []
  problems: list[str] = []
  ops = _CUT_AWARE if careful else _ops(body, _TOUCH_SPANS)
  for index, piece in enumerate(ops.split(body, ", ")):
    name = piece.strip()
    if name:
      records.append(Entity("", name))
    else:
      _problem(problems, f"item {index}", "empty span", piece)
  return _result(records, problems)


def _parse_relations(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  known = hint.types if hint else None
  ops = _CUT_AWARE if careful else _ops(body, _TOUCH_RELATIONS)
  plain = ops is _PLAIN and not known
  if plain:
    clean = _clean_relations(body)
    if clean is not None:
      return clean
  items = _label_first_items(body, known, ops, plain)
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, item in enumerate(items):
    i = _label_end(item, known, ops, plain)
    if i == -1:
      _problem(problems, f"item {index}", "no 'relation: ' prefix", item)
      continue
    relation = item[:i].strip()
    pair = _pair(item[i + 2 :], ops.find)
    if not relation or pair is None:
      _problem(
        problems, f"item {index}", "expected 'relation: head, tail'", item
      )
      continue
    records.append(Relation(pair[0], relation, pair[1]))
  return _result(records, problems)


def _parse_pairs(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  del hint  # Pairs carry no labels.
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  ops = _CUT_AWARE if careful else _ops(body, _TOUCH_RELATIONS)
  records: list[records_lib.Record] = []
  problems: list[str] = []
  for index, item in enumerate(_group_pairs(body, ops)):
    pair = _pair(item, ops.find)
    if pair is None:
      _problem(problems, f"item {index}", "expected 'head, tail'", item)
      continue
    records.append(Relation(pair[0], "", pair[1]))
  return _result(records, problems)


def _read_arguments(
  text: str,
  sep: str,
  roles: frozenset[str] | None,
  ops: _Ops,
  problems: list[str],
  where: str,
) -> list[Argument]:
  """Reads "name: role<sep>name: role" into arguments."""
  args = []
  items = _group_label_last(ops.split(text, sep), sep, ": ", roles, ops)
  for index, item in enumerate(items):
    i = _split_last(item, ": ", roles, ops)
    name = item[:i].strip() if i != -1 else ""
    role = item[i + 2 :].strip() if i != -1 else ""
    if name and role:
      args.append(Argument(role, name))
    else:
      _problem(problems, f"{where}{index}", "expected 'text: role'", item)
  return args


def _clean_arguments(text: str, sep: str) -> list[Argument] | None:
  """Reads "name: role<sep>name: role" when every piece is an argument.

  For text in which every ": " and `sep` is a cut (see `_is_cut`) and no
  roles are known, this is `_read_arguments` for answers without problems.

  Returns:
    The arguments, or None when a piece lacks ": " or a name or role is
    empty (then `_read_arguments` reads the text).
  """
  args = []
  for item in text.split(sep):
    i = item.rfind(": ")
    if i == -1:
      return None
    name = item[:i].strip()
    role = item[i + 2 :].strip()
    if not name or not role:
      return None
    args.append(_new(Argument, (role, name)))
  return args


def _parse_arguments(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  ops = _CUT_AWARE if careful else _ops(body, _TOUCH_TYPED)
  roles = hint.roles if hint else None
  problems: list[str] = []
  if ops is _PLAIN and not roles:
    args = _clean_arguments(body, "; ")
    if args is not None:
      return formats.ParseResult(tuple(args), ())
  args = _read_arguments(body, "; ", roles, ops, problems, "item ")
  return _result(args, problems)


_EVENT_SEP = ") , ("
_ARGS_SEP = ",  "
_NO_ARGS = ", " + NONE


def _clean_events(body: str) -> formats.ParseResult | None:
  """Reads events without labels when no separator touches a space.

  A body without " :", ":  ", ",   " and without " ," outside its
  `_EVENT_SEP`s has only cuts (see `_is_cut`) for ": ", ",  " and ", " in
  its events (",  " between arguments is checked per event); for it this is
  `_parse_events` of answers without problems.

  Returns:
    The events, or None for any other text (then `_parse_events` reads it).
  """
  if (
    body[0] != "("
    or body[-1] != ")"
    or " :" in body
    or ":  " in body
    or ",   " in body
  ):
    return None
  # Neither parenthesis is part of an _EVENT_SEP, so the chunks are those of
  # `_parse_events` without the outer parentheses.
  chunks = body[1:-1].split(_EVENT_SEP)
  if body.count(" ,") != len(chunks) - 1:
    return None
  events = []
  for chunk in chunks:
    chunk = chunk.strip()
    i = chunk.find(": ")
    if i == -1:
      return None
    event_type = chunk[:i].strip()
    rest = chunk[i + 2 :]
    j = rest.find(_ARGS_SEP)
    if j != -1:
      trigger = rest[:j]
      args_text = rest[j + len(_ARGS_SEP) :].strip()
      if _ARGS_SEP in args_text:
        return None
    elif rest.endswith(_NO_ARGS):
      trigger = rest[: -len(_NO_ARGS)]
      args_text = NONE
    else:
      j = rest.find(", ")
      if j == -1:
        return None
      trigger = rest[:j]
      args_text = rest[j + 2 :].strip()
    trigger = trigger.strip()
    if not event_type or not trigger:
      return None
    if args_text == NONE:
      args = ()
    else:
      arguments = _clean_arguments(args_text, ", ")
      if arguments is None:
        return None
      args = tuple(arguments)
    if "#" in event_type:
      event_type = _unquote(event_type)
    if "#" in trigger:
      trigger = _unquote(trigger)
    events.append(_new(Event, (event_type, trigger, args)))
  return formats.ParseResult(tuple(events), ())


def _parse_events(
  text: str, hint: LabelHint | None, *, careful: bool = False
) -> formats.ParseResult:
  body = text.strip()
  if body == NONE:
    return _NOTHING
  if not body:
    return _EMPTY
  problems: list[str] = []
  types = hint.types if hint else None
  roles = hint.roles if hint else None
  records: list[records_lib.Record] = []
  if not careful and not types and not roles:
    clean = _clean_events(body)
    if clean is not None:
      return clean
  chunks = body.split(_EVENT_SEP)
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


def _read_event(
  chunk: str,
  index: int,
  types: frozenset[str] | None,
  roles: frozenset[str] | None,
  problems: list[str],
) -> Event | None:
  """Reads "type: trigger,  name: role, ..." or "type: trigger, None"."""
  where = f"event {index}"
  ops = _CUT_AWARE
  i = _split_first(chunk, ": ", types, ops.find)
  event_type = chunk[:i].strip() if i != -1 else ""
  rest = chunk[i + 2 :] if i != -1 else ""
  if not event_type or not rest.strip():
    _problem(problems, where, "expected 'type: trigger, arguments'", chunk)
    return None
  args_text = None
  j = _find(rest, _ARGS_SEP)
  if j != -1:
    trigger, args_text = rest[:j], rest[j + len(_ARGS_SEP) :]
  elif rest.endswith(_NO_ARGS):
    trigger = rest[: -len(_NO_ARGS)]
  else:
    # One space after the trigger: detokenized output loses the second.
    j = _find(rest, ", ")
    if j == -1:
      _problem(problems, where, "no arguments after the trigger", chunk)
      trigger = rest
    else:
      trigger, args_text = rest[:j], rest[j + 2 :]
  trigger = trigger.strip()
  if not trigger:
    _problem(problems, where, "empty trigger", chunk)
    return None
  args: tuple[Argument, ...] = ()
  if args_text is not None:
    args_text = args_text.strip()
    if args_text != NONE:
      args = tuple(
        _read_arguments(args_text, ", ", roles, ops, problems, f"{where} arg ")
      )
  return Event(_unquote(event_type), _unquote(trigger), args)


class _Codec(NamedTuple):
  linearize: Callable[[records_lib.Records], str]
  # (text, hint, *, careful=False): `careful` turns off the fast paths.
  parse: Callable[..., formats.ParseResult]


_CODECS: dict[str, _Codec] = {
  "NER": _Codec(_linearize_typed, _parse_typed),
  "ET": _Codec(_linearize_typed, _parse_typed),
  "ES": _Codec(_linearize_spans, _parse_spans),
  "RE": _Codec(_linearize_relations, _parse_relations),
  "EPR": _Codec(_linearize_relations, _parse_relations),
  "EP": _Codec(_linearize_pairs, _parse_pairs),
  "EET": _Codec(_linearize_triggers, _parse_triggers),
  "EEA": _Codec(_linearize_arguments, _parse_arguments),
  "EE": _Codec(_linearize_events, _parse_events),
}


def _codec(task: str) -> _Codec:
  try:
    return _CODECS[task]
  except KeyError:
    raise ValueError(
      f"Unknown IE task type {task!r}; known: {', '.join(_CODECS)}"
    ) from None


def linearize(task: str, records: records_lib.Records) -> str:
  """Returns the original InstructUIE target text of `records`.

  Args:
    task: Task type ("NER", "ES", "ET", "RE", "EP", "EPR", "EE", "EET",
      "EEA").
    records: The answer, in the order to write it.

  Raises:
    ValueError: For an unknown task type.
  """
  return _codec(task).linearize(records)


def parse(task: str, text: str, labels: object = None) -> formats.ParseResult:
  """Reads target or predicted `text` of task type `task`; never raises.

  Args:
    task: Task type. An unknown one gives no records and one problem.
    text: The text; " None" (any surrounding whitespace) means no records.
    labels: Optional hint (see `label_hint`): splits whose type, relation or
      role is a known label win where the text is ambiguous. Note that with
      a hint, an item whose label is unknown may be read as part of the
      previous item's text.

  Returns:
    The records in text order and one problem per unreadable piece.
  """
  codec = _CODECS.get(task)
  if codec is None:
    return formats.ParseResult((), (f"unknown task type {task!r}",))
  if not isinstance(text, str):
    return formats.ParseResult((), (f"not a string: {type(text).__name__}",))
  if labels is None:
    return codec.parse(text, None)
  try:
    hint = label_hint(labels, task)
  except TypeError:
    return formats.ParseResult((), (f"unusable labels hint: {labels!r}",))
  return codec.parse(text, hint)


# ---------------------------------------------------------------------------
# Which answers the format writes unambiguously.

# Separators that must not occur (as a cut, see `_is_cut`) in each field.
_TYPED = {"type": ("; ", ": "), "text": ("; ",)}
_FIELD_SEPARATORS: dict[str, dict[str, tuple[str, ...]]] = {
  "NER": _TYPED,
  "ET": _TYPED,
  "EET": {"type": ("; ", ": "), "trigger": ("; ",)},
  "ES": {"text": (", ",)},
  "RE": {"relation": ("; ", ": "), "head": ("; ", ", "), "tail": ("; ",)},
  "EPR": {"relation": ("; ", ": "), "head": ("; ", ", "), "tail": ("; ",)},
  "EP": {"head": ("; ", ", "), "tail": ("; ",)},
  "EEA": {"text": ("; ",), "role": ("; ", ": ")},
  "EE": {
    "type": (": ", _EVENT_SEP),
    "trigger": (_ARGS_SEP, _EVENT_SEP),
    "text": (", ", _EVENT_SEP),
    "role": (": ", ", ", _EVENT_SEP),
  },
}


def _fields(
  task: str, records: records_lib.Records
) -> Iterable[tuple[str, str]]:
  for r in records:
    if task == "EE":
      yield "type", r.type
      yield "trigger", r.trigger
      for a in r.arguments:
        yield "text", a.text
        yield "role", a.role
    else:
      for name in _FIELD_SEPARATORS[task]:
        yield name, getattr(r, name)


def ambiguity(task: str, records: records_lib.Records) -> str | None:
  """Why `records` have no unambiguous target text; None when they have.

  Records are representable when every written field is non-empty, has no
  whitespace at either end and contains none of its separators as a cut
  (a separator with a space right before or after it is no cut); for ES
  a lone span "None" is ambiguous too, and for EE/EET "#$%#" in a type or
  trigger. For representable records `parse(task, linearize(task, r))`
  gives `r` back (relation entity types excepted).

  Args:
    task: Task type.
    records: The answer.

  Returns:
    A short reason ("empty type", "': ' in role", ...) or None.
  """
  seps = _FIELD_SEPARATORS[task]
  for name, value in _fields(task, records):
    if not value:
      return f"empty {name}"
    if value[0].isspace() or value[-1].isspace():
      return f"whitespace at the edge of {name}"
    for sep in seps[name]:
      if _find(value, sep) != -1:
        return f"{sep!r} in {name}"
    if task in ("EE", "EET") and name in ("type", "trigger"):
      if QUOTE_SUBSTITUTE in value:
        return f"{QUOTE_SUBSTITUTE!r} in {name}"
  if task == "ES" and len(records) == 1 and records[0].text == NONE:
    return f"lone span {NONE!r}"
  return None


class InstructUIEFormat:
  """The "instructuie" target format (see the module docstring).

  Its `linearize` and `parse` are the module's functions, with no extra call
  per text.
  """

  name = "instructuie"
  linearize = staticmethod(linearize)
  parse = staticmethod(parse)


def tasks() -> Sequence[str]:
  """Task types the format covers."""
  return tuple(_CODECS)


formats.register("instructuie", InstructUIEFormat)
