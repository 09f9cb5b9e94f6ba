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


"""Tests for the seqio sources, preprocessors and task registration."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import seqio
import tensorflow_datasets as tfds

from instructuie_jax import catalog, instructions, schema
from tasks import ie_instructions, settings, sources
from tasks import vocab as vocab_lib
from tests import ie_seqio_testing as testing

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def fixture_tasks(tmp_path_factory):
  with testing.fixture_tasks(tmp_path_factory.mktemp("vocab")) as names:
    yield names


def _main_task_names(names):
  return [
    catalog.task_name(task, spec)
    for spec in testing.FIXTURE_SPECS
    for task in spec.main_tasks
  ]


@pytest.mark.slow
def test_import_needs_no_data_and_no_vocabulary_file():
  code = (
    "import seqio, tasks.mixtures;"
    "n = [t for t in seqio.TaskRegistry.names() if t.startswith('instructuie_')];"
    "print(len(n))"
  )
  env = dict(
    os.environ,
    PYTHONPATH=REPO_ROOT,
    IE_INSTRUCTIONS_DIR="/nonexistent/ie",
    IE_TINY_DIR="/nonexistent/tiny",
    IE_INSTRUCTIONS_VOCAB="/nonexistent/vocab.model",
  )
  out = subprocess.run(
    [sys.executable, "-c", code],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=True,
  )
  expected = sum(len(s.tasks) for s in catalog.CATALOG)
  assert out.stdout.strip().splitlines()[-1] == str(expected)


def test_every_catalog_task_is_registered():
  registered = set(seqio.TaskRegistry.names())
  for spec in catalog.CATALOG:
    for task in spec.tasks:
      name = catalog.task_name(task, spec)
      assert name in registered
      assert catalog.is_valid_seqio_name(name)
  assert seqio.get_mixture_or_task("instructuie_es_bc5cdr").splits == ("train",)
  assert seqio.get_mixture_or_task("instructuie_ner_bc5cdr").splits == (
    "train",
    "validation",
    "test",
  )


def test_missing_dataset_names_the_expected_path(tmp_path):
  with settings.scoped(ie_instructions_dir=str(tmp_path)):
    task = seqio.get_mixture_or_task("instructuie_ner_mit_movie")
    with pytest.raises(FileNotFoundError, match="NER/mit-movie/test.json"):
      task.get_dataset(sequence_length=None, split="test", shuffle=False)


def test_vocabulary_factory(tmp_path):
  with testing.env(**{k: None for k in testing.ENV_VARS}):
    with settings.scoped():
      assert vocab_lib.vocabulary_spec() == (vocab_lib.FLAN_T5_VOCAB, 100)
    with settings.scoped(vocab="byte"):
      assert vocab_lib.get_vocabulary() == seqio.ByteVocabulary()
      assert vocab_lib.get_vocabulary() is vocab_lib.get_vocabulary()
      feature = ie_instructions.output_features()["targets"]
      assert feature.vocabulary == seqio.ByteVocabulary()
    with settings.scoped(vocab="/x/v.model"):
      assert vocab_lib.vocabulary_spec() == ("/x/v.model", 0)
    # The documented environment defaults (set by the user).
    with testing.env(IE_INSTRUCTIONS_VOCAB="/y/v.model"), settings.scoped():
      assert vocab_lib.vocabulary_spec() == ("/y/v.model", 0)


def test_fixture_tasks_keep_every_eval_example(fixture_tasks):
  for name in _main_task_names(fixture_tasks):
    task = seqio.get_mixture_or_task(name)
    for split in ("validation", "test"):
      got = testing.examples(name, split)
      assert len(got) == task.num_input_examples(split), (name, split)
      for ex in got:
        assert ex["inputs"][-1] == 1 and ex["targets"][-1] == 1  # EOS.
        assert ex["id"].decode().endswith(":" + ex["task"].decode())
        assert ex["dataset"].decode() in {s.name for s in testing.FIXTURE_SPECS}


def test_fixture_counts(fixture_tasks):
  # Hand-counted from tests/testdata/ie_tiny.
  assert len(testing.examples("instructuie_ner_tiny_ner", "train")) == 3
  assert len(testing.examples("instructuie_re_tiny_re", "test")) == 2
  assert len(testing.examples("instructuie_eea_tiny_ee", "validation")) == 1
  for name in ("instructuie_es_tiny_ner", "instructuie_epr_tiny_re"):
    n = len(testing.examples(name, "train"))
    assert 0 <= n <= seqio.get_mixture_or_task(name).num_input_examples("train")


@pytest.mark.parametrize("spec", testing.FIXTURE_SPECS, ids=lambda s: s.slug)
def test_pipeline_equals_examples_for_split(fixture_tasks, spec):
  for split, file_split in catalog.SPLIT_FILES.items():
    instances, labels, _ = schema.load_dataset_split(
      testing.TINY_DATA_DIR, spec.family, spec.name, file_split
    )
    train = split == "train"
    expected = {
      (e["id"], e["inputs"], e["targets"])
      for e in instructions.examples_for_split(
        instances,
        spec.family,
        labels,
        dataset=spec.name,
        split=file_split,
        train=train,
      )
    }
    got = set()
    for task in spec.tasks if train else spec.main_tasks:
      for ex in testing.examples(catalog.task_name(task, spec), split):
        got.add(
          (
            ex["id"].decode(),
            ex["inputs_pretokenized"].decode(),
            ex["targets_pretokenized"].decode(),
          )
        )
    assert got == expected, (spec.name, split)


def test_words_bio_targets_and_uncovered_task_types(fixture_tasks):
  instances, labels, _ = schema.load_dataset_split(
    testing.TINY_DATA_DIR, "NER", "tiny_ner", "test"
  )
  expected = {
    e["targets"]
    for e in instructions.examples_for_split(
      instances,
      "NER",
      labels,
      dataset="tiny_ner",
      split="test",
      train=False,
      options=instructions.PromptOptions(target_format="words_bio"),
    )
  }
  with settings.scoped(target_format="words_bio"):
    got = {
      ex["targets_pretokenized"].decode()
      for ex in testing.examples("instructuie_ner_tiny_ner", "test")
    }
    assert got == expected
    with pytest.raises(ValueError, match="does not cover task type ET"):
      testing.examples("instructuie_et_tiny_ner", "train")


def test_byte_vocabulary_round_trip(fixture_tasks):
  vocab = seqio.ByteVocabulary()
  with settings.scoped(vocab="byte"):
    for ex in testing.examples("instructuie_re_tiny_re", "test"):
      assert vocab.decode(ex["targets"][:-1].tolist()) == (
        ex["targets_pretokenized"].decode()
      )


def test_json_and_tfds_sources_agree(fixture_tasks, tmp_path):
  for spec in testing.FIXTURE_SPECS:
    builder = sources.IeInstructions(
      config=sources.builder_config(spec), data_dir=str(tmp_path)
    )
    builder.download_and_prepare(
      download_config=tfds.download.DownloadConfig(
        manual_dir=str(testing.TINY_DATA_DIR)
      )
    )
  for spec in testing.FIXTURE_SPECS:
    json_source = sources.JsonSource(spec, sources.ALL_SPLITS)
    tfds_source = sources.tfds_source(spec, sources.ALL_SPLITS, str(tmp_path))
    for split in sources.ALL_SPLITS:
      assert tfds_source.num_input_examples(split) == (
        json_source.num_input_examples(split)
      )
      a = list(
        json_source.get_dataset(split, shuffle=False).as_numpy_iterator()
      )
      b = list(
        tfds_source.get_dataset(split, shuffle=False).as_numpy_iterator()
      )
      assert a == b
  # The registered tasks give the same examples from either backend.
  name = "instructuie_eea_tiny_ee"
  from_json = testing.examples(name, "test")
  with settings.scoped(source="tfds", tfds_dir=str(tmp_path)):
    source = seqio.get_mixture_or_task(name).source.impl()
    assert isinstance(source, seqio.TfdsDataSource)
    from_tfds = testing.examples(name, "test")
  assert len(from_json) == len(from_tfds) == 2
  for a, b in zip(from_json, from_tfds, strict=True):
    assert a.keys() == b.keys()
    for k in a:
      np.testing.assert_array_equal(a[k], b[k])


_RAW_NER = {
  "id": "tiny_ner/dev/9",
  "sentence": "Ada met Bob in Paris .",
  "gold": json.dumps(
    {
      "entities": [
        {"name": "Ada", "type": "person", "pos": [0, 3]},
        {"name": "Paris", "type": "location", "pos": [15, 20]},
      ],
      "relations": [],
      "events": [],
    }
  ),
  "labels": json.dumps({"types": ["location", "person"], "roles": None}),
  "split": "dev",
}


def test_postprocess_and_metrics_in_words_bio(fixture_tasks):
  with settings.scoped(vocab="byte", target_format="words_bio"):
    result = seqio.test_utils.test_postprocessing(
      "instructuie_ner_tiny_ner",
      {"validation": _RAW_NER},
      predict_output=[
        " Ada(B-person) met(O) Bob(B-person) in(O) Paris(O) .(O)"
      ],
    )
  assert result["tiny_ner/ner_tp"] == 1
  assert result["tiny_ner/ner_fp"] == 1
  assert result["tiny_ner/ner_fn"] == 1
  # The original evaluator's metrics read the original format only.
  assert not any("original" in k for k in result)


def test_postprocess_and_metrics(fixture_tasks):
  raw = {
    "id": "tiny_ner/dev/9",
    "sentence": "Ada met Bob in Paris .",
    "gold": json.dumps(
      {
        "entities": [
          {"name": "Ada", "type": "person", "pos": [0, 3]},
          {"name": "Paris", "type": "location", "pos": [15, 20]},
        ],
        "relations": [],
        "events": [],
      }
    ),
    "labels": json.dumps({"types": ["location", "person"], "roles": None}),
    "split": "dev",
  }
  with settings.scoped(vocab="byte"):
    result = seqio.test_utils.test_postprocessing(
      "instructuie_ner_tiny_ner",
      {"validation": raw},
      predict_output=[" person: Ada; person: Bob"],
    )
  assert result["tiny_ner/ner_tp"] == 1
  assert result["tiny_ner/ner_fp"] == 1
  assert result["tiny_ner/ner_fn"] == 1
  assert result["tiny_ner/ner_f1"] == pytest.approx(50.0)


@pytest.mark.slow
def test_shared_data_tasks_yield_examples(shared_data_dir):
  with settings.scoped(ie_instructions_dir=str(shared_data_dir), vocab="byte"):
    seen = 0
    for spec in catalog.select(benchmark="ie_instructions"):
      if not (shared_data_dir / spec.family / spec.name).is_dir():
        continue
      for task in spec.tasks:
        name = catalog.task_name(task, spec)
        split = "train" if task in spec.auxiliary_tasks else "test"
        ds = seqio.get_mixture_or_task(name).get_dataset(
          sequence_length=None, split=split, shuffle=False
        )
        ex = next(ds.take(1).as_numpy_iterator())
        assert ex["inputs_pretokenized"] and ex["targets_pretokenized"]
        assert ex["dataset"].decode() == spec.name
        seen += 1
    assert seen >= 30
    # Eval splits are complete: count in == count out.
    for name in ("instructuie_re_conll04", "instructuie_eea_phee"):
      task = seqio.get_mixture_or_task(name)
      n = len(testing.examples(name, "validation"))
      assert n == task.num_input_examples("validation")
    assert n == 1003  # PHEE dev events (SOURCES.md).
