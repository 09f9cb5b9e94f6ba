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


@pytest.fixture(scope="module")
def written(tmp_path_factory):
  root = tmp_path_factory.mktemp("tiny")
  counts = tiny_data.write_datasets(str(root), 0, 2000, 300)
  return root, counts


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


def test_counts(written):
  _, counts = written
  assert counts == {
    "NER/synth_news/train.json": 2000,
    "NER/synth_news/dev.json": 300,
    "NER/synth_news/test.json": 300,
    "NER/synth_heldout/train.json": 300,
    "NER/synth_heldout/dev.json": 300,
    "NER/synth_heldout/test.json": 300,
  }


def test_valid_for_the_schema(written):
  root, _ = written
  for dataset in ("synth_news", "synth_heldout"):
    for split in schema.SPLITS:
      instances, labels, problems = schema.load_dataset_split(
        root, "NER", dataset, split, strict=True
      )
      assert labels.types == ("location", "organization", "person")
      expected = 2000 if (dataset, split) == ("synth_news", "train") else 300
      assert len(instances) == expected
      assert not [p for p in problems if "duplicate" not in p.message]


def _load(root, dataset, split):
  path = root / "NER" / dataset / f"{split}.json"
  return json.loads(path.read_text(encoding="utf-8"))


def test_heldout_templates_differ():
  news = set(tiny_data.NEWS_TEMPLATES + tiny_data.NEWS_EMPTY)
  heldout = tiny_data.HELDOUT_TEMPLATES + tiny_data.HELDOUT_EMPTY
  assert not news & set(heldout)


def test_mix_of_names(written):
  root, _ = written
  train = _load(root, "synth_news", "train")
  for instance in train:
    for e in instance["entities"]:
      start, end = e["pos"]
      assert instance["sentence"][start:end] == e["name"]
  empty = sum(not x["entities"] for x in train) / len(train)
  assert 0.07 < empty < 0.13
  names = [e["name"] for x in train for e in x["entities"]]
  gazetteer = set().union(*tiny_data._GAZETTEER.values())
  made_up = sum(n not in gazetteer for n in names) / len(names)
  assert 0.75 < made_up < 0.85
  seen = set(names)
  test = [
    e["name"] for x in _load(root, "synth_news", "test") for e in x["entities"]
  ]
  unseen = sum(n not in seen for n in test) / len(test)
  assert 0.2 < unseen < 0.4
  for split in ("train", "dev", "test"):
    heldout = _load(root, "synth_heldout", split)
    assert not seen & {e["name"] for x in heldout for e in x["entities"]}
  heldout_sentences = {
    x["sentence"] for x in _load(root, "synth_heldout", "test")
  }
  assert not heldout_sentences & {x["sentence"] for x in train}


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
