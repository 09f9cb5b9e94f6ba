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
`queries.answer` on the query of the same text and labels.

A line holds what `tools.score` reads (`dataset`, `task`, `target`,
`prediction`), what `tools.report`'s audit reads (`sentence`, `options`),
the example `id`, and the extraction API's records and flags (`entities`,
`relations`, `events` or `arguments`; `truncated_tokens`, `ungrounded`,
`invalid_labels`, `parse_problems`; `windows`, `window_merges`).

With `windows=True` an example whose prompt exceeds the input length is
asked in windows (`instructuie_jax/windows.py`) and its line's
`prediction` is the merged answer in the target format, scored against the
whole example's target; by default the prompt is cut, as `t5x.infer` cuts
it, and the cut is counted (`truncated_tokens`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from instructuie_jax import gold, instructions, schema, task_types
from instructuie_t5x import queries


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
      query = queries.make_query(task, item, query_labels)
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
    options: `instructions.PromptOptions` (target format "instructuie",
      the format the extraction API parses).
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
    ValueError: a target format other than the extraction API's.
  """
  if options.target_format != queries.TARGET_FORMAT:
    raise ValueError(
      f"target format {options.target_format!r}: the extraction API reads "
      f"{queries.TARGET_FORMAT!r} answers only"
    )
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
          key: answer[key],
          "truncated_tokens": answer["truncated_tokens"],
          "ungrounded": answer["ungrounded"],
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
