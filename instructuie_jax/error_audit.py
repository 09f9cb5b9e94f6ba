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

"""What went wrong in IE predictions: an error audit per dataset and task.

Each predicted and gold record is reduced to an *item*: a label and its
spans (texts), as its task type's record says (`TaskType.audit_items`, see
`audit_items`). Items of one example are matched in order:

1. correct: same label and spans;
2. type error: same spans, another label (also counted in the confusion
   table: gold label -> predicted label);
3. boundary error: same label, every span equal to or overlapping the gold
   span (overlap: one contains the other, or they share a word);
4. boundary + type error: overlapping spans and another label;
5. spurious: a predicted item left over; missed: a gold item left over.

Beside the matching, per prediction: unparseable outputs (the parser
reported a problem), duplicates (the same record twice in one output),
labels not among the options (when the options are known) and spans not in
the text (when the sentence is known; compared exactly, then ignoring case
and whitespace). Items are matched as the strict metrics count them, as
multisets: a duplicate beyond the gold's copies is matched as an error of its
own (often spurious), so `correct` equals the strict metric's tp.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from instructuie_jax import formats, task_types
from instructuie_jax import records as records_lib
from instructuie_jax.audit_items import Item

CATEGORIES: tuple[str, ...] = (
  "correct",
  "type_error",
  "boundary_error",
  "boundary_and_type_error",
  "spurious",
  "missed",
)
MISSED = "(missed)"
SPURIOUS = "(spurious)"

_WORD = re.compile(r"\w+")


def items(
  task: str | task_types.TaskType, records: Iterable[records_lib.Record]
) -> list[Item]:
  """The (label, spans) items of `records` (see `audit_items`)."""
  return task_types.get(task).audit_items.items(records)


def prompt_parts(
  task: str | task_types.TaskType, prompt: str
) -> tuple[tuple[str, ...] | None, str | None]:
  """(options, sentence) read back from a rendered prompt of `task`.

  Both are None when the prompt does not have the task's layout (see
  `prompts.PromptLayout.read`). EE prompts give event types and roles
  together.
  """
  return task_types.get(task).layout.read(prompt)


def dataset_options(task: str | task_types.TaskType, labels) -> tuple[str, ...]:
  """The labels of a dataset (`schema.Labels`) that `task`'s items use."""
  return task_types.get(task).audit_items.options(labels)


def _words(text: str) -> set[str]:
  return set(_WORD.findall(text.lower()))


def overlaps(a: str, b: str) -> bool:
  """True when spans `a` and `b` contain one another or share a word."""
  la, lb = a.lower(), b.lower()
  return la in lb or lb in la or bool(_words(a) & _words(b))


def _spans_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
  return len(a) == len(b) and all(
    overlaps(x, y) for x, y in zip(a, b, strict=True)
  )


def _squash(text: str) -> str:
  return "".join(text.lower().split())


def in_text(span: str, sentence: str) -> bool:
  """`span` occurs in `sentence` exactly or ignoring case and whitespace."""
  return span in sentence or _squash(span) in _squash(sentence)


@dataclasses.dataclass
class Audit:
  """The audit of one dataset and task type.

  Attributes:
    examples: Target/prediction pairs.
    unparseable: Predictions with a parse problem.
    unparseable_samples: Up to 5 "source: problem" strings.
    empty_predictions: Predictions without records whose target has some.
    duplicates: Records repeated within one prediction (extra copies).
    label_checked: Predicted labels looked up among known options.
    label_not_in_options: ... of which not an option; `bad_labels` counts them.
    span_checked: Predicted spans looked up in a known sentence.
    span_not_in_text: ... of which not in the sentence.
    categories: Item counts per `CATEGORIES` name.
    confusion: gold label -> predicted label -> count, for items with the
      same spans (correct and type errors), plus `MISSED` / `SPURIOUS`
      (EE: event types for triggers, roles for arguments).
    samples: Up to 5 examples ("source: what") per category of error.
  """

  examples: int = 0
  unparseable: int = 0
  unparseable_samples: list[str] = dataclasses.field(default_factory=list)
  empty_predictions: int = 0
  duplicates: int = 0
  label_checked: int = 0
  label_not_in_options: int = 0
  bad_labels: Counter = dataclasses.field(default_factory=Counter)
  span_checked: int = 0
  span_not_in_text: int = 0
  categories: Counter = dataclasses.field(default_factory=Counter)
  confusion: dict[str, Counter] = dataclasses.field(default_factory=dict)
  samples: dict[str, list[str]] = dataclasses.field(default_factory=dict)

  def as_dict(self) -> dict[str, Any]:
    """JSON-ready copy."""
    d = dataclasses.asdict(self)
    d["bad_labels"] = dict(self.bad_labels.most_common())
    d["categories"] = {c: self.categories.get(c, 0) for c in CATEGORIES}
    d["confusion"] = {g: dict(c) for g, c in self.confusion.items()}
    return d


_MAX_SAMPLES = 5


def _sample(audit: Audit, key: str, text: str) -> None:
  bucket = audit.samples.setdefault(key, [])
  if len(bucket) < _MAX_SAMPLES:
    bucket.append(text)


def _confuse(audit: Audit, gold: str, pred: str) -> None:
  # EE argument labels are "type/role": the table shows the role.
  gold, pred = gold.rsplit("/", 1)[-1], pred.rsplit("/", 1)[-1]
  audit.confusion.setdefault(gold, Counter())[pred] += 1


def match(gold: Sequence[Item], pred: Sequence[Item]) -> list[tuple]:
  """Matches items of one example; returns (category, gold, pred) triples.

  `gold` or `pred` is None for missed and spurious items.
  """
  gold_left = list(gold)
  pred_left = list(pred)
  out: list[tuple] = []

  def take(category: str, accept) -> None:
    for p in list(pred_left):
      for g in gold_left:
        if accept(g, p):
          out.append((category, g, p))
          gold_left.remove(g)
          pred_left.remove(p)
          break

  take("correct", lambda g, p: g == p)
  take("type_error", lambda g, p: g[1] == p[1])
  take(
    "boundary_error", lambda g, p: g[0] == p[0] and _spans_overlap(g[1], p[1])
  )
  take("boundary_and_type_error", lambda g, p: _spans_overlap(g[1], p[1]))
  out += [("spurious", None, p) for p in pred_left]
  out += [("missed", g, None) for g in gold_left]
  return out


def _describe(item: Item | None) -> str:
  if item is None:
    return "-"
  return f"{item[0]}: {' | '.join(item[1])}" if item[0] else " | ".join(item[1])


def audit_examples(
  task: str | task_types.TaskType,
  examples: Sequence[Mapping[str, Any]],
  options: Sequence[str] | None = None,
  fmt: str = "instructuie",
) -> Audit:
  """Audits target/prediction pairs of one dataset and task type.

  Args:
    task: The task type (or its name).
    examples: Mappings with `target` and `prediction` texts, and optionally
      `sentence`, `options` (labels offered in this example's prompt) and
      `source` ("file:line").
    options: Labels of the dataset, used where an example has no `options`.
    fmt: Target format.

  Returns:
    An `Audit`.
  """
  task = task_types.get(task)
  parse = formats.get(fmt).parse
  reading = task.audit_items
  audit = Audit()
  for example in examples:
    audit.examples += 1
    source = example.get("source") or f"example {audit.examples}"
    gold_result = parse(task, example["target"])
    pred_result = parse(task, example["prediction"])
    if pred_result.problems:
      audit.unparseable += 1
      if len(audit.unparseable_samples) < _MAX_SAMPLES:
        audit.unparseable_samples.append(
          f"{source}: {'; '.join(pred_result.problems)}"
        )
    gold = reading.items(gold_result.records)
    pred = reading.items(pred_result.records)
    if gold and not pred:
      audit.empty_predictions += 1
    extra = len(pred_result.records) - len(set(pred_result.records))
    if extra:
      audit.duplicates += extra
      _sample(audit, "duplicate", f"{source}: {example['prediction']!r}")
    known = example.get("options") or options
    if known:
      allowed = set(known)
      for item in dict.fromkeys(pred):
        for label in reading.checked(item[0]):
          audit.label_checked += 1
          if label not in allowed:
            audit.label_not_in_options += 1
            audit.bad_labels[label] += 1
            _sample(audit, "label_not_in_options", f"{source}: {label!r}")
    sentence = example.get("sentence")
    if sentence:
      for item in dict.fromkeys(pred):
        for span in item[1]:
          audit.span_checked += 1
          if not in_text(span, sentence):
            audit.span_not_in_text += 1
            _sample(audit, "span_not_in_text", f"{source}: {span!r}")
    for category, g, p in match(gold, pred):
      audit.categories[category] += 1
      if category in ("correct", "type_error"):
        _confuse(audit, g[0], p[0])
      elif category == "missed":
        _confuse(audit, g[0], MISSED)
      elif category == "spurious":
        _confuse(audit, SPURIOUS, p[0])
      if category != "correct":
        _sample(
          audit,
          category,
          f"{source}: gold {_describe(g)!r}, predicted {_describe(p)!r}",
        )
  return audit


def confusion_labels(
  confusion: Mapping[str, Mapping[str, int]],
) -> tuple[list[str], list[str]]:
  """(row labels, column labels) of a confusion table, sorted.

  `SPURIOUS` comes last among the rows and `MISSED` last among the columns.
  """
  rows = sorted(g for g in confusion if g != SPURIOUS)
  if SPURIOUS in confusion:
    rows.append(SPURIOUS)
  cols = sorted({p for c in confusion.values() for p in c} - {MISSED, SPURIOUS})
  if any(MISSED in c for c in confusion.values()):
    cols.append(MISSED)
  return rows, cols
