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

"""Extraction queries: user input -> prompt, and model answer -> records.

The pure half of the extraction API (no JAX, TF or T5X import), shared by
`extractor.Extractor`, `tools.extract` and `tools.serve`:

  query = make_query("NER", {"text": "Ada met Bob."}, ["person"])
  query.prompt            # the InstructUIE prompt, as training builds it
  answer(query, " person: Ada; person: Bob", truncated_tokens=0)
  # {"text": ..., "task": "NER", "entities": [{"text": "Ada", "type":
  #  "person", "start": 0, "end": 3, "grounded": True, "valid_label": True},
  #  ...], "prediction": ..., "truncated_tokens": 0, "ungrounded": 0,
  #  "invalid_labels": 0, "parse_problems": []}

A text whose prompt is too long for the model is asked in windows
(`instructuie_jax.windows`) and the answers merged:

  plan = window_query(query, prompt_length, input_length)
  answer_windows(plan, [(prediction, 0) for each of plan.parts])
  # as above, with offsets into the whole text, plus "windows",
  # "window_merges", "window_offsets" and "window_predictions"

An input item is a text or a dict `{"text": ...}` with optional per-text
fields (they override the call's defaults):

| field        | tasks     | value                                            |
|--------------|-----------|--------------------------------------------------|
| `labels`     | all       | the options: entity types, relations, event types |
|              |           | (EE: also `{type: [roles]}`), EEA: roles          |
| `roles`      | EE        | argument roles offered (or from `{type: [roles]}`) |
| `entities`   | ET        | entity names to type                             |
| `pairs`      | EPR       | `[[head, tail], ...]` pairs to classify          |
| `event_type` | EEA       | the event whose arguments are asked for          |

`read_items` reads JSON lines of input items and `check_items` builds their
queries, naming the line of the first bad one (`tools.extract`).

Prompts use the shipped instruction pool and its first instruction per task
(strategy "single", as evaluation does), with the options in the given
order, so a query's prompt equals the evaluation prompt of the same sentence.
A model trained with other prompt options (`instructions.PromptOptions`: a
target format such as "words_bio", an instruction file) is asked with them
(`make_query(..., options=...)`; the extractor passes its run's): the prompt
is rendered as training rendered it and the answer is parsed in that target
format (`Query.target_format`), which must cover the task type.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from instructuie_jax import (
  cli,
  formats,
  grounding,
  instructions,
  json_input,
  prompts,
  task_types,
)
from instructuie_jax import windows as windows_lib

# The target format of a query made without prompt options.
TARGET_FORMAT = "instructuie"
# Tokens of text a window shares with the one before (`windows.split`).
WINDOW_OVERLAP = 32

INPUT_FIELDS = ("text", "labels", "roles", "entities", "pairs", "event_type")


QueryError = prompts.QueryError


@dataclasses.dataclass(frozen=True)
class Query:
  """One text to extract from, with everything its prompt needs.

  Attributes:
    task: The task type record.
    text: The input text.
    options: The options shown in the prompt (EE: event types; EEA: roles).
    extra: The prompt's extra parts (`instructions.render_prompt`).
    prompt: The prompt given to the model.
    label_check: What grounding checks labels against.
    hint: Labels hint for the parser.
    item: The input item as given (a dict; extra fields are passed through).
    instruction: The instruction of the prompt.
    target_format: The registered target format the answer is read in.
  """

  task: task_types.TaskType
  text: str
  options: tuple[str, ...]
  extra: Mapping[str, Any]
  prompt: str
  label_check: grounding.Options
  hint: Any
  item: Mapping[str, Any]
  instruction: str = ""
  target_format: str = TARGET_FORMAT


def check_unicode(value: Any, field: str) -> None:
  """Raises QueryError when a string in `value` holds a lone surrogate.

  JSON can spell one (`"\\ud800"`), but it is not text: no tokenizer
  encodes it, nor can it be written as UTF-8.
  """
  if isinstance(value, str):
    for i, char in enumerate(value):
      if "\ud800" <= char <= "\udfff":
        raise QueryError(
          field,
          f"holds a lone surrogate (U+{ord(char):04X}) at character {i}: "
          "not Unicode text",
        )
  elif isinstance(value, Mapping):
    for key, x in value.items():
      check_unicode(key, field)
      check_unicode(x, f"{field}[{key!r}]")
  elif isinstance(value, Sequence):
    for i, x in enumerate(value):
      check_unicode(x, f"{field}[{i}]")


def _role_map(value: Any, field: str) -> dict[str, tuple[str, ...]]:
  out = {}
  for event_type, roles in value.items():
    if not isinstance(event_type, str) or not event_type.strip():
      raise QueryError(field, f"event type {event_type!r:.80} is not a string")
    out[event_type] = prompts.strings(roles, f"{field}[{event_type!r}]")
  return out


def check_labels(
  task: str | task_types.TaskType, labels: Any, field: str = "labels"
) -> Any:
  """Validates the labels of `task`; returns a tuple or an EE role dict."""
  task = task_types.get(task)
  if labels is None:
    raise QueryError(field, f"{task} needs labels (the options to offer)")
  if isinstance(labels, Mapping):
    if not task.family.roles:
      names = [t.name for t in task_types.TASK_TYPES.values() if t.family.roles]
      readers = " and ".join([", ".join(names[:-1]), names[-1]])
      raise QueryError(
        field, f"a {{type: [roles]}} mapping is for {readers}, not {task}"
      )
    result: Any = _role_map(labels, field)
  else:
    result = prompts.strings(labels, field)
  if not result:
    raise QueryError(field, "must not be empty")
  return result


def make_query(
  task: str | task_types.TaskType,
  item: str | Mapping[str, Any],
  labels: Any = None,
  *,
  roles: Sequence[str] | None = None,
  pool: instructions.InstructionPool | None = None,
  options: instructions.PromptOptions | None = None,
) -> Query:
  """Builds the query of one input item.

  Args:
    task: The task type, or its name ("NER", "RE", "EE", "ES", "ET", "EP",
      "EPR", "EET", "EEA").
    item: The text, or a dict with "text" and optional per-text fields (see
      the module docstring).
    labels: Default options when the item has no "labels".
    roles: EE: default roles when neither labels nor the item give them.
    pool: Instruction pool; default: that of `options`.
    options: The prompt options of the model's training run (its target
      format and instruction file); default: `PromptOptions()`, the
      original format with the shipped pool.

  Returns:
    The query.

  Raises:
    QueryError: Naming the field that is missing or malformed, or "task"
      when the target format of `options` does not cover the task type.
    ValueError: For an unknown task.
  """
  task_type = task_types.get(task)
  prompt_options = options or instructions.PromptOptions()
  target_format = prompt_options.target_format
  try:
    formats.check_covers(
      target_format, formats.get(target_format).tasks(), task_type
    )
  except ValueError as e:
    raise QueryError("task", str(e)) from None
  if isinstance(item, str):
    item = {"text": item}
  elif not isinstance(item, Mapping):
    raise QueryError(
      "text", f"an item must be a string or an object, got {item!r:.80}"
    )
  text = item.get("text")
  if not isinstance(text, str):
    raise QueryError("text", f"must be a string, got {text!r:.80}")
  if not text.strip():
    raise QueryError("text", "must not be empty")
  for field in INPUT_FIELDS:
    check_unicode(item.get(field), field)
  check_unicode(labels, "labels")
  check_unicode(roles, "roles")
  if item.get("labels") is not None:
    labels = check_labels(task_type, item["labels"])
  else:
    labels = check_labels(task_type, labels)
  parts = task_type.query_parts(item, labels, roles)
  options, extra = parts.options, parts.extra
  pool = pool or instructions.options_pool(prompt_options)
  instruction = instructions.choose_instruction(
    pool, task_type.name, "single", None
  )
  prompt = instructions.render_prompt(
    task_type, instruction, options, text, extra
  )
  check = grounding.options_for(task_type, options, roles=parts.roles)
  if parts.roles is None:
    hint: Any = options
  else:
    hint = types.SimpleNamespace(
      types=options,
      roles=parts.roles
      if isinstance(parts.roles, Mapping)
      else {t: tuple(parts.roles) for t in options},
    )
  return Query(
    task=task_type,
    text=text,
    options=options,
    extra=extra,
    prompt=prompt,
    label_check=check,
    hint=hint,
    item=dict(item),
    instruction=instruction,
    target_format=target_format,
  )


def _read(
  query: Query, prediction: str
) -> tuple[formats.ParseResult, grounding.Grounded]:
  """Parses with and without the labels hint; keeps the better grounded.

  The hint resolves names that contain separators, but it also joins an item
  whose label was not offered to the item before it ("person: Ada; city:
  Bob" becomes one entity "Ada; city: Bob"), hiding the invalid label. Of
  the two readings, the one with fewer spans missing from the text wins,
  then the one with more spans found; on a tie, the hinted one.
  """
  fmt = formats.get(query.target_format)
  text = query.text  # Formats that write the words of the input realign.
  hinted = fmt.parse(query.task, prediction, labels=query.hint, sentence=text)
  best = (
    hinted,
    grounding.ground(query.text, hinted.records, query.label_check),
  )
  plain = fmt.parse(query.task, prediction, sentence=text)
  if plain.records != hinted.records:
    other = grounding.ground(query.text, plain.records, query.label_check)
    if _rank(other) < _rank(best[1]):
      best = (plain, other)
  return best


def _rank(grounded: grounding.Grounded) -> tuple[int, int]:
  return grounded.ungrounded, grounded.ungrounded - grounded.spans


def answer(
  query: Query, prediction: str, truncated_tokens: int = 0
) -> dict[str, Any]:
  """Parses and grounds the model's answer to `query`.

  Args:
    query: The query.
    prediction: The decoded model output.
    truncated_tokens: Prompt tokens cut to fit the input length.

  Returns:
    The input item's fields, plus `task`, the records under
    the task type's `answer_key` (JSON dicts with offsets and flags),
    `prediction`, `truncated_tokens`, `ungrounded` (spans without offsets),
    `repeats` (those of them whose text is in the text: copies of an answer
    beyond the occurrences of its text), `invalid_labels` and
    `parse_problems`.
  """
  parsed, grounded = _read(query, prediction)
  out = dict(query.item)
  out["task"] = query.task.name
  key = query.task.answer_key
  out[key] = grounded.to_json().get(key, [])
  out.update(
    prediction=prediction,
    truncated_tokens=truncated_tokens,
    ungrounded=grounded.ungrounded,
    repeats=grounded.repeats,
    invalid_labels=grounded.invalid_labels,
    parse_problems=list(parsed.problems),
  )
  return out


@dataclasses.dataclass(frozen=True)
class WindowedQuery:
  """A query and the window queries its text is asked in.

  Attributes:
    query: The query of the whole text.
    windows: Its windows (`windows.Window`); one `[0, len(text))` when the
      prompt fits or the task is not `windowed`.
    parts: One query per window, each with the window's text and the same
      instruction, options and extra parts (`parts == (query,)` for one).
  """

  query: Query
  windows: tuple[windows_lib.Window, ...]
  parts: tuple[Query, ...]


def single_window(query: Query) -> WindowedQuery:
  """`query` asked whole (its prompt cut if too long, as before windows)."""
  return WindowedQuery(
    query, (windows_lib.Window(0, len(query.text)),), (query,)
  )


def window_query(
  query: Query,
  prompt_length: Callable[[str], int],
  input_length: int,
  overlap: int = WINDOW_OVERLAP,
) -> WindowedQuery:
  """Splits a query whose prompt is too long into window queries.

  Args:
    query: The query.
    prompt_length: Tokens of a prompt, EOS included (the model's tokenizer).
    input_length: The most tokens a prompt may have.
    overlap: Tokens of text a window shares with the one before.

  Returns:
    The windowed query; one window when the prompt fits or the task type is
    not `windowed`.
  """
  if not query.task.windowed or prompt_length(query.prompt) <= input_length:
    return single_window(query)

  def render(piece: str) -> str:
    return instructions.render_prompt(
      query.task, query.instruction, query.options, piece, query.extra
    )

  spans = windows_lib.split(
    query.text,
    lambda piece: prompt_length(render(piece)),
    input_length,
    overlap=overlap,
  )
  parts = []
  for window in spans:
    piece = query.text[window.start : window.end]
    parts.append(
      dataclasses.replace(
        query, text=piece, prompt=render(piece), item={"text": piece}
      )
    )
  return WindowedQuery(query, tuple(spans), tuple(parts))


def answer_windows(
  windowed: WindowedQuery, decoded: Sequence[tuple[str, int]]
) -> dict[str, Any]:
  """Parses, grounds and merges the answers of a windowed query.

  Args:
    windowed: The windowed query.
    decoded: `(prediction, truncated_tokens)` per window query.

  Returns:
    What `answer` returns, plus `windows` (how many) and `window_merges`
    (records given by two windows, or cut by a window's edge and held
    whole by another, kept once). With several windows, the records carry
    offsets into the whole text, `prediction` is the merged records in the
    target format (so that a scorer of predictions reads the merged
    answer), `window_predictions` the windows' own, `truncated_tokens`, `ungrounded`, `invalid_labels` and
    `parse_problems` are totals over the windows (`truncated_tokens` is 0
    unless even a window's prompt was too long) and `window_offsets` lists
    each window's `[start, end]`.
  """
  if len(decoded) != len(windowed.parts):
    raise ValueError(
      f"{len(decoded)} answers for {len(windowed.parts)} window queries"
    )
  if len(windowed.parts) == 1:
    out = answer(windowed.query, *decoded[0])
    out.update(windows=1, window_merges=0)
    return out
  query = windowed.query
  key = query.task.answer_key
  answers = [
    answer(part, prediction, truncated)
    for part, (prediction, truncated) in zip(
      windowed.parts, decoded, strict=True
    )
  ]
  merged, merges = windows_lib.merge(
    query.text, windowed.windows, [a[key] for a in answers]
  )
  flags = windows_lib.count_flags(query.text, merged)
  out = dict(query.item)
  out["task"] = query.task.name
  out[key] = merged
  prediction, unwritten = _merged_prediction(
    query, grounding.records_from_json(key, merged)
  )
  out.update(
    prediction=prediction,
    window_predictions=[a["prediction"] for a in answers],
    truncated_tokens=sum(a["truncated_tokens"] for a in answers),
    ungrounded=flags.ungrounded,
    repeats=flags.repeats,
    invalid_labels=flags.invalid_labels,
    parse_problems=[p for a in answers for p in a["parse_problems"]]
    + unwritten,
    windows=len(answers),
    window_merges=merges,
    window_offsets=[[w.start, w.end] for w in windowed.windows],
  )
  return out


def _merged_prediction(
  query: Query, records: Sequence[Any]
) -> tuple[str, list]:
  """The merged records in the query's target format, and what it cannot
  write.

  A format that writes the words of the text (words_bio) cannot write
  overlapping spans, which windows may give together; the records are then
  written in order, each one that cannot join those before left out of the
  text and named in a problem (they stay in the answer's records).
  """
  fmt = formats.get(query.target_format)
  try:
    return fmt.linearize(query.task, tuple(records), sentence=query.text), []
  except ValueError:
    pass
  kept: list[Any] = []
  problems = []
  for record in records:
    try:
      fmt.linearize(query.task, (*kept, record), sentence=query.text)
    except ValueError as e:
      problems.append(f"merged answer: not written: {e}")
      continue
    kept.append(record)
  text = fmt.linearize(query.task, tuple(kept), sentence=query.text)
  return text, problems


def summarize(answers: Sequence[Mapping[str, Any]]) -> dict[str, int]:
  """Totals over answers: texts, truncated texts/tokens, flags, problems,
  and, where answers were windowed, texts split, windows and merges."""
  return {
    "texts": len(answers),
    "truncated_texts": sum(1 for a in answers if a["truncated_tokens"]),
    "truncated_tokens": sum(a["truncated_tokens"] for a in answers),
    "ungrounded": sum(a["ungrounded"] for a in answers),
    "repeats": sum(a["repeats"] for a in answers),
    "invalid_labels": sum(a["invalid_labels"] for a in answers),
    "parse_problems": sum(len(a["parse_problems"]) for a in answers),
    "windowed_texts": sum(1 for a in answers if a.get("windows", 1) > 1),
    "windows": sum(a.get("windows", 1) for a in answers),
    "window_merges": sum(a.get("window_merges", 0) for a in answers),
  }


def describe_flags(totals: Mapping[str, int]) -> str:
  """The answers' flags of `summarize`'s totals, as the tools print them."""
  return (
    f"spans not in the text: {totals['ungrounded'] - totals['repeats']}; "
    f"answers repeated beyond their text's occurrences: {totals['repeats']}; "
    f"labels not offered: {totals['invalid_labels']}"
  )


def describe_windows(totals: Mapping[str, int]) -> str:
  """The windows of `summarize`'s totals, as the tools print them."""
  return (
    f"windows: {totals['windowed_texts']} texts split into "
    f"{totals['windows'] - totals['texts'] + totals['windowed_texts']} "
    f"windows; {totals['window_merges']} answers merged"
  )


def read_items(text: str, source: str) -> list[tuple[int, dict[str, Any]]]:
  """Parses JSON lines into `(line number, input item)` (blank lines are
  skipped).

  Raises:
    json_input.InputError: For a line that is not JSON (see `json_input`).
    cli.UserError: For a line that is not a JSON object.
  """
  items = []
  for number, item in json_input.json_lines(text, source):
    if not isinstance(item, dict):
      raise cli.UserError(
        f"{source}:{number}: must be a JSON object {{'text': ...}}"
      )
    items.append((number, item))
  return items


def check_items(
  items: Sequence[tuple[int, dict[str, Any]]],
  source: str,
  task: task_types.TaskType,
  labels: Any,
  roles: Any,
  options: instructions.PromptOptions | None = None,
) -> list[Query]:
  """Builds every query, so bad input stops the run before the model loads.

  Args:
    items: `(line number, input item)` from `read_items`.
    source: The input's name, for messages.
    task: The task type record.
    labels: Default labels.
    roles: Default roles.
    options: The model's prompt options (`make_query`).

  Raises:
    cli.UserError: Naming the line and field of the first bad item.
  """
  built = []
  for number, item in items:
    try:
      built.append(make_query(task, item, labels, roles=roles, options=options))
    except QueryError as e:
      raise cli.UserError(f"{source}:{number}: {e}") from None
  return built
