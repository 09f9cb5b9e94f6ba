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

r"""Strict NER counts beside seqeval's (strict mode, IOB2), perturbed answers.

Usage:
  PYTHONPATH=$PWD python benchmarks/seqeval_crosscheck.py \
    [--data_dir=../shared/data/ie_instructions] [--split=test] \
    [--datasets=a,b] [--seed=0]

For each NER dataset of `--data_dir` (the IE INSTRUCTIONS layout), each
sentence's gold entities are tagged IOB2 with the converter's tagger
(`converters.conll.tag_instance`). A prediction is made from the gold spans
(seeded per sentence): each span kept, dropped, shifted by a token at one
end, relabelled, or repeated at another occurrence of its words, plus
spurious spans. It is written as `(type, text)` records, what a model
answers, and read back as spans the way grounding reads a repeated answer:
the k-th copy of a `(type, text)` at the k-th occurrence of its words
(`place`). Our strict counts (`metrics.score_example`) are then set beside
seqeval's on the IOB2 tags of both.

A sentence is left out of the comparison (and counted) when the text-only
records cannot be read back as the tagged spans: the gold spans are not
where `place` puts the gold records (an unannotated earlier occurrence of a
mention's words, one mention inside another), or a prediction's spans
overlap or a copy has no occurrence left (no IOB2 tagging holds them).

Prints one row per dataset: sentences compared and left out, repeated gold
mentions (the same type and text twice in a sentence), our tp/fp/fn and F1,
seqeval's, and set counting (a repeat counted once, as the original
evaluator's NER) for contrast. Exits 1 when our counts differ from seqeval's
on any dataset.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import random
from collections.abc import Sequence

from absl import flags

from instructuie_jax import cli, metrics, rng, schema, task_types
from instructuie_jax import counts as counts_lib
from instructuie_jax.converters import bio_export, common, conll, tags
from instructuie_jax.records import Entity

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the flags (only when run as a script, so tests can import)."""
  flags.DEFINE_string(
    "data_dir",
    os.path.join("..", "shared", "data", "ie_instructions"),
    "IE INSTRUCTIONS root folder.",
  )
  flags.DEFINE_string("split", "test", "Split to read.")
  flags.DEFINE_list(
    "datasets", [], "NER datasets to read (default: all under --data_dir)."
  )
  flags.DEFINE_integer("seed", 0, "Seed of the perturbations.")


Span = tags.Span  # (start token, end token exclusive, label)

# Weights of what happens to one gold span.
_OPERATIONS = (
  ("keep", 50),
  ("drop", 10),
  ("shift", 10),
  ("relabel", 10),
  ("repeat", 10),
)
_SPURIOUS_PROB = 0.3


@dataclasses.dataclass(frozen=True)
class Sentence:
  """One tagged sentence: tokens, gold spans and the gold records."""

  tokens: tuple[str, ...]
  spans: tuple[Span, ...]
  records: tuple[Entity, ...]


def _occurrences(tokens: Sequence[str], words: Sequence[str]) -> list[int]:
  """Starts of the non-overlapping occurrences of `words`, left to right."""
  found, n, i = [], len(words), 0
  if not n:
    return found
  while i + n <= len(tokens):
    if tuple(tokens[i : i + n]) == tuple(words):
      found.append(i)
      i += n
    else:
      i += 1
  return found


def place(
  tokens: Sequence[str], records: Sequence[Entity]
) -> list[Span] | None:
  """Spans of `(type, text)` records: the k-th copy at the k-th occurrence.

  Returns None when a copy has no occurrence left or two spans overlap (no
  IOB2 tagging holds them).
  """
  copies: collections.Counter = collections.Counter()
  spans = []
  for record in records:
    words = record.text.split()
    k = copies[record]
    copies[record] += 1
    starts = _occurrences(tokens, words)
    if k >= len(starts):
      return None
    spans.append((starts[k], starts[k] + len(words), record.type))
  if tags.overlaps(spans):
    return None
  return sorted(spans)


def records_of(tokens: Sequence[str], spans: Sequence[Span]) -> list[Entity]:
  """The `(type, text)` records of token spans, in order."""
  return [Entity(label, " ".join(tokens[a:b])) for a, b, label in spans]


def perturb(
  r: random.Random,
  tokens: Sequence[str],
  spans: Sequence[Span],
  labels: Sequence[str],
) -> list[Span]:
  """A predicted span list made from gold `spans` (module docstring).

  A repeat is a second copy of a span (read back at the next occurrence of
  its words), drawn only where the words occur again. A shifted or spurious
  span that would overlap an earlier predicted span is left out (a tagger
  predicts no overlapping spans).
  """
  names, weights = zip(*_OPERATIONS, strict=True)
  out: list[Span] = []
  n = len(tokens)

  def add(span: Span) -> None:
    if not any(span[0] < b and a < span[1] for a, b, _ in out):
      out.append(span)

  for a, b, label in spans:
    op = r.choices(names, weights)[0]
    if op == "drop":
      continue
    if op == "shift":
      if r.random() < 0.5:
        a = min(max(0, a + r.choice((-1, 1))), b - 1)
      else:
        b = max(min(n, b + r.choice((-1, 1))), a + 1)
    elif op == "relabel" and len(labels) > 1:
      label = r.choice([x for x in labels if x != label])
    add((a, b, label))
    if op == "repeat" and len(_occurrences(tokens, tokens[a:b])) > 1:
      out.append((a, b, label))
  if n and labels and r.random() < _SPURIOUS_PROB:
    a = r.randrange(n)
    add((a, min(n, a + r.randint(1, 3)), r.choice(labels)))
  return out


def seqeval_counts(
  true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]
) -> counts_lib.Counts:
  """seqeval's strict IOB2 counts, as its `precision_recall_fscore_support`
  takes them: per entity type, |true & pred| of its `(sentence, type, start,
  end)` entity sets."""
  from seqeval.scheme import IOB2, Entities  # noqa: PLC0415 (test-only)

  true = Entities([list(t) for t in true_tags], IOB2)
  pred = Entities([list(p) for p in pred_tags], IOB2)
  tp = n_true = n_pred = 0
  for name in sorted(true.unique_tags | pred.unique_tags):
    t, p = true.filter(name), pred.filter(name)
    tp += len(t & p)
    n_true += len(t)
    n_pred += len(p)
  return counts_lib.Counts(tp, n_pred - tp, n_true - tp)


def seqeval_f1(
  true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]
) -> float:
  """seqeval's micro F1, strict mode, IOB2."""
  from seqeval.metrics import f1_score  # noqa: PLC0415 (test-only)
  from seqeval.scheme import IOB2  # noqa: PLC0415

  if not any(any(t != "O" for t in s) for s in (*true_tags, *pred_tags)):
    return 0.0
  return float(
    f1_score(
      [list(t) for t in true_tags],
      [list(p) for p in pred_tags],
      mode="strict",
      scheme=IOB2,
      zero_division=0,
    )
  )


@dataclasses.dataclass
class Comparison:
  """Counts over the compared sentences of one dataset.

  Attributes:
    sentences: Sentences read.
    compared: Sentences compared.
    gold_not_as_tagged: Left out: `place` does not put the gold records on
      the tagged spans.
    prediction_not_taggable: Left out: the prediction's spans overlap or a
      copy has no occurrence left.
    gold_repeats: Repeated gold mentions (extra copies of a type and text in
      a sentence), over all sentences.
    ours: Our strict counts.
    seqeval: seqeval's counts.
    sets: Set counting (a repeat counted once).
    true_tags: The gold IOB2 tags of the compared sentences.
    pred_tags: The predicted IOB2 tags of the compared sentences.
  """

  sentences: int = 0
  compared: int = 0
  gold_not_as_tagged: int = 0
  prediction_not_taggable: int = 0
  gold_repeats: int = 0
  ours: counts_lib.Counts = counts_lib.Counts()
  seqeval: counts_lib.Counts = counts_lib.Counts()
  sets: counts_lib.Counts = counts_lib.Counts()
  true_tags: list[list[str]] = dataclasses.field(default_factory=list)
  pred_tags: list[list[str]] = dataclasses.field(default_factory=list)


def _bio(spans: Sequence[Span], length: int) -> list[str]:
  renamed = [(a, b, bio_export.bio_label(x)) for a, b, x in spans]
  return tags.encode(renamed, length, "bio")


def compare(
  sentences: Sequence[Sentence],
  predictions: Sequence[Sequence[Entity]],
) -> Comparison:
  """Our strict counts and seqeval's over the sentences both can read."""
  result = Comparison()
  true_tags, pred_tags = [], []
  for sentence, predicted in zip(sentences, predictions, strict=True):
    result.sentences += 1
    gold = sentence.records
    result.gold_repeats += len(gold) - len(set(gold))
    if place(sentence.tokens, gold) != sorted(sentence.spans):
      result.gold_not_as_tagged += 1
      continue
    pred_spans = place(sentence.tokens, predicted)
    if pred_spans is None:
      result.prediction_not_taggable += 1
      continue
    result.compared += 1
    n = len(sentence.tokens)
    true_tags.append(_bio(sentence.spans, n))
    pred_tags.append(_bio(pred_spans, n))
    result.ours += metrics.score_example("NER", gold, predicted)["ner"]
    result.sets += counts_lib.count(gold, predicted)
  result.seqeval = seqeval_counts(true_tags, pred_tags)
  result.true_tags, result.pred_tags = true_tags, pred_tags
  return result


def sentences_of(
  instances: Sequence[schema.Instance], where: str
) -> tuple[list[Sentence], int]:
  """Tagged sentences of NER instances, and how many could not be tagged.

  An instance with an entity the tagger leaves out (not on token
  boundaries, overlapping another) is not a sentence of the comparison.
  """
  out, untagged = [], 0
  for index, instance in enumerate(instances):
    report = common.Report()
    entities = [
      {"name": e.name, "type": e.type, "pos": list(e.pos) if e.pos else None}
      for e in instance.entities
    ]
    tokens, tag_list = conll.tag_instance(
      instance.sentence, entities, "bio", f"{where}:{index}", report
    )
    if report.notes:
      untagged += 1
      continue
    spans, _ = tags.decode(tag_list, "bio")
    out.append(
      Sentence(
        tuple(tokens),
        tuple(spans),
        tuple(Entity(e.type, e.name) for e in instance.entities),
      )
    )
  return out, untagged


def predict(
  sentences: Sequence[Sentence], labels: Sequence[str], seed: int, name: str
) -> list[list[Entity]]:
  """One perturbed prediction per sentence, seeded per sentence."""
  out = []
  for index, s in enumerate(sentences):
    r = rng.example_rng(seed, "seqeval_crosscheck", name, index)
    out.append(records_of(s.tokens, perturb(r, s.tokens, s.spans, labels)))
  return out


def _row(name: str, untagged: int, c: Comparison) -> str:
  def cell(x: counts_lib.Counts) -> str:
    return f"{x.tp}/{x.fp}/{x.fn}, {100 * x.f1:.2f}"

  left_out = c.gold_not_as_tagged + c.prediction_not_taggable + untagged
  seqeval_f1_value = 100 * seqeval_f1(c.true_tags, c.pred_tags)
  return (
    f"| {name} | {c.compared} | {left_out} ({untagged} / "
    f"{c.gold_not_as_tagged} / {c.prediction_not_taggable}) | "
    f"{c.gold_repeats} | {cell(c.ours)} | {cell(c.seqeval)} "
    f"({seqeval_f1_value:.2f}) | {'yes' if c.ours == c.seqeval else 'NO'} | "
    f"{cell(c.sets)} |"
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  root = FLAGS.data_dir
  names = FLAGS.datasets or [
    d
    for family, d in schema.list_datasets(root)
    if task_types.family(family) is task_types.NER_FAMILY
  ]
  print(
    "| dataset | compared | left out (untagged / gold not as tagged / "
    "prediction not taggable) | gold repeats | ours tp/fp/fn, F1 | seqeval "
    "tp/fp/fn, F1 (its f1_score) | equal | sets tp/fp/fn, F1 |"
  )
  print("|---|---:|---|---:|---|---|---|---|")
  differ = []
  for name in names:
    instances, labels, _ = schema.load_dataset_split(
      root, "NER", name, FLAGS.split
    )
    where = os.path.join(root, "NER", name, f"{FLAGS.split}.json")
    sentences, untagged = sentences_of(instances, where)
    predictions = predict(sentences, labels.types, FLAGS.seed, name)
    c = compare(sentences, predictions)
    print(_row(name, untagged, c), flush=True)
    if c.ours != c.seqeval:
      differ.append(name)
  if differ:
    print(f"counts differ from seqeval's on: {', '.join(differ)}")
    return 1
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
