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

r"""Extracts entities, relations or events from texts with a T5X checkpoint.

Usage:
  python -m tools.extract --checkpoint=MODEL_DIR_OR_CHECKPOINT_N \
    --task=NER --labels=person,location --input=texts.jsonl|- \
    --output=answers.jsonl|- [--overwrite] [--gin_file=gin/models/X.gin] \
    [--vocabulary=vocab.model] [--input_length=N] [--target_length=N] \
    [--nowindows] [--window_overlap=32] \
    [--constrained]

Input: JSON lines `{"text": ...}`, optionally with their own `"labels"` and
the extra inputs of the auxiliary tasks (`"entities"` for ET, `"pairs"` for
EPR, `"event_type"` for EEA, `"roles"` for EE); other fields (ids) are passed
through. `--labels` is comma-separated, or JSON (`'["a, b", "c"]'`, or for EE
`'{"attack": ["attacker", "target"]}'`).

Output: one line per input line: its fields plus `entities` (NER, ES, ET),
`relations` (RE, EP, EPR), `events` (EE, EET) or `arguments` (EEA), each
record with character offsets (`start`, `end`; null when the span is not in
the text: `"grounded": false`) and `"valid_label"` (false for a label that
was not offered), and `prediction`, `truncated_tokens`, `ungrounded`,
`invalid_labels`, `parse_problems`, `windows` and `window_merges`. The
totals go to stderr.

A text whose prompt is longer than `--input_length` is split into windows
(sentence boundaries first, then words, `--window_overlap` tokens shared by
neighbours), each asked with the same instruction and options; the answers
are merged with offsets into the whole text, a record that two windows gave
or that a window's edge cut (held whole by its neighbour) kept once.
`windows` says how many windows a text used, `window_merges` how many
records were merged away, and `window_offsets` each window's `[start,
end]`; the `prediction` of a windowed text is its merged records in the
target format (the windows' own: `window_predictions`), so input lines with
`dataset` and `target` give an output `tools.score` reads. `truncated_tokens` stays 0 unless even a window's prompt is too long
(or with `--nowindows`, or for ET and EPR, whose prompts name spans of the
whole text: their prompts are cut).

`--constrained` keeps every answer inside the task's target grammar: labels
only from the options, spans only copied from the text, separators and
"None" only where the format writes them (`instructuie_t5x.constrained`);
the counts of spans not in the text and labels not offered are printed
either way. An answer the target length cuts short is cut back to its last
complete item; `unfinished_tokens` counts the tokens dropped, and the totals
are printed.

`--checkpoint` is a run's model directory (its latest checkpoint and its
config.gin) or one `checkpoint_N` directory; `--gin_file` and `--gin_bindings`
override the model settings. The prompts and the reading of the answers
follow the run's data settings (its target format, e.g. `words_bio`, and
instruction file); a task type the format does not cover, and
`--constrained` with a format without a grammar, are refused. All input lines are checked before the model is
loaded; a bad one stops the run with `error: FILE:LINE: field ...: reason`
(exit status 1; a bad flag: exit status 2). Input is UTF-8 (a line that is
not is named), split at newlines only (a raw U+2028 inside a JSON string is
text), and a lone surrogate (`"\ud800"`) is refused naming its line. An
existing --output is replaced only with --overwrite; it is written
atomically, its folder made if missing.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from absl import flags

from instructuie_jax import cli, formats, instructions, json_input, task_types
from instructuie_t5x import model_flags, queries

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  model_flags.define_flags()
  flags.adopt_module_key_flags(model_flags)  # Listed by --helpshort.
  flags.DEFINE_string("task", "NER", "Task type: NER, RE, EE, ES, ...")
  flags.DEFINE_string(
    "labels", None, "Options offered: comma-separated or JSON."
  )
  flags.DEFINE_string(
    "roles", None, "EE: argument roles (comma-separated or JSON list)."
  )
  flags.DEFINE_string("input", None, "JSON-lines file, or - for stdin.")
  flags.DEFINE_string("output", "-", "JSON-lines file, or - for stdout.")
  cli.define_integer("batch_size", 32, "Texts per decode.", lower_bound=1)
  flags.DEFINE_bool(
    "windows",
    True,
    "Split a text whose prompt exceeds --input_length into windows and "
    "merge their answers; --nowindows cuts the prompt instead.",
  )
  cli.define_integer(
    "window_overlap",
    queries.WINDOW_OVERLAP,
    "Tokens of text a window shares with the one before.",
    lower_bound=0,
  )
  flags.DEFINE_bool("overwrite", False, "Replace --output if it exists.")
  flags.DEFINE_bool(
    "constrained",
    False,
    "Decode inside the task's target grammar (labels from the options, "
    "spans from the text).",
  )


def parse_list(value: str | None, flag: str) -> Any:
  """A comma-separated or JSON flag value; None stays None."""
  if value is None:
    return None
  text = value.strip()
  if text[:1] in "[{":
    try:
      return json_input.loads(text, f"--{flag}")
    except json_input.InputError as e:
      raise cli.UsageError(f"--{flag}: {e.message}") from None
  items = [x.strip() for x in text.split(",")]
  if not all(items):
    raise cli.UsageError(f"--{flag}: empty label in {value!r}")
  return items


def check_flags(
  argv: Sequence[str],
) -> tuple[task_types.TaskType, Any, Any]:
  """Validates the flags; returns the task, labels and roles.

  Raises:
    cli.UsageError: For a missing or malformed flag.
  """
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  cli.require_flags("checkpoint", "input")
  try:
    task = task_types.get(FLAGS.task)
  except ValueError:
    raise cli.UsageError(
      f"--task: unknown task {FLAGS.task!r}; known: "
      f"{', '.join(task_types.TASK_TYPES)}"
    ) from None
  labels = parse_list(FLAGS.labels, "labels")
  roles = parse_list(FLAGS.roles, "roles")
  for flag, value in (("labels", labels), ("roles", roles)):
    try:  # Bytes that are not UTF-8 in argv arrive as lone surrogates.
      queries.check_unicode(value, flag)
    except queries.QueryError as e:
      raise cli.UsageError(f"--{flag}: {e.message}") from None
  if labels is not None:
    try:
      labels = queries.check_labels(task, labels)
    except queries.QueryError as e:
      raise cli.UsageError(f"--labels: {e.message}") from None
  return task, labels, roles


def main(argv: Sequence[str]) -> None:
  task, labels, roles = check_flags(argv)
  model_flags.check_flags()
  source = "<stdin>" if FLAGS.input == "-" else FLAGS.input
  if FLAGS.input == "-":
    text = json_input.decode(sys.stdin.buffer.read(), source)
  else:
    text = json_input.read_text(FLAGS.input)
  items = queries.read_items(text, source)
  if not items:
    raise cli.UserError(f"{source}: no input lines")
  built = queries.check_items(items, source, task, labels, roles)
  if FLAGS.output != "-":
    cli.check_output_path(FLAGS.output, overwrite=FLAGS.overwrite)

  import tqdm  # noqa: PLC0415

  model = model_flags.load(FLAGS.batch_size)
  # Again with the run's prompt options (target format, instructions).
  options = getattr(model, "options", None) or instructions.PromptOptions()
  built = queries.check_items(items, source, task, labels, roles, options)
  target_format = options.target_format
  if FLAGS.constrained and not hasattr(formats.get(target_format), "grammar"):
    raise cli.UserError(
      f"--constrained: the model answers in the target format "
      f"{target_format!r}, which has no grammar to constrain decoding to"
    )
  if FLAGS.output != "-":
    # Checked above; made now, so that the answers have a place to go.
    os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)

  with tqdm.tqdm(total=len(built), unit="text", file=sys.stderr) as bar:
    answers = model.answer(
      built,
      progress=bar.update,
      windows=FLAGS.windows,
      window_overlap=FLAGS.window_overlap,
      constrained=FLAGS.constrained,
    )
  out_lines = [json.dumps(a, ensure_ascii=False) + "\n" for a in answers]
  if FLAGS.output == "-":
    sys.stdout.writelines(out_lines)
    sys.stdout.flush()
  else:
    with cli.atomic_write(FLAGS.output) as f:
      f.writelines(out_lines)
  totals = queries.summarize(answers)
  print(
    f"{totals['texts']} texts -> {FLAGS.output}; truncated: "
    f"{totals['truncated_texts']} texts ({totals['truncated_tokens']} tokens); "
    f"{queries.describe_flags(totals)}; unparsed pieces: "
    f"{totals['parse_problems']}; decoding: {_decoding_summary(answers)}",
    file=sys.stderr,
  )
  print(queries.describe_windows(totals), file=sys.stderr)


def _decoding_summary(answers: Sequence[dict[str, Any]]) -> str:
  if not FLAGS.constrained:
    return "free"
  cut = [a["unfinished_tokens"] for a in answers if a["unfinished_tokens"]]
  return (
    f"constrained (answers cut back to their last complete item at the "
    f"target length: {len(cut)}, {sum(cut)} tokens)"
  )


if __name__ == "__main__":
  define_flags()
  cli.run(main)
