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

"""BRAT standoff documents (`.txt` + `.ann`) to NER, RE and EE instances.

Sentences: each line of the `.txt` is a sentence (split at `\\n`; a trailing
`\\r` and the line's leading and trailing whitespace are left out, offsets
shifted accordingly); blank lines are not sentences. Offsets in the `.ann`
count characters of the `.txt` as stored, so read it with
`json_input.read_text` (line ends kept; a leading byte order mark dropped).
Items whose span is whitespace only are left out with a note; other spans
lose the whitespace at their ends (noted). A second `T`/`R`/`E` line with
an id already used is left out with a note naming the first.

Annotations:

* `T` (text-bound) -> an NER entity of its sentence, unless an event uses it
  as its trigger. A discontinuous `T` (`0 5;10 15`) becomes its covering span
  (`discontinuous="cover"`: the layout has one span per entity; exact when
  the fragments are split by whitespace only) or is left out
  (`"drop"`); either way with a note.
* `R` (`Type Arg1:T1 Arg2:T2`) -> an RE relation, head `Arg1`, tail `Arg2`,
  both in one sentence.
* `E` (`Type:T3 Role:T1 Role:E2`) -> an EE event of its trigger's sentence,
  with its `T` arguments. Role numbers of the BioNLP convention are removed
  (`Theme2` -> `Theme`). An event used as an argument of another (BioNLP /
  GENIA nested events) is kept as its trigger's text and span, with a note;
  the nested event is also an event of its own.
* Not held by the layout, each line noted with its file and line:
  equivalences (`*`), attributes and modifiers (`A`, `M`), normalizations
  (`N`), notes (`#`), and unknown lines.
* An item crossing a sentence boundary, or whose `.ann` text does not match
  the `.txt` at its offsets, is left out with a note; so are relations and
  event arguments that need it.

Each sentence yields an NER instance (also without entities), an RE instance
when it holds a relation and an EE instance when it holds an event (every
event of the sentence in one instance).
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from instructuie_jax import task_types
from instructuie_jax.converters import common

DISCONTINUOUS = ("cover", "drop")
_NOT_HELD = {
  "*": "equivalence not held",
  "A": "attribute not held",
  "M": "modifier not held",
  "N": "normalization not held",
  "#": "note not held",
}
_ROLE_NUMBER = re.compile(r"^(\D.*?)\d+$")


@dataclasses.dataclass
class _Text:
  """A text-bound annotation resolved to one sentence."""

  type: str
  start: int  # document offsets
  end: int
  sentence: int
  where: str


@dataclasses.dataclass
class _SentenceSpan:
  start: int
  end: int
  line: int


def _sentences(text: str) -> list[_SentenceSpan]:
  out = []
  at = 0
  for number, line in enumerate(text.split("\n"), start=1):
    body = line[:-1] if line.endswith("\r") else line
    stripped = body.strip()
    if stripped:
      lead = len(body) - len(body.lstrip())
      out.append(_SentenceSpan(at + lead, at + lead + len(stripped), number))
    at += len(line) + 1
  return out


def read_document(
  text: str,
  ann: str,
  *,
  txt_file: str,
  ann_file: str,
  unit: str,
  split: str | None,
  report: common.Report,
  discontinuous: str = "cover",
) -> list[common.Record]:
  """Records of one BRAT document.

  Args:
    text: The `.txt` contents (read with `newline=""`).
    ann: The `.ann` contents.
    txt_file: Name of the `.txt`, for notes.
    ann_file: Name of the `.ann`, for notes.
    unit: Split unit (the document).
    split: The split named for the input, or None.
    report: Gets the notes and counts.
    discontinuous: "cover" or "drop".

  Returns:
    NER, RE and EE records, sentence by sentence.
  """
  sentences = _sentences(text)
  starts = [s.start for s in sentences]
  report.count("documents read")

  def sentence_of(start: int, end: int) -> int | None:
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and sentences[i].start <= start and end <= sentences[i].end:
      return i
    return None

  texts: dict[str, _Text] = {}
  relations = []  # (id, type, args, where)
  events = []  # (id, type, trigger id, [(role, id)], where)
  defined: dict[str, str] = {}  # T/R/E id -> where it is first defined
  for number, raw in enumerate(ann.split("\n"), start=1):
    where = f"{ann_file}:{number}"
    line = raw.rstrip("\r")
    if not line.strip():
      continue
    ident = line.split("\t", 1)[0]
    kind = ident[:1]
    fields = line.split("\t")
    if kind in _NOT_HELD:
      report.note(where, _NOT_HELD[kind], line.strip())
      continue
    if kind in ("T", "R", "E") and ident in defined:
      report.note(
        where,
        "duplicate id",
        f"{ident} is already defined at {defined[ident]}; this line left out",
      )
      continue
    defined.setdefault(ident, where)
    if kind == "T" and len(fields) >= 2:
      found = _text_bound(
        fields, text, where, sentence_of, report, discontinuous
      )
      if found is not None:
        texts[ident] = found
      continue
    if kind in ("R", "E") and len(fields) >= 2:
      parts = fields[1].split()
      if kind == "R":
        args = [p.split(":", 1) for p in parts[1:]]
        if len(parts) != 3 or any(len(a) != 2 for a in args):
          report.note(
            where, "bad line", f"relation needs Type A1:X A2:Y: {line!r}"
          )
          continue
        relations.append((ident, parts[0], args, where))
      else:
        head = parts[0].split(":", 1) if parts else []
        args = [p.split(":", 1) for p in parts[1:]]
        if len(head) != 2 or any(len(a) != 2 for a in args):
          report.note(
            where, "bad line", f"event needs Type:T Role:X ...: {line!r}"
          )
          continue
        events.append((ident, head[0], head[1], args, where))
      continue
    report.note(where, "bad line", f"unknown or malformed annotation {line!r}")

  triggers = {e[2] for e in events}
  n = len(sentences)
  entities: list[list[dict]] = [[] for _ in range(n)]
  rels: list[list[dict]] = [[] for _ in range(n)]
  evs: list[list[dict]] = [[] for _ in range(n)]

  def span(t: _Text) -> tuple[str, list[int]]:
    base = sentences[t.sentence].start
    return text[t.start : t.end], [t.start - base, t.end - base]

  for ident, t in texts.items():
    if ident in triggers:
      report.count("triggers (not entities)")
      continue
    name, pos = span(t)
    entities[t.sentence].append(common.entity(name, t.type, *pos, t.where))

  for ident, rel_type, args, where in relations:
    (role1, id1), (role2, id2) = args
    if (role1, role2) != ("Arg1", "Arg2"):
      report.note(
        where, "relation roles", f"{role1}/{role2} read as head/tail ({ident})"
      )
    ends = []
    for role, ref in ((role1, id1), (role2, id2)):
      t = texts.get(ref)
      if t is None:
        what = "an event" if ref.startswith("E") else "unknown or left out"
        report.note(
          where, "relation left out", f"{ident}: {role}:{ref} is {what}"
        )
        break
      ends.append(t)
    if len(ends) != 2:
      continue
    if ends[0].sentence != ends[1].sentence:
      report.note(
        where,
        "crosses a sentence boundary",
        f"relation {ident}: arguments on .txt lines "
        f"{sentences[ends[0].sentence].line} and "
        f"{sentences[ends[1].sentence].line}; left out",
      )
      continue
    head, tail = (
      {"name": span(t)[0], "type": t.type, "pos": span(t)[1]} for t in ends
    )
    rels[ends[0].sentence].append(
      {"head": head, "type": rel_type, "tail": tail, common.WHERE: where}
    )

  by_id = {e[0]: e for e in events}
  for ident, ev_type, trigger, args, where in events:
    t = texts.get(trigger)
    if t is None:
      report.note(
        where,
        "event left out",
        f"{ident}: trigger {trigger} is unknown or left out",
      )
      continue
    name, pos = span(t)
    arguments = []
    for role, ref in args:
      number = _ROLE_NUMBER.match(role)
      if number:
        report.count("role numbers removed (Theme2 -> Theme)")
        role = number.group(1)
      arg = texts.get(ref)
      if arg is None and ref in by_id:
        arg = texts.get(by_id[ref][2])
        if arg is not None:
          report.note(
            where,
            "nested event argument",
            f"{ident} {role}:{ref} is an event; kept as its trigger "
            f"{text[arg.start : arg.end]!r}",
          )
      if arg is None:
        report.note(
          where,
          "argument left out",
          f"{ident} {role}:{ref} is unknown or left out",
        )
        continue
      if arg.sentence != t.sentence:
        report.note(
          where,
          "crosses a sentence boundary",
          f"{ident} {role}:{ref} is on .txt line "
          f"{sentences[arg.sentence].line}, the trigger on "
          f"{sentences[t.sentence].line}; argument left out",
        )
        continue
      arg_name, arg_pos = span(arg)
      arguments.append(
        {"name": arg_name, "role": role, "pos": arg_pos, common.WHERE: where}
      )
    evs[t.sentence].append(
      {
        "trigger": name,
        "type": ev_type,
        "pos": pos,
        "arguments": arguments,
        common.WHERE: where,
      }
    )

  records = []
  for i, s in enumerate(sentences):
    sentence = text[s.start : s.end]
    where = f"{txt_file}:{s.line}"
    found = {"entities": entities[i], "relations": rels[i], "events": evs[i]}
    for family in task_types.FAMILY_RECORDS.values():
      key = family.items_key
      items = found[key]
      if not items and not family.keeps_empty:
        continue
      record = common.Record(
        family.name, {"sentence": sentence, key: items}, where, unit, split
      )
      common.dedupe_items(record, report)
      records.append(record)
  report.count("sentences read", n)
  return records


def _text_bound(fields, text, where, sentence_of, report, discontinuous):
  """The `_Text` of a `T` line, or None after a note."""
  head = fields[1].split(" ", 1)
  if len(head) != 2:
    report.note(where, "bad line", f"entity needs Type START END: {fields!r}")
    return None
  label, offsets = head
  fragments = []
  for piece in offsets.split(";"):
    bounds = piece.split()
    try:
      start, end = (int(x) for x in bounds)
    except ValueError:
      report.note(where, "bad line", f"offsets {offsets!r} are not START END")
      return None
    if not 0 <= start < end <= len(text):
      report.note(
        where, "bad offsets", f"[{start}, {end}] outside the .txt ({len(text)})"
      )
      return None
    fragments.append((start, end))
  if len(fields) >= 3:
    stored = "\t".join(fields[2:])
    actual = " ".join(text[a:b] for a, b in fragments)
    if stored != actual:
      report.note(
        where,
        "text mismatch",
        f".ann text {stored!r} but the .txt holds {actual!r} at {offsets}; "
        "left out",
      )
      return None
  start, end = min(a for a, _ in fragments), max(b for _, b in fragments)
  trimmed = common.trimmed_span(
    text, start, end, where, f"{fields[0]} {label}", report
  )
  if trimmed is None:
    return None
  start, end = trimmed
  if len(fragments) > 1:
    kept = discontinuous == "cover"
    report.note(
      where,
      "discontinuous entity",
      f"{fields[0]} {label} {offsets}: "
      + (
        f"kept as its covering span [{start}, {end}] {text[start:end]!r}"
        if kept
        else "left out (--discontinuous=drop)"
      ),
    )
    if not kept:
      return None
  sentence = sentence_of(start, end)
  if sentence is None:
    report.note(
      where,
      "crosses a sentence boundary",
      f"{fields[0]} {label} [{start}, {end}] {text[start:end]!r} is not inside "
      "one .txt line; left out",
    )
    return None
  return _Text(label, start, end, sentence, where)
