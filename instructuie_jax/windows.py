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

"""Long texts in windows: split a text to fit the input length, merge back.

A prompt longer than the model's input length would be cut. Instead its text
is split into windows, each asked with the same instruction and options, and
the grounded answers are merged back with offsets into the whole text:

  spans = split(text, length, limit, overlap=32)
  # [Window(0, 812), Window(771, 1620), ...]
  records, merges = merge(text, spans, [answer_0_records, ...])

Splitting (`split`): `length(piece)` is the token count of the prompt around
`piece` (`length("")` is the prompt's fixed overhead) and `limit` the input
length. A window ends at the last sentence boundary that fits, else at the
last word boundary that fits, else at the last character that fits. The
next window starts `overlap` tokens (at most, measured as `length(piece) -
length("")`) before the previous end: at the start of the previous window's
last sentence when that is within the overlap (windows repeat one whole
sentence), else at a word boundary (a character where there are none) at
most half a window's room of text before it (every window moves on by at
least half its room); so a mention cut by a window's end lies whole in the
next window. Windows cover the text, in
order, each further on than the one before. A window whose prompt cannot fit
(a fixed overhead of `limit` tokens or more) is marked `fits=False`: its
prompt is still cut, and the caller counts that.

Merging (`merge`) works on JSON records as `grounding.Grounded.to_json` gives
them, whatever the task: a span is any dict with `start`, `end` and
`grounded`. Each record's offsets are shifted by its window's start; a record
that another window also gave (same labels, same offsets) is kept once; a
record whose spans each lie inside those of another record with the same
labels, at least one strictly inside and cut by its window's edge, is the cut
piece of a mention that a neighbouring window holds whole, and is dropped; so
is a record whose spans are some of another's of the same type, whose extent
its window's edge cuts (an event given without the arguments beyond the
edge). All count as merges. A record of two or more spans (a relation, an event
with arguments) comes from one window, so it is found when all its spans
lie inside one window. Records whose spans are not in the text (ungrounded)
are kept, once per distinct answer.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from instructuie_jax import grounding

# After a sentence's closing punctuation (and quotes or brackets) and the
# whitespace that follows it (none needed after Chinese punctuation), or
# after a line break.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+|[。！？][”」』）]*\s*|\n\s*")
_WORD_START = re.compile(r"(?<=\s)\S")


@dataclasses.dataclass(frozen=True)
class Window:
  """Characters `[start, end)` of a text.

  Attributes:
    start: Offset of the first character.
    end: Offset after the last character.
    fits: False when even this window's prompt exceeds the limit.
  """

  start: int
  end: int
  fits: bool = True


def sentence_boundaries(text: str) -> list[int]:
  """Offsets where a sentence starts (after its predecessor's whitespace)."""
  return [
    m.end() for m in _SENTENCE_END.finditer(text) if 0 < m.end() < len(text)
  ]


def word_boundaries(text: str) -> list[int]:
  """Offsets where a word starts after whitespace."""
  return [m.start() for m in _WORD_START.finditer(text)]


def _last_fit(
  candidates: Sequence[int], fits: Callable[[int], bool]
) -> int | None:
  """The largest candidate that fits (fitting is assumed monotone)."""
  lo, hi = 0, len(candidates)
  while lo < hi:  # first candidate that does not fit
    mid = (lo + hi) // 2
    if fits(candidates[mid]):
      lo = mid + 1
    else:
      hi = mid
  for i in range(lo - 1, -1, -1):  # a non-monotone length: check back
    if fits(candidates[i]):
      return candidates[i]
  return None


def _first_fit(
  candidates: Sequence[int], fits: Callable[[int], bool]
) -> int | None:
  """The smallest candidate that fits (fitting is assumed monotone)."""
  lo, hi = 0, len(candidates)
  while lo < hi:
    mid = (lo + hi) // 2
    if fits(candidates[mid]):
      hi = mid
    else:
      lo = mid + 1
  return candidates[lo] if lo < len(candidates) else None


def split(
  text: str,
  length: Callable[[str], int],
  limit: int,
  *,
  overlap: int = 0,
) -> list[Window]:
  """Splits `text` into windows whose prompts fit `limit` tokens.

  Args:
    text: The text.
    length: Tokens of the prompt around a piece of the text; `length("")`
      is the prompt's fixed overhead (0 when counting the text alone).
    limit: The most tokens a prompt may have.
    overlap: The most tokens of text a window shares with the one before
      (0: windows only touch).

  Returns:
    The windows, in order: the first starts at 0, the last ends at
    `len(text)`, each starts and ends after the one before and starts no
    later than its end. One window `[0, len(text))` when the whole fits.
  """
  if overlap < 0:
    raise ValueError(f"overlap must be >= 0, got {overlap}")
  n = len(text)
  if n == 0 or length(text) <= limit:
    return [Window(0, n, fits=length(text) <= limit)]
  sentences = sentence_boundaries(text) + [n]
  words = word_boundaries(text) + [n]
  windows: list[Window] = []
  start, covered = 0, 0
  while covered < n:
    end = _window_end(text, length, limit, start, covered, sentences, words)
    if end is None and start < covered:
      start = covered  # the overlap leaves no room: drop it
      end = _window_end(text, length, limit, start, covered, sentences, words)
    if end is None:  # not one character fits: cut anyway, say so
      end = next(w for w in words if w > covered)
      windows.append(Window(start, end, fits=False))
    else:
      windows.append(Window(start, end))
    covered = end
    if end < n and overlap:
      start = _next_start(
        text, length, limit, start, end, overlap, sentences, words
      )
    else:
      start = end
  return windows


def _next_start(
  text: str,
  length: Callable[[str], int],
  limit: int,
  start: int,
  end: int,
  overlap: int,
  sentences: Sequence[int],
  words: Sequence[int],
) -> int:
  """Where the window after `[start, end)` starts: at the start of the
  window's last sentence when it lies within `overlap` tokens of `end` (the
  sentence cut by `end`, or the last whole one: windows repeat one whole
  sentence); else at the earliest word start within `min(overlap,
  room // 2)` tokens of `end` (room: the tokens of text a window holds), so
  that every window gets at least half its room of new text; else at
  `end`."""
  overhead = length("")

  def within(budget: int) -> Callable[[int], bool]:
    return lambda b: length(text[b:end]) - overhead <= budget

  last = bisect.bisect_left(sentences, end) - 1
  if last >= 0 and sentences[last] > start and within(overlap)(sentences[last]):
    return sentences[last]
  inside = words[
    bisect.bisect_right(words, start) : bisect.bisect_left(words, end)
  ] or range(start + 1, end)  # no spaces (Chinese): any character
  room = max(limit - overhead, 0)
  back = _first_fit(inside, within(min(overlap, room // 2)))
  return end if back is None else back


def _window_end(
  text: str,
  length: Callable[[str], int],
  limit: int,
  start: int,
  covered: int,
  sentences: Sequence[int],
  words: Sequence[int],
) -> int | None:
  """The end of the window from `start`: past `covered`, as far as fits."""

  def fits(end: int) -> bool:
    return length(text[start:end]) <= limit

  for bounds in (sentences, words):
    end = _last_fit(bounds[bisect.bisect_right(bounds, covered) :], fits)
    if end is not None:
      return end
  return _last_fit(range(covered + 1, len(text) + 1), fits)


# --------------------------------------------------------------------------
# Merging answers.


def _spans(record: Any) -> Iterator[dict[str, Any]]:
  """The span dicts of a JSON record, in a fixed order."""
  if isinstance(record, Mapping):
    if "start" in record and "grounded" in record:
      yield record  # type: ignore[misc]
    for key in sorted(record):
      if key not in ("start", "end"):
        yield from _spans(record[key])
  elif isinstance(record, list):
    for x in record:
      yield from _spans(x)


def shift(record: Mapping[str, Any], offset: int) -> dict[str, Any]:
  """A copy of a JSON record with its grounded spans moved by `offset`."""
  out = copy.deepcopy(dict(record))
  for span in _spans(out):
    if span.get("start") is not None:
      span["start"] += offset
      span["end"] += offset
  return out


def _labels(record: Mapping[str, Any]) -> str:
  """The record without span texts and offsets: what must match to merge."""
  bare = copy.deepcopy(dict(record))
  for span in _spans(bare):
    for key in ("text", "start", "end"):
      span.pop(key, None)
  return json.dumps(bare, sort_keys=True, ensure_ascii=False)


def _cut_piece(
  text: str,
  window: Window,
  record: Mapping[str, Any],
  whole: Mapping[str, Any],
) -> bool:
  """Whether `record` is `whole` cut by an edge of `window`."""
  mine, theirs = list(_spans(record)), list(_spans(whole))
  if len(mine) != len(theirs) or not mine:
    return False
  cut = False
  for a, b in zip(mine, theirs, strict=True):
    if a["start"] is None or b["start"] is None:
      return False
    if not b["start"] <= a["start"] <= a["end"] <= b["end"]:
      return False
    if (a["start"], a["end"]) == (b["start"], b["end"]):
      continue
    # A window that starts (ends) inside `whole` cuts it there.
    ok_start = a["start"] == b["start"] or (
      window.start > b["start"] and not text[window.start : a["start"]].strip()
    )
    ok_end = a["end"] == b["end"] or (
      window.end < b["end"] and not text[a["end"] : window.end].strip()
    )
    if not (ok_start and ok_end):
      return False
    cut = True
  return cut


def merge(
  text: str,
  windows: Sequence[Window],
  answers: Sequence[Sequence[Mapping[str, Any]]],
) -> tuple[list[dict[str, Any]], int]:
  """Merges the JSON records of each window's answer (module docstring).

  Args:
    text: The whole text.
    windows: The windows, as `split` gave them.
    answers: Per window, its records with offsets into the window's text.

  Returns:
    `(records, merges)`: the records with offsets into `text`, in window
    order, and how many were merged away (repeats and cut pieces).
  """
  if len(windows) != len(answers):
    raise ValueError(f"{len(answers)} answers for {len(windows)} windows")
  shifted: list[tuple[Window, dict[str, Any]]] = []
  seen: set[str] = set()
  merges = 0
  for window, records in zip(windows, answers, strict=True):
    for record in records:
      moved = shift(record, window.start)
      key = json.dumps(moved, sort_keys=True, ensure_ascii=False)
      if key in seen:
        merges += 1
        continue
      seen.add(key)
      shifted.append((window, moved))
  by_labels: dict[str, list[dict[str, Any]]] = {}
  for _, record in shifted:
    by_labels.setdefault(_labels(record), []).append(record)
  by_head: dict[str, list[dict[str, Any]]] = {}
  for _, record in shifted:
    by_head.setdefault(_head(record), []).append(record)
  kept = []
  for window, record in shifted:
    others = by_labels[_labels(record)]
    if any(
      other is not record and _cut_piece(text, window, record, other)
      for other in others
    ) or any(
      other is not record and _part_of(window, record, other)
      for other in by_head[_head(record)]
    ):
      merges += 1
      continue
    kept.append(record)
  return kept, merges


def _head(record: Mapping[str, Any]) -> str:
  """The record's own labels (its type), without spans or span lists."""
  own = {
    k: v
    for k, v in record.items()
    if not isinstance(v, (Mapping, list)) and k not in ("text", "start", "end")
  }
  return json.dumps(own, sort_keys=True, ensure_ascii=False)


def _span_keys(record: Mapping[str, Any]) -> list[str]:
  return sorted(
    json.dumps(span, sort_keys=True, ensure_ascii=False)
    for span in _spans(record)
  )


def _part_of(
  window: Window, record: Mapping[str, Any], whole: Mapping[str, Any]
) -> bool:
  """Whether `record` is `whole` with fewer spans (an event missing the
  arguments its window's edge left out)."""
  mine, theirs = _span_keys(record), _span_keys(whole)
  if len(mine) >= len(theirs):
    return False
  rest = list(theirs)
  for key in mine:
    if key not in rest:
      return False
    rest.remove(key)
  starts = [x["start"] for x in _spans(whole) if x["start"] is not None]
  ends = [x["end"] for x in _spans(whole) if x["end"] is not None]
  if any(x["start"] is None for x in _spans(record)) or not starts:
    return False
  return window.start > min(starts) or window.end < max(ends)


class Flags(NamedTuple):
  """What JSON records of an answer to `text` could not be grounded.

  Attributes:
    ungrounded: Spans without offsets (each head, tail, trigger and argument
      counts), repeats included.
    repeats: Of those, spans whose text does occur in the text: copies of an
      answer beyond the occurrences of its text (`grounding`'s rule).
    invalid_labels: Types, relations and roles not among the options.
  """

  ungrounded: int
  repeats: int
  invalid_labels: int


def count_flags(text: str, records: Sequence[Mapping[str, Any]]) -> Flags:
  """The `Flags` of JSON records answering `text`."""
  missing = [
    span for r in records for span in _spans(r) if not span["grounded"]
  ]
  repeats = sum(
    1 for span in missing if grounding.occurrences(text, span["text"])
  )

  def invalid(x: Any) -> int:
    if isinstance(x, Mapping):
      own = int(x.get("valid_label") is False)
      return own + sum(invalid(v) for v in x.values())
    if isinstance(x, list):
      return sum(invalid(v) for v in x)
    return 0

  return Flags(len(missing), repeats, sum(invalid(r) for r in records))
