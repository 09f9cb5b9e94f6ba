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

"""Tests of the synthetic tiny NER data generator."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from instructuie_jax import schema, tiny_data
from tests.conftest import REPO_ROOT

NUM_TRAIN, NUM_EVAL = 1500, 200


@pytest.fixture(scope="module")
def written(tmp_path_factory):
  root = tmp_path_factory.mktemp("tiny")
  counts = tiny_data.write_datasets(str(root), 0, NUM_TRAIN, NUM_EVAL)
  return root, counts


def _load(root, dataset, split):
  path = root / "NER" / dataset / f"{split}.json"
  return json.loads(path.read_text(encoding="utf-8"))


def _supervised_names():
  return [spec.name for spec in tiny_data.SUPERVISED]


def test_fill_template_offsets():
  instance = tiny_data.fill_template(
    "{PER} met {PER} in {LOC} .", ["Ada Lo", "Bo Ka", "Lima"]
  )
  assert instance == {
    "sentence": "Ada Lo met Bo Ka in Lima .",
    "entities": [
      {"name": "Ada Lo", "type": "person", "pos": [0, 6]},
      {"name": "Bo Ka", "type": "person", "pos": [11, 16]},
      {"name": "Lima", "type": "location", "pos": [20, 24]},
    ],
  }


def test_fill_template_annotates_only_the_listed_types():
  instance = tiny_data.fill_template(
    "{CHEM} reduced symptoms of {DIS} .", ["kaline", "lomitis"], ["disease"]
  )
  assert instance["entities"] == [
    {"name": "lomitis", "type": "disease", "pos": [27, 34]}
  ]


def test_counts(written):
  _, counts = written
  expected = {}
  for dataset in tiny_data.DATASETS:
    supervised = dataset in _supervised_names()
    for split in ("train", "dev", "test"):
      n = NUM_TRAIN if supervised and split == "train" else NUM_EVAL
      expected[f"NER/{dataset}/{split}.json"] = n
  assert counts == expected


def test_valid_for_the_schema(written):
  root, counts = written
  for dataset in tiny_data.DATASETS:
    for split in schema.SPLITS:
      instances, labels, problems = schema.load_dataset_split(
        root, "NER", dataset, split, strict=True
      )
      assert set(labels.types) == set(tiny_data.LABELS[dataset])
      assert len(instances) == counts[f"NER/{dataset}/{split}.json"]
      assert not [p for p in problems if "duplicate" not in p.message]


def test_entities_are_exact_and_only_of_listed_types(written):
  root, _ = written
  for dataset in tiny_data.DATASETS:
    listed = set(tiny_data.LABELS[dataset])
    for split in ("train", "dev", "test"):
      for instance in _load(root, dataset, split):
        for e in instance["entities"]:
          start, end = e["pos"]
          assert instance["sentence"][start:end] == e["name"]
          assert e["type"] in listed


def test_every_label_is_taught_apart_from_its_companions():
  """No two labels are listed by the same supervised data sets: "L is
  listed" is the only listing that tells when L is answered."""
  label_sets = [set(spec.labels) for spec in tiny_data.SUPERVISED]
  listed_by = {}
  for i, labels in enumerate(label_sets):
    for label in labels:
      listed_by.setdefault(label, set()).add(i)
  assert len(set(map(frozenset, listed_by.values()))) == len(listed_by)
  mixed = set(tiny_data.MIXED.labels)
  assert mixed not in label_sets
  assert mixed <= set().union(*label_sets)


def test_training_sentences_hold_unlisted_types(written):
  """Each supervised set has sentences with entities of types it does not
  list (a second fragment of another domain), left unannotated."""
  root, _ = written
  domain_of = tiny_data._domain_of()
  for spec in tiny_data.SUPERVISED:
    unlisted = 0
    for instance in _load(root, spec.name, "train"):
      annotated = len(instance["entities"])
      slots = sum(
        len(tiny_data.slot_types(f))
        for f in domain_of
        if _holds_fragment(instance["sentence"], f)
      )
      unlisted += slots > annotated
    assert unlisted > NUM_TRAIN * 0.1, spec.name


def _holds_fragment(sentence, fragment):
  words = [w for w in fragment.split(" ") if not w.startswith("{")]
  return all(f" {w} " in f" {sentence} " for w in words) and len(words) > 1


def test_mixed_pairs_never_joined_in_training(written):
  root, _ = written
  pairs = tiny_data.heldout_pairs(tiny_data.MIXED.labels)
  assert pairs
  for first, second in pairs:
    assert tiny_data._domain_of()[first] != tiny_data._domain_of()[second]
    assert tiny_data.pair_is_heldout(first, second)
    assert second not in tiny_data.partners(first, heldout=False)
  train = {
    x["sentence"]
    for dataset in _supervised_names()
    for x in _load(root, dataset, "train")
  }
  mixed = [x for x in _load(root, "synth_mixed", "test") if x["entities"]]
  assert len(mixed) > NUM_EVAL * 0.8
  assert not train & {x["sentence"] for x in mixed}


def test_mix_of_names(written):
  root, _ = written
  train = [x for d in _supervised_names() for x in _load(root, d, "train")]
  empty = sum(not x["entities"] for x in train) / len(train)
  assert 0.07 < empty < 0.13
  names = [e["name"] for x in train for e in x["entities"]]
  gazetteer = set().union(*tiny_data._GAZETTEER.values())
  made_up = sum(n not in gazetteer for n in names) / len(names)
  assert 0.85 < made_up < 0.99
  seen = set(names)
  test = [
    e["name"]
    for d in _supervised_names()
    for x in _load(root, d, "test")
    for e in x["entities"]
  ]
  unseen = sum(n not in seen for n in test) / len(test)
  assert 0.2 < unseen < 0.4
  text = " " + " ".join(x["sentence"] for x in train) + " "
  for dataset in tiny_data.ZERO_SHOT:
    for split in ("train", "dev", "test"):
      for x in _load(root, dataset, split):
        for e in x["entities"]:
          assert e["name"] not in seen
          assert f" {e['name']} " not in text


def test_heldout_templates_share_no_clause_with_the_fragments():
  fragments = set(tiny_data._domain_of())
  for template in tiny_data.HELDOUT_TEMPLATES:
    assert not any(f in template for f in fragments)


def test_deterministic(tmp_path):
  def digest(root):
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.json")):
      h.update(path.read_bytes())
    return h.hexdigest()

  tiny_data.write_datasets(str(tmp_path / "a"), 3, 100, 20)
  tiny_data.write_datasets(str(tmp_path / "b"), 3, 100, 20)
  tiny_data.write_datasets(str(tmp_path / "c"), 4, 100, 20)
  assert digest(tmp_path / "a") == digest(tmp_path / "b")
  assert digest(tmp_path / "a") != digest(tmp_path / "c")


def _cli(*args):
  """Runs `python -m tools.make_tiny_data`; returns (status, stdout, stderr)."""
  result = subprocess.run(
    [sys.executable, "-m", "tools.make_tiny_data", *args],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    check=False,
  )
  return result.returncode, result.stdout, result.stderr


def _one_error_line(err, *needles):
  lines = err.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: "), err
  for needle in needles:
    assert needle in lines[0], err


@pytest.mark.parametrize(
  "flag", ["--num_train=-5", "--num_train=0", "--num_eval=0", "--seed=x"]
)
def test_bad_counts_are_usage_errors_and_write_nothing(tmp_path, flag):
  out = tmp_path / "data"
  code, _, err = _cli(f"--output_dir={out}", flag)
  assert code == 2, err
  _one_error_line(err, flag.split("=")[0])
  assert not out.exists()


def test_write_datasets_rejects_bad_counts(tmp_path):
  with pytest.raises(ValueError, match="num_train"):
    tiny_data.write_datasets(str(tmp_path), 0, -5, 10)
  assert not list(tmp_path.iterdir())


def test_output_dir_that_is_a_file(tmp_path):
  out = tmp_path / "file"
  out.write_text("mine")
  code, _, err = _cli(f"--output_dir={out}")
  assert code == 1, err
  _one_error_line(err, str(out), "not a directory")
  assert out.read_text() == "mine"


def test_existing_output_needs_overwrite(tmp_path):
  news = tmp_path / "NER" / "synth_news"
  news.mkdir(parents=True)
  (news / "train.json").write_text("[]")
  code, _, err = _cli(f"--output_dir={tmp_path}", "--num_train=5")
  assert code == 1, err
  _one_error_line(err, str(news / "train.json"), "--overwrite")
  assert (news / "train.json").read_text() == "[]"
  code, out, err = _cli(
    f"--output_dir={tmp_path}", "--num_train=5", "--overwrite"
  )
  assert code == 0, err
  assert len(json.loads((news / "train.json").read_text())) == 5
  assert f"5  {news / 'train.json'}" in out


def test_missing_output_flag_is_a_usage_error():
  code, _, err = _cli()
  assert code == 2
  _one_error_line(err, "--output_dir")
