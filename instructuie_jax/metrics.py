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

"""Strict micro precision, recall and F1 over record sets, per IE task type.

Every score is built from true positive, false positive and false negative
counts (`Counts`), so shards, datasets and task-type totals add up exactly.

Per example, the gold records and the predicted records of one task type are
mapped to *sets of keys*, one set per metric; then

  tp = |gold & pred|, fp = |pred - gold|, fn = |gold - pred|.

Set semantics: a record predicted twice counts once (a duplicate can neither
add a true positive nor a false positive), and a duplicated gold record is
one gold record. Keys compare strings exactly as the target format's parser
returns them (no lower-casing; `original_metrics` has the original
evaluator's normalization). An example whose gold and prediction are both
empty contributes nothing. Precision is tp / (tp + fp), recall tp / (tp + fn),
F1 their harmonic mean; each is 0 when its denominator is 0.

| task | metric           | key of a record                                  |
|------|------------------|--------------------------------------------------|
| NER  | `ner`            | (type, text)                                     |
| ES   | `es`             | text                                             |
| ET   | `et`             | (type, text)                                     |
| RE   | `re_strict`      | (head, relation, tail) [+ head/tail types, opt.] |
| RE   | `re_boundary`    | (head, tail): both arguments right, relation     |
|      |                  | ignored (the entity-pair score of RE outputs)    |
| EP   | `ep`             | (head, tail)                                     |
| EPR  | `epr`            | (head, relation, tail)                           |
| EE   | `ee_trigger_id`  | trigger                                          |
| EE   | `ee_trigger`     | (event type, trigger): trigger classification    |
| EE   | `ee_argument_id` | (event type, argument text), one per argument    |
| EE   | `ee_argument`    | (event type, role, argument text)                |
| EET  | `eet`            | (event type, trigger)                            |
| EET  | `eet_trigger_id` | trigger                                          |
| EEA  | `eea`            | (role, argument text)                            |
| EEA  | `eea_id`         | argument text                                    |

`re_boundary` is not the "boundaries" mode of Taillé et al. (2020), which
keeps the relation type and drops entity types: with untyped targets that
mode equals `re_strict`. `re_strict(require_entity_types=True)` compares the
head and tail entity types as well; it needs records that carry them.

Across datasets of one task type two averages are reported: the macro
average of per-dataset F1 (the paper's tables), and the pooled micro F1 of
the summed counts.

The seqio side: `postprocess` turns a decoded output or target into a dict
holding the parsed records, and `metric_fn(targets, predictions)` returns
`{"{dataset}/{metric}_f1": ...}` on a 0-100 scale plus the counts.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from instructuie_jax import formats, task_types
from instructuie_jax import records as records_lib

KeySet = frozenset

# How many distinct parsed texts one scoring call keeps (then starts over).
_CACHE_LIMIT = 1 << 14
# How many parse problems a `Tally` keeps as examples.
_PROBLEM_SAMPLES = 10


@dataclasses.dataclass(frozen=True)
class Counts:
  """True positive, false positive and false negative counts of one metric.

  Counts add up (`a + b`); precision, recall and F1 are 0..1 floats, each 0
  when its denominator is 0.
  """

  tp: int = 0
  fp: int = 0
  fn: int = 0

  def __add__(self, other: Counts) -> Counts:
    if not isinstance(other, Counts):
      return NotImplemented
    return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

  @property
  def precision(self) -> float:
    denominator = self.tp + self.fp
    return self.tp / denominator if denominator else 0.0

  @property
  def recall(self) -> float:
    denominator = self.tp + self.fn
    return self.tp / denominator if denominator else 0.0

  @property
  def f1(self) -> float:
    p, r = self.precision, self.recall
    return 2 * p * r / (p + r) if p + r else 0.0

  def as_dict(self, scale: float = 1.0) -> dict[str, float | int]:
    """precision, recall, f1 (times `scale`) and tp, fp, fn."""
    return {
      "precision": self.precision * scale,
      "recall": self.recall * scale,
      "f1": self.f1 * scale,
      "tp": self.tp,
      "fp": self.fp,
      "fn": self.fn,
    }


def count(
  gold: Iterable[records_lib.Record], pred: Iterable[records_lib.Record]
) -> Counts:
  """Counts of one example, comparing whole records as sets."""
  gold_set, pred_set = set(gold), set(pred)
  tp = len(gold_set & pred_set)
  return Counts(tp, len(pred_set) - tp, len(gold_set) - tp)


# Key functions: records of one example -> one set of keys per metric.

_EMPTY: KeySet = frozenset()


def _typed_keys(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset(records),)


def _span_keys(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([r[1] for r in records]),)


def _relation_keys(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return (
    frozenset([r[:3] for r in records]),
    frozenset([(r[0], r[2]) for r in records]),
  )


def _typed_relation_keys(
  records: records_lib.Records,
) -> tuple[KeySet, KeySet]:
  return (
    frozenset(records),
    frozenset([(r[0], r[2]) for r in records]),
  )


def _pair_keys(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([(r[0], r[2]) for r in records]),)


def _triple_keys(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([r[:3] for r in records]),)


_NO_EVENT_KEYS = (_EMPTY, _EMPTY, _EMPTY, _EMPTY)


def _event_keys(records: records_lib.Records) -> tuple[KeySet, ...]:
  if len(records) == 1:  # The common case: one event per instance.
    event_type, trigger, arguments = records[0]
    triggers = frozenset((trigger,))
    typed = frozenset(((event_type, trigger),))
    if not arguments:
      return triggers, typed, _EMPTY, _EMPTY
    return (
      triggers,
      typed,
      frozenset([(event_type, a[1]) for a in arguments]),
      frozenset([(event_type, *a) for a in arguments]),
    )
  if not records:
    return _NO_EVENT_KEYS
  triggers = frozenset([e[1] for e in records])
  typed = frozenset([e[:2] for e in records])
  ids, full = [], []
  for event_type, _, arguments in records:
    for argument in arguments:
      ids.append((event_type, argument[1]))
      full.append((event_type, *argument))
  if not ids:
    return triggers, typed, _EMPTY, _EMPTY
  return triggers, typed, frozenset(ids), frozenset(full)


def _trigger_keys(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return frozenset([r[:2] for r in records]), frozenset([r[1] for r in records])


def _argument_keys(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return frozenset(records), frozenset([r[1] for r in records])


KeysFn = Callable[[records_lib.Records], tuple[KeySet, ...]]

# Task type -> (metric names, key function).
_METRICS: dict[str, tuple[tuple[str, ...], KeysFn]] = {
  "NER": (("ner",), _typed_keys),
  "ES": (("es",), _span_keys),
  "ET": (("et",), _typed_keys),
  "RE": (("re_strict", "re_boundary"), _relation_keys),
  "EP": (("ep",), _pair_keys),
  "EPR": (("epr",), _triple_keys),
  "EE": (
    ("ee_trigger_id", "ee_trigger", "ee_argument_id", "ee_argument"),
    _event_keys,
  ),
  "EET": (("eet", "eet_trigger_id"), _trigger_keys),
  "EEA": (("eea", "eea_id"), _argument_keys),
}


def _metrics_of(
  task: str, require_entity_types: bool
) -> tuple[tuple[str, ...], KeysFn]:
  task_types.get(task)  # Raises for an unknown task type.
  names, keys = _METRICS[task]
  if task == "RE" and require_entity_types:
    keys = _typed_relation_keys
  return names, keys


def metric_names(task: str) -> tuple[str, ...]:
  """The strict metrics reported for task type `task`, in report order."""
  return _metrics_of(task, False)[0]


def score_example(
  task: str,
  gold_records: records_lib.Records,
  pred_records: records_lib.Records,
  *,
  require_entity_types: bool = False,
) -> dict[str, Counts]:
  """Counts of one example for every metric of `task`.

  Args:
    task: Task type name ("NER", "RE", ...).
    gold_records: The gold records of the example.
    pred_records: The predicted records.
    require_entity_types: RE only: `re_strict` also compares entity types.

  Returns:
    Metric name -> `Counts`.
  """
  names, keys = _metrics_of(task, require_entity_types)
  result = {}
  for name, gold, pred in zip(
    names, keys(tuple(gold_records)), keys(tuple(pred_records)), strict=True
  ):
    tp = len(gold & pred)
    result[name] = Counts(tp, len(pred) - tp, len(gold) - tp)
  return result


def add_counts(
  *parts: Mapping[str, Counts],
) -> dict[str, Counts]:
  """Sums metric-name -> `Counts` mappings name by name."""
  total: dict[str, Counts] = {}
  for part in parts:
    for name, counts in part.items():
      total[name] = total.get(name, Counts()) + counts
  return total


@dataclasses.dataclass(frozen=True)
class Tally:
  """What scoring a list of target/prediction texts of one task type found.

  Attributes:
    counts: Metric name -> `Counts`.
    examples: Number of target/prediction pairs.
    bad_predictions: Predictions with at least one parse problem (what parsed
      is still scored; gold records of the unreadable part are misses).
    bad_targets: Targets with at least one parse problem.
    problems: Up to 10 `(index, "prediction"|"target", message)` samples.
  """

  counts: dict[str, Counts]
  examples: int = 0
  bad_predictions: int = 0
  bad_targets: int = 0
  problems: tuple[tuple[int, str, str], ...] = ()

  def __add__(self, other: Tally) -> Tally:
    if not isinstance(other, Tally):
      return NotImplemented
    shifted = tuple((i + self.examples, w, m) for i, w, m in other.problems)
    return Tally(
      counts=add_counts(self.counts, other.counts),
      examples=self.examples + other.examples,
      bad_predictions=self.bad_predictions + other.bad_predictions,
      bad_targets=self.bad_targets + other.bad_targets,
      problems=(self.problems + shifted)[:_PROBLEM_SAMPLES],
    )


def _count(
  task: str,
  targets: Sequence[str],
  predictions: Sequence[str],
  parse: Callable[[str, str], formats.ParseResult],
  keys: KeysFn,
  n: int,
) -> tuple[list[int], list[int], list[int], int, int, list]:
  """The counting loop of `tally_texts`."""
  cache: dict[str, tuple[tuple[str, ...], tuple[KeySet, ...]]] = {}
  cached = cache.get
  metric_range = range(n)
  tp, fp, fn = [0] * n, [0] * n, [0] * n
  bad_targets = bad_predictions = 0
  problems: list[tuple[int, str, str]] = []
  for index, target in enumerate(targets):
    gold_entry = cached(target)
    if gold_entry is None:
      if len(cache) >= _CACHE_LIMIT:
        cache.clear()
      result = parse(task, target)
      gold_entry = (result.problems, keys(result.records))
      cache[target] = gold_entry
    gold_problems, gold = gold_entry
    prediction = predictions[index]
    if prediction == target:
      pred_problems = gold_problems
      for j in metric_range:
        tp[j] += len(gold[j])
    else:
      pred_entry = cached(prediction)
      if pred_entry is None:
        if len(cache) >= _CACHE_LIMIT:
          cache.clear()
        result = parse(task, prediction)
        pred_entry = (result.problems, keys(result.records))
        cache[prediction] = pred_entry
      pred_problems, pred = pred_entry
      for j in metric_range:
        g = gold[j]
        p = pred[j]
        both = len(g & p)
        tp[j] += both
        fp[j] += len(p) - both
        fn[j] += len(g) - both
    if gold_problems:
      bad_targets += 1
      if len(problems) < _PROBLEM_SAMPLES:
        problems.append((index, "target", "; ".join(gold_problems)))
    if pred_problems:
      bad_predictions += 1
      if len(problems) < _PROBLEM_SAMPLES:
        problems.append((index, "prediction", "; ".join(pred_problems)))
  return tp, fp, fn, bad_targets, bad_predictions, problems


def tally_texts(
  task: str,
  targets: Sequence[str],
  predictions: Sequence[str],
  fmt: str = "instructuie",
  *,
  require_entity_types: bool = False,
) -> Tally:
  """Parses target and prediction texts of one task type and counts them.

  Identical texts are parsed once (up to 16384 distinct texts at a time),
  and a prediction equal to its target is counted without being compared.
  The cyclic garbage collector is paused while counting.

  Args:
    task: Task type name.
    targets: Target texts.
    predictions: Predicted texts, as many as `targets`.
    fmt: Name of the registered target format.
    require_entity_types: See `score_example`.

  Returns:
    A `Tally`.

  Raises:
    ValueError: The lists differ in length, or `task` is unknown.
  """
  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  names, keys = _metrics_of(task, require_entity_types)
  parse = formats.get(fmt).parse
  # Parsing allocates many small tuples, which sets off the cyclic collector
  # over and over (about 40% of the time); records hold no cycles.
  gc_was_enabled = gc.isenabled()
  gc.disable()
  try:
    tp, fp, fn, bad_targets, bad_predictions, problems = _count(
      task, targets, predictions, parse, keys, len(names)
    )
  finally:
    if gc_was_enabled:
      gc.enable()
  return Tally(
    counts={name: Counts(tp[j], fp[j], fn[j]) for j, name in enumerate(names)},
    examples=len(targets),
    bad_predictions=bad_predictions,
    bad_targets=bad_targets,
    problems=tuple(problems),
  )


def score_texts(
  task: str,
  targets: Sequence[str],
  predictions: Sequence[str],
  fmt: str = "instructuie",
  *,
  require_entity_types: bool = False,
) -> dict[str, Counts]:
  """Metric name -> `Counts` over texts (see `tally_texts`)."""
  return tally_texts(
    task,
    targets,
    predictions,
    fmt,
    require_entity_types=require_entity_types,
  ).counts


def original_score(
  task: str, targets: Sequence[str], predictions: Sequence[str]
) -> dict[str, float]:
  """Scores texts the way the original InstructUIE evaluator does.

  See `original_metrics.original_score`.
  """
  from instructuie_jax import original_metrics

  return original_metrics.original_score(task, targets, predictions)


@dataclasses.dataclass(frozen=True)
class Average:
  """One metric averaged over the datasets of one task type.

  Attributes:
    macro_f1: Mean of the per-dataset F1 (0..1), as the paper's tables.
    micro: Summed counts over the datasets (its `f1` is the pooled F1).
    datasets: Number of datasets averaged.
  """

  macro_f1: float
  micro: Counts
  datasets: int


def average(per_dataset: Mapping[str, Counts]) -> Average:
  """Macro and pooled micro average of one metric over datasets."""
  values = list(per_dataset.values())
  if not values:
    return Average(0.0, Counts(), 0)
  total = sum(values, Counts())
  return Average(sum(c.f1 for c in values) / len(values), total, len(values))


# seqio-shaped postprocessing and metric function.


def _feature(example: Mapping[str, Any] | None, key: str) -> str | None:
  if not example or key not in example:
    return None
  value = example[key]
  if hasattr(value, "item"):  # numpy scalar or 0-d array.
    value = value.item()
  if isinstance(value, bytes):
    value = value.decode("utf-8")
  return str(value) if value is not None else None


def _task_name(task: str) -> str:
  name = task.upper()
  task_types.get(name)
  return name


def postprocess(
  output_or_target: str | bytes,
  example: Mapping[str, Any] | None = None,
  is_target: bool = False,
  *,
  task: str | None = None,
  dataset: str | None = None,
  fmt: str = "instructuie",
) -> dict[str, Any]:
  """seqio postprocess function: parses one decoded text into records.

  The task type and dataset come from the example's `task` and `dataset`
  features (str or bytes); without them, from `task`/`dataset`, bound with
  `functools.partial`.

  Args:
    output_or_target: Decoded model output or target text.
    example: The example's features, as seqio passes them; may be None.
    is_target: True when called on a target.
    task: Default task type name.
    dataset: Default dataset name.
    fmt: Name of the registered target format.

  Returns:
    `{"task", "dataset", "text", "records", "problems", "parse_ok",
    "is_target"}`.

  Raises:
    ValueError: No task type is known, or it is not an IE task type.
  """
  text = output_or_target
  if isinstance(text, bytes):
    text = text.decode("utf-8")
  task_name = _feature(example, "task") or task
  if not task_name:
    raise ValueError(
      "postprocess needs the task type: an example with a 'task' feature, "
      "or task=... bound with functools.partial."
    )
  task_name = _task_name(task_name)
  result = formats.get(fmt).parse(task_name, text)
  return {
    "task": task_name,
    "dataset": _feature(example, "dataset") or dataset or "",
    "text": text,
    "records": result.records,
    "problems": result.problems,
    "parse_ok": result.ok,
    "is_target": is_target,
  }


def _as_parsed(
  value: Any, task: str | None, dataset: str | None, fmt: str
) -> Mapping[str, Any]:
  if isinstance(value, Mapping):
    return value
  return postprocess(value, task=task, dataset=dataset, fmt=fmt)


def metric_fn(
  targets: Sequence[Any],
  predictions: Sequence[Any],
  *,
  task: str | None = None,
  dataset: str | None = None,
  require_entity_types: bool = False,
  fmt: str = "instructuie",
) -> dict[str, float]:
  """seqio metric function over postprocessed targets and predictions.

  Targets and predictions are `postprocess` dicts (plain texts are parsed with
  the `task`/`dataset` defaults). Examples are grouped by the target's
  dataset and task type.

  Args:
    targets: Postprocessed targets.
    predictions: Postprocessed predictions, as many as `targets`.
    task: Default task type for plain-text inputs.
    dataset: Default dataset for plain-text inputs.
    require_entity_types: See `score_example`.
    fmt: Target format for plain-text inputs.

  Returns:
    For each dataset and metric: `{dataset}/{metric}_precision|recall|f1`
    (0-100) and `_tp|_fp|_fn`; per dataset and task type:
    `{dataset}/{task}_examples`, `_unparseable_predictions` and
    `_unparseable_targets` (task in lower case).
  """
  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  groups: dict[tuple[str, str], list[Any]] = {}
  for target, prediction in zip(targets, predictions, strict=True):
    gold = _as_parsed(target, task, dataset, fmt)
    pred = _as_parsed(prediction, task, dataset, fmt)
    key = (gold["dataset"], gold["task"])
    group = groups.setdefault(key, [{}, 0, 0, 0])
    example = score_example(
      gold["task"],
      gold["records"],
      pred["records"],
      require_entity_types=require_entity_types,
    )
    group[0] = add_counts(group[0], example)
    group[1] += 1
    group[2] += 0 if pred["parse_ok"] else 1
    group[3] += 0 if gold["parse_ok"] else 1
  result: dict[str, float] = {}
  for (ds, task_name), (counts, examples, bad_p, bad_t) in groups.items():
    for name, c in counts.items():
      for stat, value in c.as_dict(scale=100.0).items():
        result[f"{ds}/{name}_{stat}"] = value
    prefix = f"{ds}/{task_name.lower()}"
    result[f"{prefix}_examples"] = examples
    result[f"{prefix}_unparseable_predictions"] = bad_p
    result[f"{prefix}_unparseable_targets"] = bad_t
  return result


def original_metric_fn(
  targets: Sequence[Any],
  predictions: Sequence[Any],
  *,
  task: str | None = None,
  dataset: str | None = None,
  fmt: str = "instructuie",
) -> dict[str, float]:
  """seqio metric function with the original evaluator's conventions.

  Reads the `text` of `postprocess` dicts (or plain texts) and returns
  `{dataset}/original_{task}_{stat}` on a 0-100 scale; task types the
  original evaluator does not score (ES, ET, EP, EPR) are left out.
  """
  from instructuie_jax import original_metrics

  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  groups: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
  for target, prediction in zip(targets, predictions, strict=True):
    gold = _as_parsed(target, task, dataset, fmt)
    pred = _as_parsed(prediction, task, dataset, fmt)
    if gold["task"] not in original_metrics.ORIGINAL_TASKS:
      continue
    texts = groups.setdefault((gold["dataset"], gold["task"]), ([], []))
    texts[0].append(gold["text"])
    texts[1].append(pred["text"])
  result: dict[str, float] = {}
  for (ds, task_name), (gold_texts, pred_texts) in groups.items():
    scores = original_metrics.original_score(task_name, gold_texts, pred_texts)
    for key, value in scores.items():
      result[f"{ds}/{key}"] = value * 100.0
  return result
