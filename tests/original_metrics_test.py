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

"""Tests for the original evaluator's conventions (hand-computed numbers).

Every expected number was computed by hand and agrees with the original
`src/evaluation/evaluator.py` run on the same texts
(`benchmarks/original_crosscheck.py` compares both on random texts).
"""

import pytest

from instructuie_jax import metrics, original_metrics, task_types
from instructuie_jax.original_conventions import (
  Accuracy,
  normalize,
  split_top_level,
  top_level_groups,
)
from instructuie_jax.original_metrics import original_score, original_tally

# (task, targets, predictions, expected value of the task's metric).
CASES = [
  # NER: " None" is the element "none" of both sets: a true positive.
  ("NER", [" None"], ["None"], 1.0),
  # An empty prediction is the element "": one FP and one FN.
  ("NER", [" None"], [""], 0.0),
  # Spacing, case and duplicates do not matter: tp=2.
  (
    "NER",
    [" person: Ada; location: Paris"],
    ["Person :Ada;person: Ada ;  LOCATION: paris"],
    1.0,
  ),
  # tp=1 (person:ada), fp=1 (org:ibm), fn=1 (located:paris): F1 = 0.5.
  ("NER", [" person: Ada; location: Paris"], [" person: Ada; org: IBM"], 0.5),
  # Two examples: (tp=1) + (none vs person:bob: fp=1, fn=1) -> P=R=0.5.
  ("NER", [" person: Ada", " None"], [" person: Ada", " person: Bob"], 0.5),
  # RE: pieces without ":" are dropped, so " None" is the empty set: P=R=0.
  ("RE", [" None"], ["None"], 0.0),
  # tp=1, fp=1 (live in): P=0.5, R=1, F1=2/3.
  (
    "RE",
    [" work for: Ada, IBM"],
    [" work for: Ada , IBM; live in: Ada, Paris"],
    2 / 3,
  ),
  # The original ground_truth lists NA pairs: "na:ada,ibm" is a plain piece
  # (no ",na,"), so it is a miss: tp=1, fn=1, F1=2/3.
  ("RE", [" work for: Bob, IBM; NA: Ada, IBM"], [" work for: Bob, IBM"], 2 / 3),
  # ",na," gold piece: a TP unless a prediction fills it with a non-na value.
  ("RE", [" x: a,NA,b"], [" None"], 1.0),
  # Refuted: the gold NA piece gets no TP; the prediction is an FP.
  ("RE", [" x: a,NA,b"], [" x: a,rel,b"], 0.0),
  # A predicted ",na," piece without a refuting gold counts nothing:
  # tp=1 (gold), fp=0 -> F1 = 1.
  ("RE", [" r: a, b"], [" r: a, b; x: c,NA,d"], 1.0),
  # EE: accuracy of set equality; argument order does not matter.
  (
    "EE",
    [" ( attack: fired,  John: attacker, gun: instrument) "],
    [" ( attack: fired, gun: instrument,  John: attacker) "],
    1.0,
  ),
  # One event right, one missing: the example is wrong.
  (
    "EE",
    [" ( attack: fired, None) , ( die: killed, None) "],
    [" ( attack: fired, None) "],
    0.0,
  ),
  # Empty answers: both the empty set.
  ("EE", [" None", " ( a: b, None) "], ["None", " ( a: c, None) "], 0.5),
  # EET: normalized string equality, so order matters.
  ("EET", [" attack: fired; die: killed"], [" Attack:fired ;die: killed"], 1.0),
  (
    "EET",
    [" attack: fired; die: killed"],
    [" die: killed; attack: fired"],
    0.0,
  ),
  # EEA: tp=1 (gun:instrument), fp=1, fn=1; "blah" has no ":" and is dropped.
  (
    "EEA",
    [" John: attacker; gun: instrument"],
    [" John: victim; gun: instrument; blah"],
    0.5,
  ),
  ("EEA", [" None"], [" None"], 0.0),
]


@pytest.mark.parametrize("task,targets,predictions,expected", CASES)
def test_original_score_matches_hand_computed(
  task, targets, predictions, expected
):
  name = original_metrics.metric_name(task)
  key = "_accuracy" if task in ("EE", "EET") else "_f1"
  scores = original_score(task, targets, predictions)
  assert scores[name + key] == pytest.approx(expected)


def test_counts_of_ner_none_cases():
  assert original_tally("NER", [" None"], ["None"]) == metrics.Counts(1, 0, 0)
  assert original_tally("NER", [" None"], [""]) == metrics.Counts(0, 1, 1)
  assert original_tally("NER", [" person: Ada"], [" None"]) == metrics.Counts(
    0, 1, 1
  )


def test_precision_and_recall_reported():
  scores = original_score(
    "RE", [" work for: Ada, IBM"], [" work for: Ada, IBM; live in: Ada, X"]
  )
  assert scores == {
    "original_re_f1": pytest.approx(2 / 3),
    "original_re_precision": 0.5,
    "original_re_recall": 1.0,
  }


@pytest.mark.parametrize(
  "text,expected",
  [
    ("  New   York , U . S .  ", "new york,u.s."),
    ("{Ada} ,,, Bob;;; c...", "ada,bob;c."),
    # ’ becomes ' only after the spaces around ' were removed.
    ("it ’ s", "it ' s"),
    ("it ' s", "it's"),
    ("Location: Paris", "located:paris"),
    ("a - b _ c ( d ) e", "a-b_c(d)e"),
    ("\tperson :\n Ada ", "person:ada"),
  ],
)
def test_normalize(text, expected):
  assert normalize(text) == expected


@pytest.mark.parametrize(
  "text,expected",
  [
    ("a(b)(c(d))(", ["b", "c(d)"]),
    ("x, y) (z)", ["x, y", "z"]),
    ("(a)(b", ["a", "b"]),
    ("()", []),
    ("no parentheses", []),
    (")", []),
  ],
)
def test_top_level_groups(text, expected):
  assert top_level_groups(text) == expected


@pytest.mark.parametrize(
  "text,expected",
  [
    ("a,(b,c),,d,", ["a", "(b,c)", ",d"]),
    ("a,b", ["a", "b"]),
    (",a", [",a"]),
    ("", []),
  ],
)
def test_split_top_level(text, expected):
  assert split_top_level(text) == expected


def test_accuracy_adds_up_and_is_zero_when_empty():
  assert Accuracy(1, 2) + Accuracy(2, 2) == Accuracy(3, 4)
  assert Accuracy().value == 0.0
  assert original_tally("EE", [], []) == Accuracy(0, 0)


def test_unsupported_task_and_length_mismatch():
  with pytest.raises(ValueError, match="does not score task type 'ES'"):
    original_score("ES", [" a"], [" a"])
  with pytest.raises(ValueError, match="1 targets but 2 predictions"):
    original_score("NER", [" a"], [" a", " b"])


def test_original_tasks_are_the_records_with_an_original_metric():
  assert original_metrics.ORIGINAL_TASKS == ("NER", "RE", "EE", "EET", "EEA")
  for task in original_metrics.ORIGINAL_TASKS:
    original = task_types.get(task).original
    assert original_metrics.metric_name(task) == original.name
  for task in ("ES", "ET", "EP", "EPR"):
    assert task_types.get(task).original is None
