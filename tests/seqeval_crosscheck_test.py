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

"""Strict NER counts equal seqeval's (strict, IOB2) on converted BIO data.

Gold comes from a BIO fixture converted with `tools.convert_data`, and from
the real datasets when present; predictions are perturbed gold (dropped,
shifted, relabelled, spurious and repeated spans), written as `(type, text)`
records and read back as spans (`benchmarks.seqeval_crosscheck`).
"""

import os
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from benchmarks import seqeval_crosscheck as crosscheck
from instructuie_jax import counts, metrics, schema
from instructuie_jax.records import Entity
from tests.conftest import REPO_ROOT

pytest.importorskip("seqeval", reason="seqeval (requirements-test.txt) missing")
from seqeval.metrics import f1_score  # noqa: E402

FIXTURE = REPO_ROOT / "tests" / "testdata" / "convert" / "conll" / "repeats.bio"


def _python(*args):
  return subprocess.run(
    [sys.executable, *args],
    capture_output=True,
    text=True,
    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    cwd=REPO_ROOT,
    check=False,
  )


@pytest.fixture(scope="module")
def converted_root(tmp_path_factory):
  """The fixture converted by the project's converter: an IE root."""
  root = tmp_path_factory.mktemp("converted")
  result = _python(
    "-m",
    "tools.convert_data",
    "--format=conll",
    f"--input=test={FIXTURE}",
    f"--output_dir={root}",
    "--dataset=repeats",
  )
  assert result.returncode == 0, result.stderr
  return root


@pytest.fixture(scope="module")
def converted(converted_root):
  """The converted fixture's tagged sentences and labels."""
  root = converted_root
  instances, labels, _ = schema.load_dataset_split(
    root, "NER", "repeats", "test"
  )
  sentences, untagged = crosscheck.sentences_of(instances, "repeats")
  assert untagged == 0
  return sentences, labels.types


def test_gold_against_itself_and_repeats_by_hand(converted):
  sentences, _ = converted
  gold = [s.records for s in sentences]
  c = crosscheck.compare(sentences, gold)
  # "failure" after "renal failure": its words first occur inside the
  # earlier mention, so the text-only records do not say where it is.
  assert c.gold_not_as_tagged == 1
  assert c.compared == c.sentences - 1 > 0
  assert c.gold_repeats > 0
  assert c.ours == c.seqeval == counts.Counts(c.seqeval.tp, 0, 0)
  # One copy of each repeated gold mention dropped: one miss each (a set
  # comparison would count none).
  dropped = [tuple(dict.fromkeys(s.records)) for s in sentences]
  c = crosscheck.compare(sentences, dropped)
  assert c.ours == c.seqeval
  repeats_compared = sum(
    len(s.records) - len(set(s.records))
    for s in sentences
    if crosscheck.place(s.tokens, s.records) == list(s.spans)
  )
  assert c.ours.fn == repeats_compared > 0
  assert c.sets.fn == 0
  # A copy more than the gold at another occurrence: one false positive.
  ada = sentences[0]
  assert ada.tokens[:3] == ("Ada", "met", "Ada")
  c = crosscheck.compare([ada], [(Entity("PER", "Ada"),)])
  assert c.ours == c.seqeval == counts.Counts(1, 0, 2)  # Ada, New York
  c = crosscheck.compare(
    [ada], [(Entity("PER", "Ada"),) * 2 + (Entity("LOC", "New York"),)]
  )
  assert c.ours == c.seqeval == counts.Counts(3, 0, 0)


@pytest.mark.parametrize("seed", range(8))
def test_perturbed_predictions_on_converted_fixture(converted, seed):
  sentences, labels = converted
  predictions = crosscheck.predict(sentences, labels, seed, "repeats")
  c = crosscheck.compare(sentences, predictions)
  assert c.compared > 0
  assert c.ours == c.seqeval
  assert c.ours.f1 == pytest.approx(
    crosscheck.seqeval_f1(c.true_tags, c.pred_tags)
  )
  # seqeval's default mode (conlleval's chunking) reads these tags alike.
  assert c.ours.f1 == pytest.approx(f1_score(c.true_tags, c.pred_tags))


def test_benchmark_script_on_converted_fixture(converted_root):
  result = _python(
    "benchmarks/seqeval_crosscheck.py", f"--data_dir={converted_root}"
  )
  assert result.returncode == 0, result.stderr
  row = next(r for r in result.stdout.splitlines() if r.startswith("| repeats"))
  assert "| yes |" in row
  result = _python(
    "benchmarks/seqeval_crosscheck.py", f"--data_dir={converted_root}/none"
  )
  assert result.returncode == 1
  assert result.stderr.strip().startswith("error: ")
  assert len(result.stderr.strip().splitlines()) == 1


_WORDS = st.sampled_from(["Ada", "met", "New", "York", "IBM"])
_LABELS = st.sampled_from(["PER", "LOC"])


@settings(max_examples=300, deadline=None)
@given(
  tokens=st.lists(_WORDS, min_size=1, max_size=10),
  gold=st.lists(st.tuples(st.integers(0, 9), st.integers(1, 2), _LABELS)),
  pred=st.lists(st.tuples(st.integers(0, 9), st.integers(1, 2), _LABELS)),
)
def test_counts_equal_seqeval_property(tokens, gold, pred):
  """Any records that read back as a tagging count as seqeval counts them."""

  def records(drawn):
    spans = [(a, min(a + n, len(tokens)), x) for a, n, x in drawn]
    return [r for r in crosscheck.records_of(tokens, spans) if r.text]

  gold_records, pred_records = records(gold), records(pred)
  gold_spans = crosscheck.place(tokens, gold_records)
  assume(gold_spans is not None)
  assume(crosscheck.place(tokens, pred_records) is not None)
  sentence = crosscheck.Sentence(
    tuple(tokens), tuple(gold_spans), tuple(gold_records)
  )
  c = crosscheck.compare([sentence], [pred_records])
  assert c.compared == 1
  assert c.ours == c.seqeval
  assert (
    c.ours == metrics.score_example("NER", gold_records, pred_records)["ner"]
  )


def test_perturbed_predictions_on_shared_data(shared_data_dir):
  """The real NER sets: every dataset, its first 400 test sentences."""
  found = [d for f, d in schema.list_datasets(shared_data_dir) if f == "NER"]
  if not found:
    pytest.skip(f"no NER dataset under {shared_data_dir}")
  for name in found:
    instances, labels, _ = schema.load_dataset_split(
      shared_data_dir, "NER", name, "test"
    )
    sentences, _ = crosscheck.sentences_of(instances[:400], name)
    predictions = crosscheck.predict(sentences, labels.types, 0, name)
    c = crosscheck.compare(sentences, predictions)
    assert c.compared > c.sentences // 2, name
    assert c.ours == c.seqeval, name
