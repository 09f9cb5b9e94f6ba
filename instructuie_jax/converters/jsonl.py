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

"""JSON lines with NER spans, over tokens or over characters.

One JSON object a line (lines end at `\n`; blank lines are skipped), or a
file holding one JSON list of such objects (GLiNER's training files; notes
then name `file[index]`). Accepted keys:

* Token spans (GLiNER): `tokenized_text` (or `tokens`): a list of strings;
  `ner`: a list of `[start_token, end_token, label]`, the end token
  included (GLiNER's convention; `token_end="exclusive"` reads it as
  excluded). The sentence is the tokens joined with single spaces, offsets as
  in `conll.offsets`.
* Character spans: `text` (or `sentence`): the sentence as is; `entities`
  (or `spans`, or doccano's `label`): a list of `{"start", "end", "label"}`
  objects (`type` is read when `label` is absent) or `[start, end, label]`
  lists; `end` excluded.

A line that is not a JSON object, or has neither layout, is skipped with a
note; so is each span out of range, empty, or with a missing label.
"""

from __future__ import annotations

from typing import Any

from instructuie_jax import json_input, task_types
from instructuie_jax.converters import common, conll

TOKEN_END = ("inclusive", "exclusive")


def read_lines(
  text: str,
  file: str,
  *,
  split: str | None,
  report: common.Report,
  token_end: str = "inclusive",
) -> list[common.Record]:
  """NER records of one JSON lines file (or one JSON list of objects)."""
  if text.lstrip().startswith("["):
    return _read_list(text, file, split, report, token_end)
  objects = []
  for number, line in json_input.lines(text):
    try:
      objects.append(
        (f"{file}:{number}", json_input.loads(line, file, line=number))
      )
    except json_input.InputError as e:
      report.note(f"{file}:{number}", "line skipped", e.message)
  return _records(objects, split, report, token_end)


def _read_list(text, file, split, report, token_end):
  """A whole-file JSON list (as GLiNER's training files); `file[index]`."""
  try:
    data = json_input.loads(text, file)
  except json_input.InputError as e:
    raise common.InputError(str(e)) from None
  objects = [(f"{file}[{i}]", obj) for i, obj in enumerate(data)]
  return _records(objects, split, report, token_end)


def _records(objects, split, report, token_end) -> list[common.Record]:
  records = []
  for where, obj in objects:
    if not isinstance(obj, dict):
      report.note(where, "line skipped", "not a JSON object")
      continue
    tokens = _first(obj, ("tokenized_text", "tokens"))
    if tokens is not None:
      record = _token_spans(obj, tokens, where, report, token_end)
    else:
      record = _char_spans(obj, where, report)
    if record is not None:
      records.append(
        common.Record(
          task_types.NER_FAMILY.name, record, where, unit=where, split=split
        )
      )
  report.count("sentences converted", len(records))
  return records


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
  for key in keys:
    if key in obj:
      return obj[key]
  return None


def _token_spans(obj, tokens, where, report, token_end):
  if (
    not isinstance(tokens, list)
    or not tokens
    or not all(isinstance(t, str) for t in tokens)
  ):
    report.note(
      where,
      "line skipped",
      "tokens: expected a non-empty list of non-empty strings",
    )
    return None
  blank = [k for k, t in enumerate(tokens) if not t.strip()]
  if blank:
    report.note(
      where,
      "line skipped",
      f"tokens[{blank[0]}] {tokens[blank[0]]!r} is empty or only whitespace",
    )
    return None
  spans = obj.get("ner", [])
  if not isinstance(spans, list):
    report.note(where, "line skipped", "ner: expected a list")
    return None
  sentence = " ".join(tokens)
  starts = conll.offsets(tokens)
  entities = []
  for k, raw in enumerate(spans):
    ok = (
      isinstance(raw, list)
      and len(raw) == 3
      and type(raw[0]) is int
      and type(raw[1]) is int
      and isinstance(raw[2], str)
      and raw[2].strip()
    )
    if not ok:
      report.note(
        where, "span skipped", f"ner[{k}] {raw!r} is not [start, end, label]"
      )
      continue
    a, b, label = raw
    last = b if token_end == "inclusive" else b - 1
    if not 0 <= a <= last < len(tokens):
      report.note(
        where,
        "span skipped",
        f"ner[{k}] {raw!r}: tokens [{a}, {last}] outside the {len(tokens)} "
        "tokens",
      )
      continue
    start, end = starts[a], starts[last] + len(tokens[last])
    entities.append(
      common.entity(sentence[start:end], label, start, end, where)
    )
  return {"sentence": sentence, "entities": entities}


def _char_spans(obj, where, report):
  sentence = _first(obj, ("text", "sentence"))
  if not isinstance(sentence, str) or not sentence.strip():
    report.note(
      where,
      "line skipped",
      "neither tokenized_text/tokens (a list) nor text/sentence (a non-empty "
      "string)",
    )
    return None
  spans = _first(obj, ("entities", "spans", "label"))
  if spans is None:
    spans = []
  if not isinstance(spans, list):
    report.note(where, "line skipped", "entities: expected a list")
    return None
  entities = []
  for k, raw in enumerate(spans):
    if isinstance(raw, dict):
      start, end = raw.get("start"), raw.get("end")
      label = raw.get("label", raw.get("type"))
    elif isinstance(raw, list) and len(raw) == 3:
      start, end, label = raw
    else:
      start = end = label = None
    ok = (
      type(start) is int
      and type(end) is int
      and isinstance(label, str)
      and label.strip()
    )
    if not ok:
      report.note(
        where,
        "span skipped",
        f"entities[{k}] {raw!r} lacks start, end or label",
      )
      continue
    if not 0 <= start < end <= len(sentence):
      report.note(
        where,
        "span skipped",
        f"entities[{k}] [{start}, {end}] is empty or outside the "
        f"{len(sentence)} characters",
      )
      continue
    trimmed = common.trimmed_span(
      sentence, start, end, where, f"entities[{k}]", report
    )
    if trimmed is None:
      continue
    start, end = trimmed
    entities.append(
      common.entity(sentence[start:end], label, start, end, where)
    )
  return {"sentence": sentence, "entities": entities}
