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

"""Strict micro precision, recall and F1 over record multisets, per IE task.

Every score is built from true positive, false positive and false negative
counts (`Counts`), so shards, datasets and task-type totals add up exactly.

Per example, the gold records and the predicted records of one task type are
mapped to *multisets of keys* (`metric_keys.bag`), one per metric; then, over
the keys k with their gold and predicted counts g(k) and p(k),

  tp = sum of min(g(k), p(k)), fp = |pred| - tp, fn = |gold| - tp.

Multiset semantics, as the entity-level scorers (seqeval, conlleval) count
spans: a mention repeated in a sentence's gold is two gold mentions, and a
record predicted once more than the gold holds it is one false positive. On
NER converted from BIO tags, with the k-th copy of a `(type, text)` answer
read as the k-th occurrence of its text (as `grounding` reads repeats), the
counts equal seqeval's strict IOB2 counts (tests/seqeval_crosscheck_test.py,
benchmarks/seqeval_crosscheck.py). The `original` mode (`original_metrics`)
keeps the original evaluator's sets, where a repeat counts once. Keys
compare strings exactly as the target format's parser returns them (no
lower-casing; `original_conventions` has the original evaluator's
normalization). An example whose gold and prediction are both
empty contributes nothing. Precision is tp / (tp + fp), recall tp / (tp + fn),
F1 their harmonic mean; each is 0 when its denominator is 0.

Each task type's record (`task_types.TaskType`) names its metrics and their
key function (`metric_keys`):

| task | metrics                                                          |
|------|------------------------------------------------------------------|
| NER  | `ner` (type, text)                                               |
| ES   | `es` text                                                        |
| ET   | `et` (type, text)                                                |
| RE   | `re_strict` (head, relation, tail) [+ head/tail types, opt.];   |
|      | `re_boundary` (head, tail): both arguments right, relation       |
|      | ignored (the entity-pair score of RE outputs)                    |
| EP   | `ep` (head, tail)                                                |
| EPR  | `epr` (head, relation, tail)                                     |
| EE   | `ee_trigger_id` trigger; `ee_trigger` (event type, trigger);     |
|      | `ee_argument_id` (event type, argument text); `ee_argument`      |
|      | (event type, role, argument text); over all events of the example |
| EET  | `eet` (event type, trigger); `eet_trigger_id` trigger            |
| EEA  | `eea` (role, argument text); `eea_id` argument text              |

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
`score_example`, `tally_texts` and `metric_fn` share one counting loop.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from instructuie_jax import formats, original_metrics, task_types
from instructuie_jax import records as records_lib
from instructuie_jax.counts import Counts, tp_fp_fn
from instructuie_jax.metric_keys import KeySet, KeysFn

# How many distinct parsed texts one scoring call keeps (then starts over).
_CACHE_LIMIT = 1 << 14
# How many parse problems a `Tally` keeps as examples.
_PROBLEM_SAMPLES = 10


def _metrics_of(
  task: str, require_entity_types: bool
) -> tuple[tuple[str, ...], KeysFn]:
  task_type = task_types.get(task)  # Raises for an unknown task type.
  return task_type.metric_names, task_type.keys_fn(require_entity_types)


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
  return _tally(
    names,
    [tuple(gold_records)],
    [tuple(pred_records)],
    lambda records: ((), keys(records)),
  ).counts


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


# An entry: (parse problems, one key bag per metric) of one target or
# prediction.
_Entry = tuple[Sequence[str], tuple[KeySet, ...]]


def _tally(
  names: Sequence[str],
  targets: Sequence[Hashable],
  predictions: Sequence[Hashable],
  entry: Callable[[Any], _Entry],
) -> Tally:
  """The counting loop of `score_example`, `tally_texts` and `metric_fn`.

  `entry` maps a target or prediction to its parse problems and key bags;
  it is called once per distinct item (up to `_CACHE_LIMIT` at a time), and
  a prediction equal to its target is counted without being compared. The
  cyclic garbage collector is paused while counting: parsing allocates many
  small tuples, which sets it off over and over (about 40% of the time);
  records hold no cycles.
  """
  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  n = len(names)
  cache: dict[Any, _Entry] = {}
  cached = cache.get
  metric_range = range(n)
  tp, fp, fn = [0] * n, [0] * n, [0] * n
  bad_targets = bad_predictions = 0
  problems: list[tuple[int, str, str]] = []
  gc_was_enabled = gc.isenabled()
  gc.disable()
  try:
    for index, target in enumerate(targets):
      gold_entry = cached(target)
      if gold_entry is None:
        if len(cache) >= _CACHE_LIMIT:
          cache.clear()
        gold_entry = cache[target] = entry(target)
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
          pred_entry = cache[prediction] = entry(prediction)
        pred_problems, pred = pred_entry
        for j in metric_range:
          both, extra, missed = tp_fp_fn(gold[j], pred[j])
          tp[j] += both
          fp[j] += extra
          fn[j] += missed
      if gold_problems:
        bad_targets += 1
        if len(problems) < _PROBLEM_SAMPLES:
          problems.append((index, "target", "; ".join(gold_problems)))
      if pred_problems:
        bad_predictions += 1
        if len(problems) < _PROBLEM_SAMPLES:
          problems.append((index, "prediction", "; ".join(pred_problems)))
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
  names, keys = _metrics_of(task, require_entity_types)
  parse = formats.get(fmt).parse

  def entry(text: str) -> _Entry:
    result = parse(task, text)
    return result.problems, keys(result.records)

  return _tally(names, targets, predictions, entry)


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
    "is_target", "target_format"}`.

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
    "target_format": fmt,
  }


def _as_parsed(
  value: Any, task: str | None, dataset: str | None, fmt: str
) -> Mapping[str, Any]:
  if isinstance(value, Mapping):
    return value
  return postprocess(value, task=task, dataset=dataset, fmt=fmt)


def _grouped(
  targets: Sequence[Any],
  predictions: Sequence[Any],
  task: str | None,
  dataset: str | None,
  fmt: str,
) -> dict[tuple[str, str], list[tuple[Mapping[str, Any], Mapping[str, Any]]]]:
  """`(gold, prediction)` postprocess dicts grouped by the target's
  `(dataset, task)`, in input order (plain texts parsed with the defaults).

  Raises:
    ValueError: Not as many predictions as targets.
  """
  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  groups: dict[tuple[str, str], list[Any]] = {}
  for target, prediction in zip(targets, predictions, strict=True):
    gold = _as_parsed(target, task, dataset, fmt)
    pred = _as_parsed(prediction, task, dataset, fmt)
    groups.setdefault((gold["dataset"], gold["task"]), []).append((gold, pred))
  return groups


def _hashable(parsed: Mapping[str, Any]) -> tuple[tuple, tuple]:
  """A postprocess dict as a hashable `(records, problems)` pair."""
  return tuple(parsed["records"]), tuple(parsed["problems"])


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
  result: dict[str, float] = {}
  groups = _grouped(targets, predictions, task, dataset, fmt)
  for (ds, task_name), pairs in groups.items():
    gold_items = [_hashable(gold) for gold, _ in pairs]
    pred_items = [_hashable(pred) for _, pred in pairs]
    names, keys = _metrics_of(task_name, require_entity_types)
    tally = _tally(
      names, gold_items, pred_items, lambda item, k=keys: (item[1], k(item[0]))
    )
    for name, c in tally.counts.items():
      for stat, value in c.as_dict(scale=100.0).items():
        result[f"{ds}/{name}_{stat}"] = value
    prefix = f"{ds}/{task_name.lower()}"
    result[f"{prefix}_examples"] = tally.examples
    result[f"{prefix}_unparseable_predictions"] = tally.bad_predictions
    result[f"{prefix}_unparseable_targets"] = tally.bad_targets
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
  original evaluator does not score (ES, ET, EP, EPR) and texts in another
  target format than "instructuie" are left out.
  """
  result: dict[str, float] = {}
  groups = _grouped(targets, predictions, task, dataset, fmt)
  for (ds, task_name), pairs in groups.items():
    if task_name not in original_metrics.ORIGINAL_TASKS:
      continue
    pairs = [
      (gold, pred)
      for gold, pred in pairs
      if gold.get("target_format", "instructuie") == "instructuie"
    ]
    if not pairs:
      continue
    gold_texts = [gold["text"] for gold, _ in pairs]
    pred_texts = [pred["text"] for _, pred in pairs]
    scores = original_metrics.original_score(task_name, gold_texts, pred_texts)
    for key, value in scores.items():
      result[f"{ds}/{key}"] = value * 100.0
  return result
