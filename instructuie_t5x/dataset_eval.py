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


"""Prediction lines of a model on one dataset split, with the extraction API.

  lines = predict_split(extractor, instances, labels, family="NER",
                        tasks=("NER",), dataset="my_ner", split="test",
                        options=settings.get().prompt)

Each instance of the split becomes the evaluation examples of each task
type, built by `instructions.examples_for_split` exactly as the seqio
tasks build them (strategy "single", the full label set as the option
policy gives it, the prompt options of `tasks.settings`), so the prompts,
targets and hence the scores are those of `t5x.infer` on the task
`instructuie_{task}_{dataset}`. The prompts are decoded in batches by
`Extractor.decode`; each answer is parsed and grounded in the sentence by
`queries.answer` on the query of the same text and labels, in the target
format of the prompt options (`words_bio` answers are realigned to the
sentence's words).

A line holds what `tools.score` reads (`dataset`, `task`, `target`,
`prediction`, `target_format`), what `tools.report`'s audit reads
(`sentence`, `options`), the example `id`, and the extraction API's records
and flags (`entities`, `relations`, `events` or `arguments`;
`truncated_tokens`, `ungrounded`, `invalid_labels`, `parse_problems`;
`windows`, `window_merges`).

With `windows=True` an example whose prompt exceeds the input length is
asked in windows (`instructuie_jax/windows.py`) and its line's
`prediction` is the merged answer in the target format, scored against the
whole example's target; by default the prompt is cut, as `t5x.infer` cuts
it, and the cut is counted (`truncated_tokens`).

`families_of`, `tasks_by_family` and `check_outputs` check what
`tools.evaluate` is asked for before the model loads; `Progress` shows the
decoding on stderr.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from instructuie_jax import cli, gold, instructions, schema, task_types
from instructuie_t5x import queries

# What `tools.evaluate` writes under its --out_dir.
PREDICTIONS_FILE = "predictions.jsonl"
REPORT_DIR = "report"
OUTPUTS = (PREDICTIONS_FILE, "metrics.json", "metrics.md", REPORT_DIR)
SPLIT_ALIASES = {"validation": "dev"}


def _query_labels(labels: schema.Labels) -> Any:
  """The labels as a query takes them: `{type: [roles]}` or a list."""
  if labels.roles is not None:
    return {t: list(labels.roles.get(t, ())) for t in labels.types}
  return list(labels.types)


def examples_with_queries(
  instances: Sequence[schema.Instance],
  labels: schema.Labels,
  *,
  family: str,
  task: str,
  dataset: str,
  split: str,
  options: Any,
  pool: instructions.InstructionPool,
) -> list[tuple[dict[str, str], schema.Instance, queries.Query]]:
  """The evaluation examples of `task`, each with its instance and query.

  Args:
    instances: The split's instances.
    labels: The dataset's labels.
    family: The dataset's family.
    task: A main task type of `family`.
    dataset: The dataset name (the `dataset` feature).
    split: The split file name ("train", "dev", "test").
    options: `instructions.PromptOptions`.
    pool: Its instruction pool.

  Returns:
    `(example, instance, query)` triples, in split order.
  """
  per_event = task_types.get(task).per_event
  query_labels = _query_labels(labels)
  out = []
  for instance in instances:
    examples = list(
      instructions.examples_for_split(
        [instance],
        family,
        labels,
        dataset=dataset,
        split=split,
        train=False,
        options=options,
        tasks=(task,),
        pool=pool,
      )
    )
    items: list[dict[str, Any]] = [{"text": instance.sentence}]
    if per_event:  # One example per typed event, in event order.
      items = [
        {"text": instance.sentence, "event_type": event.type}
        for event in instance.events
        if event.type not in gold.NO_TYPE
      ]
    if len(items) != len(examples):
      raise ValueError(
        f"{instance.id}: {len(examples)} {task} examples for {len(items)} "
        "queries"
      )
    for example, item in zip(examples, items, strict=True):
      query = queries.make_query(
        task, item, query_labels, pool=pool, options=options
      )
      out.append((example, instance, query))
  return out


def predict_split(
  extractor: Any,
  instances: Sequence[schema.Instance],
  labels: schema.Labels,
  *,
  family: str,
  tasks: Sequence[str],
  dataset: str,
  split: str,
  options: Any,
  pool: instructions.InstructionPool,
  progress: Callable[[int, int], None] | None = None,
  windows: bool = False,
  window_overlap: int = queries.WINDOW_OVERLAP,
) -> list[dict[str, Any]]:
  """Decodes every evaluation example of `tasks`; one line per example.

  Args:
    extractor: An `extractor.Extractor` (its `decode` and `batch_size`).
    instances: The split's instances.
    labels: The dataset's labels.
    family: The dataset's family.
    tasks: Main task types of `family`.
    dataset: The dataset name.
    split: The split file name.
    options: `instructions.PromptOptions` (the run's: its target format
      writes the targets and reads the answers).
    pool: The instruction pool of `options`.
    progress: Called with (examples done, examples in all) after each batch.
    windows: Ask an example whose prompt exceeds the input length in
      windows (`queries.window_query`; the extractor's `prompt_length` and
      `input_length`) and score the merged answer, instead of cutting the
      prompt as `t5x.infer` does.
    window_overlap: Tokens of text a window shares with the one before.

  Returns:
    The prediction lines (see the module docstring), task by task; each
    says how many windows its example used (`windows`, `window_merges`).

  Raises:
    ValueError: the target format does not cover a task of `tasks`.
  """
  work = []
  for task in tasks:
    work.extend(
      examples_with_queries(
        instances,
        labels,
        family=family,
        task=task,
        dataset=dataset,
        split=split,
        options=options,
        pool=pool,
      )
    )
  lines = []
  step = max(1, extractor.batch_size)
  for start in range(0, len(work), step):
    chunk = work[start : start + step]
    plans = [
      _windowed(extractor, example, query, windows, window_overlap)
      for example, _, query in chunk
    ]
    decoded = iter(extractor.decode([p.prompt for w in plans for p in w.parts]))
    for (example, instance, query), plan in zip(chunk, plans, strict=True):
      answer = queries.answer_windows(plan, [next(decoded) for _ in plan.parts])
      key = query.task.answer_key
      lines.append(
        {
          "dataset": example["dataset"],
          "task": example["task"],
          "id": example["id"],
          "sentence": instance.sentence,
          "options": list(query.options),
          "target": example["targets"],
          "prediction": answer["prediction"],
          "target_format": query.target_format,
          key: answer[key],
          "truncated_tokens": answer["truncated_tokens"],
          "ungrounded": answer["ungrounded"],
          "repeats": answer["repeats"],
          "invalid_labels": answer["invalid_labels"],
          "parse_problems": answer["parse_problems"],
          "windows": answer["windows"],
          "window_merges": answer["window_merges"],
        }
      )
    if progress is not None:
      progress(len(lines), len(work))
  return lines


def _windowed(
  extractor: Any,
  example: dict[str, str],
  query: queries.Query,
  windows: bool,
  overlap: int,
) -> queries.WindowedQuery:
  """The example's prompt, or its windows when `windows` and too long."""
  query = dataclasses.replace(query, prompt=example["inputs"])
  if not windows:
    return queries.single_window(query)
  return queries.window_query(
    query, extractor.prompt_length, extractor.input_length, overlap
  )


def families_of(data_dir: str, dataset: str) -> list[str]:
  """The families with a `{family}/{dataset}` folder under `data_dir`.

  Raises:
    cli.UserError: none, naming the datasets that are there.
  """
  found = [
    f
    for f in task_types.FAMILIES
    if os.path.isdir(os.path.join(data_dir, f, dataset))
  ]
  if found:
    return found
  try:
    there = [f"{f}/{d}" for f, d in schema.list_datasets(data_dir)]
  except FileNotFoundError:
    raise cli.UserError(f"{data_dir}: no such folder (--data_dir)") from None
  raise cli.UserError(
    f"no {{NER,RE,EE}}/{dataset} folder under {data_dir} (--dataset); "
    f"datasets there: {', '.join(there) or 'none'}"
  )


def tasks_by_family(
  families: Sequence[str], names: Sequence[str] | None
) -> dict[str, list[str]]:
  """`{family: main task types}` to evaluate.

  Raises:
    cli.UsageError: an unknown, auxiliary or other-family task.
  """
  if not names:
    return {
      f: list(task_types.tasks_of_family(f, auxiliary=False)) for f in families
    }
  out: dict[str, list[str]] = {}
  for name in names:
    try:
      record = task_types.get(name.strip().upper())
    except (KeyError, ValueError):
      raise cli.UsageError(
        f"--tasks: unknown task type {name!r}; known: "
        f"{', '.join(task_types.TASK_TYPES)}"
      ) from None
    if record.auxiliary:
      raise cli.UsageError(
        f"--tasks: {record.name} is an auxiliary task (training only)"
      )
    if record.family not in families:
      raise cli.UsageError(
        f"--tasks: {record.name} reads {record.family} data; the dataset has "
        f"{', '.join(families)}"
      )
    out.setdefault(record.family, []).append(record.name)
  return out


def check_outputs(out_dir: str, overwrite: bool) -> None:
  """Raises cli.UserError when an output exists and `overwrite` is off."""
  cli.check_output_dir(out_dir)
  for name in OUTPUTS:
    path = os.path.join(out_dir, name)
    if os.path.lexists(path) and not overwrite:
      raise cli.UserError(f"{path} exists; pass --overwrite to replace it")


class Progress:
  """`decoded N/M examples (S s, R/s)` on stderr, at most every 2 s."""

  def __init__(self, what: str):
    self._what = what
    self._start = time.perf_counter()
    self._shown = 0.0

  def __call__(self, done: int, total: int) -> None:
    now = time.perf_counter() - self._start
    if done < total and now - self._shown < 2.0:
      return
    self._shown = now
    rate = done / now if now > 0 else 0.0
    print(
      f"{self._what}: decoded {done}/{total} examples ({now:.0f} s, "
      f"{rate:.1f}/s)",
      file=sys.stderr,
      flush=True,
    )
