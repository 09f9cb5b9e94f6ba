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

"""Token tag schemes: BIO (IOB2), BIOES (also read as BILOU) and IOB1.

A span is `(start, end, label)` over token indices, `end` exclusive. `encode`
turns non-overlapping spans into one tag per token; `decode` turns tags back
into spans and lists every ill-formed step with its token index. For each
scheme `decode(encode(spans)) == (spans, [])` when the spans do not overlap
(a property test checks it).

Tags are `O` or `PREFIX-LABEL` (the first `-` separates; the label may hold
more dashes or spaces). Prefixes per scheme:

* `bio`: `B` begins a span, `I` continues it.
* `bioes`: `B` begin, `I` inside, `E` end, `S` single token; `U` and `L`
  (BILOU) are read as `S` and `E`.
* `iob1`: `I` is inside a span; `B` begins a span only when it directly
  follows a span of the same label (CoNLL-2003's original tagging).

How ill-formed sequences are read (each one is reported):

* bio: `I-X` after `O`, at the start, or after a span of another label opens
  a new span (the conlleval convention).
* bioes: `I-X`/`E-X` without an open `X` span opens one; a span still open
  when `O`, `B`, `S` or another label comes (no `E`) is closed at its last
  token.
* iob1: `B-X` that does not follow an `X` span opens a span as `I-X` would
  (it is legal, only redundant; reported as unexpected).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

SCHEMES: tuple[str, ...] = ("bio", "bioes", "iob1")

Span = tuple[int, int, str]

_PREFIXES = {
  "bio": frozenset("BI"),
  "bioes": frozenset("BIESUL"),
  "iob1": frozenset("BI"),
}


class TagError(ValueError):
  """A tag that no scheme reads; `index` is its token, when known."""

  def __init__(self, message: str, index: int | None = None):
    super().__init__(message)
    self.index = index


@dataclasses.dataclass(frozen=True)
class TagIssue:
  """An ill-formed step in a tag sequence, at token `index`."""

  index: int
  message: str


def split_tag(tag: str) -> tuple[str, str]:
  """(`O`, "") or (prefix, label) for `PREFIX-LABEL`.

  Raises:
    TagError: the tag is empty, or not `O` nor `X-LABEL` with a one-letter
      prefix and a non-empty label.
  """
  if tag == "O":
    return "O", ""
  prefix, dash, label = tag.partition("-")
  if not dash or len(prefix) != 1 or not label.strip():
    raise TagError(f"tag {tag!r} is not O nor PREFIX-LABEL (e.g. B-PER)")
  return prefix.upper(), label


def check_tags(tags: Sequence[str], scheme: str) -> None:
  """Raises TagError for the first tag whose prefix `scheme` does not use."""
  allowed = _PREFIXES[scheme]
  for i, tag in enumerate(tags):
    try:
      prefix, _ = split_tag(tag)
    except TagError as e:
      raise TagError(str(e), i) from None
    if prefix != "O" and prefix not in allowed:
      raise TagError(
        f"tag {tag!r} has prefix {prefix!r}, which the {scheme} scheme does "
        f"not use (its prefixes: {', '.join(sorted(allowed))})",
        i,
      )


def overlaps(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
  """Pairs of spans that share a token (sorted by start), for reports."""
  ordered = sorted(spans)
  found = []
  last = None
  for span in ordered:
    if last is not None and span[0] < last[1]:
      found.append((last, span))
    if last is None or span[1] > last[1]:
      last = span
  return found


def encode(spans: Iterable[Span], length: int, scheme: str) -> list[str]:
  """One tag per token for non-overlapping `spans` over `length` tokens.

  Raises:
    ValueError: unknown scheme, a span out of range or empty, or two spans
      sharing a token.
  """
  if scheme not in SCHEMES:
    raise ValueError(f"unknown scheme {scheme!r}; known: {SCHEMES}")
  tags = ["O"] * length
  ordered = sorted(spans)
  previous = None
  for start, end, label in ordered:
    if not 0 <= start < end <= length:
      raise ValueError(f"span {(start, end, label)} is out of [0, {length})")
    if any(t != "O" for t in tags[start:end]):
      raise ValueError(f"span {(start, end, label)} overlaps another span")
    if scheme == "bio":
      tags[start:end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
    elif scheme == "bioes":
      if end - start == 1:
        tags[start] = f"S-{label}"
      else:
        inside = [f"I-{label}"] * (end - start - 2)
        tags[start:end] = [f"B-{label}", *inside, f"E-{label}"]
    else:
      adjacent = previous is not None and previous[1] == start
      first = "B" if adjacent and previous[2] == label else "I"
      tags[start:end] = [f"{first}-{label}"] + [f"I-{label}"] * (
        end - start - 1
      )
    previous = (start, end, label)
  return tags


def decode(
  tags: Sequence[str], scheme: str
) -> tuple[list[Span], list[TagIssue]]:
  """Spans (sorted by start) and ill-formed steps of a tag sequence.

  Raises:
    TagError: a tag is not `O`/`PREFIX-LABEL`, or its prefix is not one of
      the scheme's.
  """
  if scheme not in SCHEMES:
    raise ValueError(f"unknown scheme {scheme!r}; known: {SCHEMES}")
  check_tags(tags, scheme)
  spans: list[Span] = []
  issues: list[TagIssue] = []
  start = None  # open span start
  label = ""  # open span label

  def close(end: int) -> None:
    nonlocal start
    if start is not None:
      spans.append((start, end, label))
    start = None

  for i, tag in enumerate(tags):
    prefix, tag_label = split_tag(tag)
    if scheme == "bioes":
      prefix = {"U": "S", "L": "E"}.get(prefix, prefix)
    if prefix == "O":
      if scheme == "bioes" and start is not None:
        issues.append(TagIssue(i, f"span {label!r} not closed by E- before O"))
      close(i)
      continue
    same = start is not None and tag_label == label
    if scheme == "bio":
      if prefix == "I" and same:
        continue
      if prefix == "I":
        issues.append(TagIssue(i, _stray(tag, start is not None, label)))
      close(i)
      start, label = i, tag_label
    elif scheme == "iob1":
      if prefix == "I" and same:
        continue
      if prefix == "B" and not same:
        issues.append(
          TagIssue(i, f"{tag} does not follow a {tag_label!r} span (read as I)")
        )
      close(i)
      start, label = i, tag_label
    else:  # bioes
      if prefix in "IE" and same:
        if prefix == "E":
          close(i + 1)
        continue
      if start is not None:
        issues.append(
          TagIssue(i, f"span {label!r} not closed by E- before {tag}")
        )
      close(i)
      if prefix in "IE":
        issues.append(TagIssue(i, _stray(tag, False, "")))
      start, label = i, tag_label
      if prefix in "SE":
        close(i + 1)
  if start is not None and scheme == "bioes":
    issues.append(
      TagIssue(len(tags), f"span {label!r} not closed by E- at the end")
    )
  close(len(tags))
  return spans, issues


def _stray(tag: str, open_span: bool, open_label: str) -> str:
  if open_span:
    return f"{tag} follows a {open_label!r} span (type switch; opens a span)"
  return f"{tag} without a B- (opens a span)"


def detect_scheme(tag_sequences: Iterable[Sequence[str]]) -> tuple[str, str]:
  """Guesses the scheme of a corpus; returns (scheme, why).

  `E-`, `S-`, `U-` or `L-` anywhere means bioes. Otherwise each span start
  (a non-`O` tag after `O`, the sentence start or another label) is counted
  by prefix: starts with `I-` in the majority mean iob1, else bio. Tags
  that are not `O`/`PREFIX-LABEL` are passed over.
  """
  starts = {"B": 0, "I": 0}
  for tags in tag_sequences:
    previous = ""
    for tag in tags:
      try:
        prefix, label = split_tag(tag)
      except TagError:  # its sentence is skipped when read
        previous = ""
        continue
      if prefix in "ESUL":
        return "bioes", f"found the tag {tag!r}"
      if prefix in "BI" and (prefix == "B" or label != previous):
        starts[prefix] += 1
      previous = label if prefix != "O" else ""
  why = f"{starts['B']} spans start with B-, {starts['I']} with I-"
  if starts["I"] > starts["B"]:
    return "iob1", why
  return "bio", why
