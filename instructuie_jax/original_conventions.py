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

"""The original InstructUIE evaluator's scoring conventions, reimplemented.

The original (`src/evaluation/evaluator.py`, driven by `src/calculate_f1.py`)
compares normalized *strings*, not parsed records. This module reproduces its
numbers so that results can be set beside the paper's; each task type's
`task_types.TaskType.original` names its tally function here, and
`original_metrics` scores by task type name:

* `normalize` (the original `_format`): whitespace runs become one space,
  spaces around `, : ( ) . _ ; ' -` are removed, text is lower-cased, `{` and
  `}` are dropped, runs of `,`, `.` and `;` collapse to one, `’` becomes `'`
  and every `location` becomes `located`.
* NER (`ner_f1`): micro F1 over the sets of `;`-separated normalized pieces.
  Nothing is filtered, so an empty answer ` None` is the element `none`: gold
  ` None` + prediction `None` is a true positive, and an empty prediction (the
  element `""`) against ` None` is one false positive and one false negative.
* RE (`re_f1`): pieces without `:` are dropped (so ` None` is the empty set);
  micro F1 with the original NA rule: a gold piece containing `,na,` is a true
  positive unless a prediction matches it with a non-`na` relation, and a
  predicted `,na,` piece is a false positive only when a gold piece matches
  it with a non-`na` relation (else it counts nothing). With the
  `rel:head,tail` target format no piece contains `,na,`; gold `NA`
  relations of the original `ground_truth` field (`na:head,tail`) are
  ordinary pieces.
* EE (`ee_accuracy`): per-example accuracy: 1 when the set of events equals
  the gold set. Events are the top-level `( ... )` groups, normalized, with
  `arguments:` removed, split at top-level commas and sorted.
* EET (`eet_accuracy`): per-example accuracy of normalized string equality.
* EEA (`eea_f1`): micro F1 over `;`-separated pieces containing `:`.

The original scores no ES, ET, EP or EPR outputs (training-only tasks).
Averages over datasets are the plain mean of per-dataset values.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from instructuie_jax import counts

_SPACE_AROUND_PUNCTUATION = re.compile(r"\s*([,:()._;'\-])\s*")
_COMMAS = re.compile(",+")
_DOTS = re.compile(r"\.+")
_SEMICOLONS = re.compile(";+")


def remove_redundant_space(text: str) -> str:
  """Collapses whitespace and drops it around `, : ( ) . _ ; ' -`."""
  text = " ".join(text.split())
  return _SPACE_AROUND_PUNCTUATION.sub(r"\1", text)


def normalize(text: str) -> str:
  """The original `_format` normalization (see the module docstring)."""
  text = remove_redundant_space(text).lower()
  text = text.replace("{", "").replace("}", "")
  text = _COMMAS.sub(",", text)
  text = _DOTS.sub(".", text)
  text = _SEMICOLONS.sub(";", text)
  return text.replace("’", "'").replace("location", "located")


def top_level_groups(text: str) -> list[str]:
  """Contents of the outermost `( ... )` groups; text outside is dropped.

  As the original, a missing `(` before the first `)` (the text up to it is
  taken) or a missing final `)` (the rest is taken) is tolerated. Empty
  groups are skipped.
  """
  groups: list[str] = []
  depth = 0
  opened: int | None = None
  for i, char in enumerate(text):
    if char == "(":
      if depth == 0:
        opened = i
      depth += 1
    elif char == ")":
      if opened is None and not groups and i:
        groups.append(text[:i])
      if depth == 1 and opened + 1 != i:
        groups.append(text[opened + 1 : i])
      depth = max(depth - 1, 0)
  if depth == 1 and opened + 1 != len(text):
    groups.append(text[opened + 1 :])
  return groups


def split_top_level(text: str) -> list[str]:
  """Splits at commas outside parentheses, as the original does.

  A comma right after the previous split point does not split (the original
  keeps it in the next piece: `"a,,b"` -> `["a", ",b"]`).
  """
  pieces: list[str] = []
  depth = 0
  last = -1
  for i, char in enumerate(text):
    if char == "(":
      depth += 1
    elif char == ")":
      depth -= 1
    elif char == "," and depth == 0 and last + 1 != i:
      pieces.append(text[last + 1 : i])
      last = i
  if last + 1 != len(text):
    pieces.append(text[last + 1 :])
  return pieces


def ner_sets(target: str, prediction: str) -> tuple[set[str], set[str]]:
  """Gold and predicted piece sets of one NER example."""
  return (
    {normalize(p) for p in normalize(target).split(";")},
    {normalize(p) for p in normalize(prediction).split(";")},
  )


def _pieces_with_colon(normalized: str) -> set[str]:
  pieces = (normalize(p) for p in normalized.split(";"))
  return {p for p in pieces if ":" in p}


def re_sets(target: str, prediction: str) -> tuple[set[str], set[str]]:
  """Gold and predicted piece sets of one RE example."""
  return (
    _pieces_with_colon(normalize(target)),
    _pieces_with_colon(normalize(prediction)),
  )


def eea_sets(target: str, prediction: str) -> tuple[set[str], set[str]]:
  """Gold and predicted piece sets of one EEA example.

  As the original, gold is split before normalization, the prediction after.
  """
  gold = {normalize(p) for p in target.split(";") if ":" in p}
  return gold, _pieces_with_colon(normalize(prediction))


def _events(text: str) -> set[str]:
  events = set()
  for group in top_level_groups(text):
    event = normalize(group).replace("arguments:", "")
    events.add(",".join(sorted(split_top_level(event))))
  return events


def _na_pattern(piece: str) -> re.Pattern[str]:
  return re.compile(",(.+),".join(re.escape(p) for p in piece.split(",na,")))


def _refuted(piece: str, others: set[str]) -> bool:
  """True if some string of `others` fills `piece`'s `na` with a non-`na`."""
  pattern = _na_pattern(piece)
  for other in others:
    match = pattern.match(other)
    if match is not None and match.group(1) != "na":
      return True
  return False


def count_f1_na(gold: set[str], pred: set[str]) -> counts.Counts:
  """Counts with the original RE rule for `,na,` pieces (module docstring)."""
  tp = fp = fn = 0
  for piece in gold:
    if ",na," in piece:
      tp += not _refuted(piece, pred)
    elif piece in pred:
      tp += 1
    else:
      fn += 1
  for piece in pred:
    if ",na," in piece:
      fp += _refuted(piece, gold)
    elif piece not in gold:
      fp += 1
  return counts.Counts(tp, fp, fn)


@dataclasses.dataclass(frozen=True)
class Accuracy:
  """Correct and total example counts; `value` is 0 when `total` is 0."""

  correct: int = 0
  total: int = 0

  def __add__(self, other: Accuracy) -> Accuracy:
    if not isinstance(other, Accuracy):
      return NotImplemented
    return Accuracy(self.correct + other.correct, self.total + other.total)

  @property
  def value(self) -> float:
    return self.correct / self.total if self.total else 0.0


def _f1_tally(
  sets: Callable[[str, str], tuple[set[str], set[str]]],
  counter: Callable[[set[str], set[str]], counts.Counts],
) -> Callable[[Sequence[str], Sequence[str]], counts.Counts]:
  def tally(targets: Sequence[str], predictions: Sequence[str]):
    tp = fp = fn = 0
    for target, prediction in zip(targets, predictions, strict=True):
      c = counter(*sets(target, prediction))
      tp, fp, fn = tp + c.tp, fp + c.fp, fn + c.fn
    return counts.Counts(tp, fp, fn)

  return tally


# Tally functions: (targets, predictions) of one dataset -> Counts/Accuracy.


def ee_tally(targets: Sequence[str], predictions: Sequence[str]) -> Accuracy:
  """EE: share of examples whose event set equals the gold set."""
  correct = sum(
    _events(t) == _events(p) for t, p in zip(targets, predictions, strict=True)
  )
  return Accuracy(correct, len(targets))


def eet_tally(targets: Sequence[str], predictions: Sequence[str]) -> Accuracy:
  """EET: share of examples whose normalized text equals the gold text."""
  correct = sum(
    normalize(t) == normalize(p)
    for t, p in zip(targets, predictions, strict=True)
  )
  return Accuracy(correct, len(targets))


# NER and EEA: plain set comparison; RE: with the NA rule.
ner_tally = _f1_tally(ner_sets, counts.count)
re_tally = _f1_tally(re_sets, count_f1_na)
eea_tally = _f1_tally(eea_sets, counts.count)
