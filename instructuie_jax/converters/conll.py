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

"""CoNLL-style token files (one token a line) to NER instances, and back.

Reading:

* One token a line; a blank line ends a sentence; a line whose first column
  is `-DOCSTART-` ends the sentence and the document (CoNLL-2003) and is not a
  token.
* Columns: a line holding a tab is split at tabs (so a tag may hold spaces),
  any other line at runs of ASCII whitespace (a token may hold a
  non-breaking space, `New\u00a0York`). A token of whitespace only skips its
  sentence with a note. The token and tag columns are
  indices (negative counts from the end): defaults token 0, tag -1 (CoNLL-2003
  `word POS chunk NER`, CrossNER `word<TAB>tag`); the MIT sets put the tag
  first: `tag_column=0, token_column=1`.
* The sentence is its tokens joined with single spaces, so token `i` starts at
  `sum(len(token_j) + 1 for j < i)` and an entity over tokens `[a, b)` has
  `pos = [start(a), start(b - 1) + len(token_{b-1})]` and
  `name = sentence[pos[0]:pos[1]]`: offsets are exact by construction.
* A sentence with a line lacking a column, or with a tag that is not `O` nor
  `PREFIX-LABEL` (or whose prefix the scheme does not use), is skipped with a
  note at that line. Ill-formed tag sequences are read as `tags.decode`
  documents, with a note per step.

Writing (`write_bio`): the sentence split at whitespace, one `token<TAB>tag`
line per token, a blank line after each sentence. An entity whose ends are
not token ends, or that overlaps an earlier entity, cannot be tagged: it is
left out with a note (file and instance index).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from instructuie_jax import task_types
from instructuie_jax.converters import common, tags


@dataclasses.dataclass
class Sentence:
  """Tokens and tags of one sentence, with their line numbers (from 1)."""

  file: str
  line: int
  tokens: list[str]
  tags: list[str]
  lines: list[int]
  document: int


_ASCII_SPACE = " \t\n\r\x0b\x0c"
_ASCII_SPACES = re.compile(r"[ \t\n\r\x0b\x0c]+")


def _columns(line: str) -> list[str]:
  """The columns of a line: split at tabs when it holds one, else at runs of
  ASCII whitespace (a non-breaking space is part of its token)."""
  text = line.strip(_ASCII_SPACE)
  if not text:
    return []
  if "\t" in text:
    return [c.strip(_ASCII_SPACE) for c in text.split("\t")]
  return _ASCII_SPACES.split(text)


def read_sentences(
  text: str,
  file: str,
  *,
  token_column: int = 0,
  tag_column: int = -1,
  report: common.Report,
) -> list[Sentence]:
  """Sentences of one CoNLL-style file.

  Args:
    text: The file contents.
    file: Its name, for notes.
    token_column: Column index of the token (negative from the end).
    tag_column: Column index of the tag.
    report: Gets a note per skipped sentence and the document count.

  Returns:
    The readable sentences in file order (tags not yet checked).
  """
  sentences: list[Sentence] = []
  document = 0
  current: Sentence | None = None
  bad: tuple[int, str] | None = None

  def close() -> None:
    nonlocal current, bad
    if current is not None:
      if bad is None:
        sentences.append(current)
      else:
        report.note(f"{file}:{bad[0]}", "sentence skipped", bad[1])
    current, bad = None, None

  for number, line in enumerate(text.split("\n"), start=1):
    cols = _columns(line)
    if not cols:
      close()
      continue
    if cols[0] == "-DOCSTART-":
      close()
      document += 1
      report.count("documents (-DOCSTART-)")
      continue
    if current is None:
      current = Sentence(file, number, [], [], [], document)
    need = max(_index(token_column), _index(tag_column))
    n = len(cols)
    fits = -n <= token_column < n and -n <= tag_column < n
    if not fits or token_column % n == tag_column % n:
      if bad is None:
        bad = (
          number,
          f"{n} column(s) {cols!r}; the token and tag columns "
          f"({token_column}, {tag_column}) need {max(need, 2)}",
        )
      continue
    if not cols[token_column].strip():
      if bad is None:
        bad = (number, f"token {cols[token_column]!r} is only whitespace")
      continue
    current.tokens.append(cols[token_column])
    current.tags.append(cols[tag_column])
    current.lines.append(number)
  close()
  return sentences


def _index(column: int) -> int:
  """How many columns a line needs for `column`."""
  return column + 1 if column >= 0 else -column


def offsets(tokens: Sequence[str]) -> list[int]:
  """Start of each token in `" ".join(tokens)`."""
  starts = []
  at = 0
  for token in tokens:
    starts.append(at)
    at += len(token) + 1
  return starts


def to_records(
  sentences: Iterable[Sentence],
  scheme: str,
  *,
  split: str | None,
  report: common.Report,
) -> list[common.Record]:
  """NER records of the sentences, their tags read with `scheme`.

  The split unit (for `--split_ratios`) is the document in files with
  `-DOCSTART-` lines, else the sentence.
  """
  records = []
  sentences = list(sentences)
  by_document = {s.file for s in sentences if s.document}
  for s in sentences:
    where = f"{s.file}:{s.line}"
    unit = f"{s.file}#{s.document}" if s.file in by_document else where
    try:
      spans, issues = tags.decode(s.tags, scheme)
    except tags.TagError as e:
      at = s.lines[e.index] if e.index is not None else s.line
      report.note(f"{s.file}:{at}", "sentence skipped", str(e))
      continue
    for issue in issues:
      at = s.lines[min(issue.index, len(s.lines) - 1)]
      report.note(f"{s.file}:{at}", "ill-formed tags", issue.message)
    sentence = " ".join(s.tokens)
    starts = offsets(s.tokens)
    entities = []
    for a, b, label in spans:
      start, end = starts[a], starts[b - 1] + len(s.tokens[b - 1])
      entities.append(
        common.entity(
          sentence[start:end], label, start, end, f"{s.file}:{s.lines[a]}"
        )
      )
    records.append(
      common.Record(
        task_types.NER_FAMILY.name,
        {"sentence": sentence, "entities": entities},
        where,
        unit=unit,
        split=split,
      )
    )
  report.count("sentences converted", len(records))
  return records


_TOKEN = re.compile(r"[^ \t\n\r\x0b\x0c]+")


def tokenize(sentence: str) -> list[tuple[int, int]]:
  """(start, end) of each token separated by ASCII whitespace (as
  `read_sentences` splits a line)."""
  return [(m.start(), m.end()) for m in _TOKEN.finditer(sentence)]


def tag_instance(
  sentence: str,
  entities: Sequence[dict],
  scheme: str,
  where: str,
  report: common.Report,
  rename=lambda label: label,
) -> tuple[list[str], list[str]]:
  """(tokens, tags) of one NER instance; untaggable entities get a note.

  Entities without `pos` are placed at the first occurrence of their name.
  """
  spans = tokenize(sentence)
  first = {start: i for i, (start, _) in enumerate(spans)}
  last = {end: i for i, (_, end) in enumerate(spans)}
  chosen: list[tuple[int, int, str]] = []
  used = [False] * len(spans)
  for k, e in enumerate(entities):
    pos = e.get("pos") or None
    if pos is None:
      found = sentence.find(e["name"])
      pos = [found, found + len(e["name"])]
    start, end = pos
    a, b = first.get(start), last.get(end)
    if a is None or b is None:
      report.note(
        f"{where}",
        "entity not on token boundaries",
        f"entities[{k}] {e['name']!r} [{start}, {end}] starts or ends inside "
        "a whitespace token; left out",
      )
      continue
    if any(used[a : b + 1]):
      report.note(
        f"{where}",
        "overlapping entity",
        f"entities[{k}] {e['name']!r} [{start}, {end}] overlaps an earlier "
        "entity; left out",
      )
      continue
    used[a : b + 1] = [True] * (b + 1 - a)
    chosen.append((a, b + 1, rename(e["type"])))
  tokens = [sentence[s:t] for s, t in spans]
  return tokens, tags.encode(chosen, len(tokens), scheme)


def format_sentence(tokens: Sequence[str], tag_list: Sequence[str]) -> str:
  """`token<TAB>tag` lines and the blank line that ends a sentence."""
  return (
    "".join(f"{t}\t{g}\n" for t, g in zip(tokens, tag_list, strict=True)) + "\n"
  )
