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

r"""Fuzzes the target format parsers with random, mutated and respaced texts.

Usage:
  python benchmarks/fuzz_parser.py [--num=100000] [--spacing_num=100000] \
    [--words_bio_num=20000] [--seed=0]

Half of the strings are random text (separators, letters, spaces, unicode,
"None", "#$%#"); half are targets of random answers with 1-3 mutations
(truncation, deleted, duplicated or inserted text). Every string is parsed
for every task type, without and with a labels hint. Prints the problem
counts per task type and kind, and parse throughput.

Then `--spacing_num` answers with plain names are written with random
whitespace around every separator (`respace`) and parsed with and without
their labels as a hint; each parse gives the records back, reports a problem,
or is a wrong reading.

Then the "words_bio" parser (NER and ES): `--words_bio_num` random
sentences with random answers written as words_bio targets, half of them
mutated (`mutate`, or words dropped, repeated or changed) and a quarter
replaced by random text, each parsed without the sentence, with it and with
another sentence. Prints the results per kind (exact, records with
problems, nothing read) and the problem counts.

Exits non-zero if a `parse` raises, returns something other than a
`ParseResult`, or reads a respaced answer wrongly, or an unmutated words_bio
target does not read back exactly.
"""

from __future__ import annotations

import collections
import random
import time
import traceback
from collections.abc import Callable

from absl import flags

from instructuie_jax import cli, formats, records, rng, task_types
from instructuie_jax.formats import instructuie, words_bio

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_integer("num", 100_000, "Strings to generate.", lower_bound=0)
  flags.DEFINE_integer(
    "spacing_num",
    100_000,
    "Respaced answers to parse (see `respace`).",
    lower_bound=0,
  )
  flags.DEFINE_integer(
    "words_bio_num", 20_000, "words_bio targets to fuzz.", lower_bound=0
  )
  flags.DEFINE_integer("seed", 0, "Seed of the strings.")


_ALPHABET = (
  list("abcXYZ019 ")
  + [";", ",", ":", "(", ")", "; ", ", ", ": ", ") , (", ",  ", "  "]
  + ["None", "#$%#", "'", "\n", "\t", "\u00e9", "\u4e2d", "\u00a0", "\u2028"]
  + ["\U0001f600", "\x00", "\ud800"]
)
_WORDS = (
  "Ada",
  "New York , NY",
  "Smith, Jones",
  "a; b",
  "x: y",
  "(n = 5)",
  "it's",
  "None",
  "NA",
  "\u4e2d\u6587",
  "person",
  "work for",
  "databreach",
  "attacker",
)
_INSERTS = ("; ", ", ", ": ", "(", ")", ") , (", "None", " ", "#$%#", "\u00e9")
HINT = instructuie.LabelHint(
  frozenset(("person", "work for", "databreach")),
  frozenset(("attacker", "x: y")),
)


def random_text(r: random.Random) -> str:
  """A random string of up to 30 alphabet pieces."""
  return "".join(r.choice(_ALPHABET) for _ in range(r.randrange(31)))


def _random_event(w, r) -> records.Event:
  args = tuple(records.Argument(w(), w()) for _ in range(r.randrange(3)))
  return records.Event(w(), w(), args)


# One random record per task type, its fields drawn left to right by `w`.
RANDOM_RECORD: dict[task_types.TaskType, Callable] = {
  task_types.NER: lambda w, r: records.Entity(w(), w()),
  task_types.ET: lambda w, r: records.Entity(w(), w()),
  task_types.ES: lambda w, r: records.Entity("", w()),
  task_types.RE: lambda w, r: records.Relation(w(), w(), w()),
  task_types.EPR: lambda w, r: records.Relation(w(), w(), w()),
  task_types.EP: lambda w, r: records.Relation(w(), "", w()),
  task_types.EET: lambda w, r: records.Event(w(), w(), ()),
  task_types.EEA: lambda w, r: records.Argument(w(), w()),
  task_types.EE: _random_event,
}


def random_records(
  task: str | task_types.TaskType,
  r: random.Random,
  name: Callable[[random.Random], str] | None = None,
) -> records.Records:
  """A random answer of task type `task` built from tricky words.

  Args:
    task: Task type (or its name).
    r: Random source.
    name: Draws each field; default: one of `_WORDS`.
  """
  w = lambda: name(r) if name else r.choice(_WORDS)  # noqa: E731
  make = RANDOM_RECORD[task_types.get(task)]
  return tuple(make(w, r) for _ in range(r.randrange(4)))


def mutate(text: str, r: random.Random) -> str:
  """`text` with 1-3 random truncations, deletions, duplications, inserts."""
  for _ in range(r.randint(1, 3)):
    i = r.randrange(len(text) + 1)
    op = r.randrange(4)
    if op == 0:
      text = text[:i]
    elif op == 1:
      text = text[:i] + text[i + r.randint(1, 4) :]
    elif op == 2:
      text = text[:i] + text[i : i + r.randint(1, 6)] + text[i:]
    else:
      text = text[:i] + r.choice(_INSERTS) + text[i:]
  return text


def fuzz_strings(num: int, seed: int) -> list[tuple[str, str]]:
  """`num` (task, text) pairs, deterministic in `seed`."""
  tasks = list(task_types.TASK_TYPES)
  out = []
  for index in range(num):
    r = rng.example_rng(seed, "fuzz_parser", index)
    task = r.choice(tasks)
    if index % 2:
      text = random_text(r)
    else:
      text = mutate(instructuie.linearize(task, random_records(task, r)), r)
    out.append((task, text))
  return out


# Whitespace put around separators by `respace`.
SPACES = ("", " ", "  ", "\n", " \t", "\xa0")
SPACE_PAIRS = tuple((a, b) for a in SPACES for b in SPACES)
# How names write a "," ("4,5,6", "Washington , D.C."): an ES answer with a
# "," spaced so is one name; `respace` does not space ES commas so.
NAME_COMMAS = (("", ""), (" ", " "))


def _typed_body(answer, join, pair, space) -> str:
  return join(";", [pair(r.type, ":", r.text) for r in answer])


def _relations_body(answer, join, pair, space) -> str:
  return join(
    ";", [pair(r.relation, ":", pair(r.head, ",", r.tail)) for r in answer]
  )


def _events_body(answer, join, pair, space) -> str:
  events = []
  for r in answer:
    args = [pair(a.text, ":", a.role) for a in r.arguments]
    args_text = join(",", args) if args else instructuie.NONE
    inner = pair(pair(r.type, ":", r.trigger), ",", args_text)
    a, b = space("")
    events.append("(" + a + inner + b + ")")
  body = events[0]
  for event in events[1:]:
    a, b = space(")")
    body += a + "," + b + event
  return body


# The body of a non-empty answer per task type:
# `(answer, join, pair, space) -> text` (see `respace`).
BODY: dict[task_types.TaskType, Callable[..., str]] = {
  task_types.NER: _typed_body,
  task_types.ET: _typed_body,
  task_types.EET: lambda answer, join, pair, space: join(
    ";", [pair(r.type, ":", r.trigger) for r in answer]
  ),
  task_types.ES: lambda answer, join, pair, space: join(
    ",", [r.text for r in answer]
  ),
  task_types.RE: _relations_body,
  task_types.EPR: _relations_body,
  task_types.EP: lambda answer, join, pair, space: join(
    ";", [pair(r.head, ",", r.tail) for r in answer]
  ),
  task_types.EEA: lambda answer, join, pair, space: join(
    ";", [pair(r.text, ":", r.role) for r in answer]
  ),
  task_types.EE: _events_body,
}


def respace(
  task: str | task_types.TaskType,
  answer: records.Records,
  space: Callable[[str], tuple[str, str]],
) -> str:
  """The target text of `answer`, spaced by `space(kind) -> (left, right)`.

  Args:
    task: Task type.
    answer: Records whose fields hold no separator character.
    space: Whitespace to put left and right of a separator of `kind`: ";",
      ":", ",", ")" (between EE events: ")" left "," right "(") or "" (the
      edges of the answer and the inside of an event's parentheses).
  """

  def join(char: str, items: list[str]) -> str:
    out = items[0]
    for item in items[1:]:
      left, right = space(char)
      out += left + char + right + item
    return out

  def pair(a: str, char: str, b: str) -> str:
    left, right = space(char)
    return a + left + char + right + b

  left, right = space("")
  if not answer:
    return left + instructuie.NONE + right
  body = BODY[task_types.get(task)](answer, join, pair, space)
  return left + body + right


def answer_hint(answer: records.Records) -> instructuie.LabelHint:
  """The labels of `answer` as a hint."""
  types, roles = set(), set()
  for r in answer:
    if isinstance(r, records.Argument):
      roles.add(r.role)
    elif isinstance(r, records.Relation):
      types.add(r.relation)
    else:
      types.add(r.type)
      roles.update(a.role for a in getattr(r, "arguments", ()))
  return instructuie.LabelHint(frozenset(types), frozenset(roles))


def _plain_name(r: random.Random) -> str:
  return " ".join(
    "".join(r.choice("abcxyz") for _ in range(r.randint(1, 4)))
    for _ in range(r.randint(1, 3))
  )


def spacing_fuzz(num: int, seed: int) -> tuple[dict, list[str]]:
  """Parses `num` respaced answers of plain names per task type.

  Returns:
    (counts per (task, "exact" | "reported" | "wrong"), wrong readings).
  """
  counts: dict[tuple[str, str], int] = collections.Counter()
  wrong = []
  for index in range(num):
    r = rng.example_rng(seed, "fuzz_parser_spacing", index)
    task = r.choice(list(task_types.TASK_TYPES))
    answer = random_records(task, r, _plain_name)

    def space(kind: str, r=r, task=task) -> tuple[str, str]:
      while True:
        left_right = r.choice(SPACE_PAIRS)
        if (
          task_types.get(task) is not task_types.ES
          or kind != ","
          or left_right not in NAME_COMMAS
        ):
          return left_right

    text = respace(task, answer, space)
    for hint in (None, answer_hint(answer)):
      result = instructuie.parse(task, text, hint)
      if result.ok and result.records == answer:
        counts[(task, "exact")] += 1
      elif result.problems:
        counts[(task, "reported")] += 1
      else:
        counts[(task, "wrong")] += 1
        wrong.append(f"{task} {text!r} -> {result.records}")
  return counts, wrong


def fuzz(pairs: list[tuple[str, str]]) -> tuple[dict, float, list[str]]:
  """Parses every pair for every task type, with and without the hint.

  Returns:
    (counts per (task, kind), seconds spent in `parse`, failures).
  """
  counts: dict[tuple[str, str], int] = collections.Counter()
  failures = []
  seconds = 0.0
  for task in task_types.TASK_TYPES:
    for hint in (None, HINT):
      start = time.perf_counter()
      results = []
      for _, text in pairs:
        try:
          results.append(instructuie.parse(task, text, hint))
        except Exception:  # noqa: BLE001 - any exception is the finding.
          failures.append(f"{task} {text!r}\n{traceback.format_exc()}")
      seconds += time.perf_counter() - start
      for result in results:
        if not isinstance(result, formats.ParseResult):
          failures.append(f"{task}: not a ParseResult: {result!r}")
          continue
        counts[(task, "strings")] += 1
        counts[(task, "records")] += len(result.records)
        counts[(task, "ok" if result.ok else "with problems")] += 1
        for problem in result.problems:
          # "where: kind; text 'snippet'" -> kind
          kind = problem.split(": ", 1)[-1].partition("; text ")[0]
          counts[(task, "problem: " + kind)] += 1
  return counts, seconds, failures


_SENTENCE_WORDS = (
  "Ada", "Lovelace", "(", ")", "(O)", "f(x)", "B-x", "None", ",", ".",
  "\u4e2d\u6587", "it's", "a(B-b)", "New", "York", "\u00e9t\u00e9",
)  # fmt: skip
_TYPES = ("person", "rating average", "x-y", "B-a", "O")


def _random_bio_answer(r: random.Random):
  """A random sentence and a writable answer of NER or ES over its words."""
  task = r.choice(words_bio.TASKS)
  sentence_words = [r.choice(_SENTENCE_WORDS) for _ in range(r.randint(1, 12))]
  found = []
  i = 0
  while i < len(sentence_words):
    if r.random() < 0.3:
      j = min(len(sentence_words), i + r.randint(1, 3))
      kind = r.choice(_TYPES) if task.labeled else ""
      found.append(records.Entity(kind, " ".join(sentence_words[i:j])))
      i = j
    else:
      i += 1
  sentence = " ".join(sentence_words)
  if words_bio.ambiguity(task, tuple(found), sentence) is not None:
    found = []
  return task, sentence, tuple(found)


def _mutate_words(text: str, r: random.Random) -> str:
  """`text` with a word dropped, repeated or changed."""
  items = text.split(" ")
  i = r.randrange(len(items))
  op = r.randrange(3)
  if op == 0:
    del items[i]
  elif op == 1:
    items.insert(i, items[i])
  else:
    items[i] = "x" + items[i]
  return " ".join(items)


def words_bio_fuzz(num: int, seed: int) -> tuple[dict, list[str]]:
  """Parses `num` fuzzed words_bio texts three ways (module docstring).

  Returns:
    (counts per (kind, result), failures).
  """
  counts: dict[tuple[str, str], int] = collections.Counter()
  failures = []
  for index in range(num):
    r = rng.example_rng(seed, "fuzz_words_bio", index)
    task, sentence, answer = _random_bio_answer(r)
    text = words_bio.linearize(task, answer, sentence=sentence)
    kind = ("clean", "mutated", "words", "random")[index % 4]
    if kind == "mutated":
      text = mutate(text, r)
    elif kind == "words":
      text = _mutate_words(text, r)
    elif kind == "random":
      text = random_text(r)
    for given in (None, sentence, "other words here"):
      try:
        result = words_bio.parse(task, text, sentence=given)
      except Exception:  # noqa: BLE001 - any exception is the finding.
        failures.append(f"{task} {text!r} {given!r}\n{traceback.format_exc()}")
        continue
      if not isinstance(result, formats.ParseResult):
        failures.append(f"{task}: not a ParseResult: {result!r}")
        continue
      exact = result.ok and collections.Counter(result.records) == (
        collections.Counter(answer)
      )
      if kind == "clean" and given != "other words here" and not exact:
        failures.append(f"{task} {text!r} {given!r} -> {result}")
      outcome = (
        "exact"
        if exact
        else "records, problems"
        if result.records
        else "nothing read"
      )
      counts[(kind, outcome)] += 1
      for problem in result.problems:
        counts[("problem", problem.partition(":")[0])] += 1
  return counts, failures


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {argv[1:]}")
  if not FLAGS.num and not FLAGS.spacing_num and not FLAGS.words_bio_num:
    raise cli.UsageError(
      "--num, --spacing_num and --words_bio_num are all 0: nothing to do"
    )
  pairs = fuzz_strings(FLAGS.num, FLAGS.seed)
  counts, seconds, failures = fuzz(pairs)
  parses = sum(v for (_, k), v in counts.items() if k == "strings")
  print(
    f"{len(pairs)} strings x {len(task_types.TASK_TYPES)} task types x "
    f"(no hint, hint) = {parses} parses, {len(failures)} failures"
  )
  for task in task_types.TASK_TYPES:
    row = {k: v for (t, k), v in counts.items() if t == task}
    print(
      f"{task:<4} ok {row.get('ok', 0):>7}  with problems "
      f"{row.get('with problems', 0):>7}  records {row.get('records', 0):>8}"
    )
    for kind, n in sorted(row.items(), key=lambda kv: -kv[1]):
      if kind.startswith("problem: "):
        print(f"       {n:>8}  {kind[len('problem: ') :]}")
  if seconds:
    print(f"parse throughput: {parses / seconds:,.0f} strings/s")
  for failure in failures[:5]:
    print(failure)
  spacing, wrong = spacing_fuzz(FLAGS.spacing_num, FLAGS.seed)
  print(
    f"\n{FLAGS.spacing_num} respaced answers x (no hint, hint): "
    f"{len(wrong)} read wrongly"
  )
  for task in task_types.TASK_TYPES:
    print(
      f"{task:<4} exact {spacing[(task, 'exact')]:>7}  reported "
      f"{spacing[(task, 'reported')]:>7}  wrong {spacing[(task, 'wrong')]:>3}"
    )
  for line in wrong[:5]:
    print(line)
  bio_counts, bio_failures = words_bio_fuzz(FLAGS.words_bio_num, FLAGS.seed)
  print(
    f"\n{FLAGS.words_bio_num} words_bio texts x (no sentence, sentence, "
    f"another sentence): {len(bio_failures)} failures"
  )
  for (kind, outcome), n in sorted(bio_counts.items()):
    print(f"  {kind:<8} {outcome:<36} {n:>8}")
  for failure in bio_failures[:5]:
    print(failure)
  if failures or wrong or bio_failures:
    raise SystemExit(1)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
