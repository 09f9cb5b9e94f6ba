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

"""Tests for the `tools/convert_data.py` command line."""

import json
import os
import subprocess
import sys

import pytest

from instructuie_jax import schema
from instructuie_jax.converters import bio_export, output
from tests.conftest import REPO_ROOT

SAMPLES = REPO_ROOT / "tests" / "testdata" / "convert"


def _run(*args):
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  result = subprocess.run(
    [sys.executable, "-m", "tools.convert_data", *args],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )
  return result.returncode, result.stdout, result.stderr


def _load(root, family, name, split):
  """Strict core validation of one written split (raises on any error)."""
  return schema.load_dataset_split(root, family, name, split)[0]


def test_conll_in_with_label_map_and_seeded_splits(tmp_path):
  label_map = tmp_path / "map.json"
  label_map.write_text(
    json.dumps({"GENRE": "genre", "ACTOR": "actor", "RATINGS_AVERAGE": None})
  )
  args = (
    "--format=conll",
    f"--input={SAMPLES}/conll/mit_movie.bio",
    "--tag_column=0",
    "--token_column=1",
    f"--label_map={label_map}",
    "--split_ratios=0.5,0.5,0",
    "--seed=0",
    f"--output_dir={tmp_path}/out",
    "--dataset=mit",
  )
  code, out, err = _run(*args)
  assert code == 0, err
  assert "entity dropped (1)" in out
  assert "mit_movie.bio:9: 'RATINGS_AVERAGE': dropped by the label map" in out
  folder = tmp_path / "out" / "NER" / "mit"
  assert json.loads((folder / "labels.json").read_text()) == ["actor", "genre"]
  got = [
    x
    for s in ("train", "dev", "test")
    for x in _load(tmp_path / "out", "NER", "mit", s)
  ]
  assert len(got) == 2
  marker = json.loads((folder / output.MARKER).read_text())
  assert marker["tool"] == "tools.convert_data"
  assert any("dropped by the label map" in n for n in marker["notes"])
  # Same flags, same seed: same files.
  first = (folder / "train.json").read_text()
  code, _, err = _run(*args, "--overwrite")
  assert code == 0, err
  assert (folder / "train.json").read_text() == first


def test_brat_in_writes_all_families_and_every_event(tmp_path):
  code, out, err = _run(
    "--format=brat",
    f"--input=train={SAMPLES}/brat/corpus",
    f"--output_dir={tmp_path}",
    "--dataset=bionlp",
  )
  assert code == 0, err
  for family in ("NER", "RE"):
    assert _load(tmp_path, family, "bionlp", "train")
  events = json.loads((tmp_path / "EE" / "bionlp" / "train.json").read_text())
  assert [len(x["events"]) for x in events] == [3]
  labels = json.loads((tmp_path / "EE" / "bionlp" / "labels.json").read_text())
  assert labels["Positive_regulation"] == ["Cause", "Theme"]
  assert "doc1.ann:16: *\tEquiv T6 T9" in out
  assert "sub/doc3.txt: no .ann beside it" in out


def test_jsonl_in(tmp_path):
  code, out, err = _run(
    "--format=jsonl",
    f"--input=train={SAMPLES}/jsonl/gliner.jsonl,test={SAMPLES}/jsonl/chars.jsonl",
    f"--output_dir={tmp_path}",
    "--dataset=js",
  )
  assert code == 0, err
  assert "(not given, written empty: dev)" in out
  assert len(_load(tmp_path, "NER", "js", "train")) == 3
  assert len(_load(tmp_path, "NER", "js", "test")) == 3


def test_written_dataset_validates_clean_and_records_its_role(tmp_path):
  code, out, err = _run(
    "--format=jsonl",
    f"--input=train={SAMPLES}/jsonl/gliner.jsonl,test={SAMPLES}/jsonl/chars.jsonl",
    f"--output_dir={tmp_path}",
    "--dataset=js",
    "--role=zeroshot",
  )
  assert code == 0, err
  folder = tmp_path / "NER" / "js"
  assert json.loads((folder / "dataset.json").read_text()) == {
    "role": "zeroshot"
  }
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  result = subprocess.run(
    [sys.executable, "-m", "tools.validate_data", f"--data_dir={tmp_path}"],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )
  assert result.returncode == 0, result.stdout + result.stderr
  assert " 0 errors" in result.stdout
  assert f"{folder / 'dev'}.json: empty on purpose" in result.stdout


@pytest.mark.parametrize(
  "args,code,message",
  [
    (("--input=x", "--output_dir=o", "--dataset=d"), 2, "exactly one of"),
    (("--format=xml", "--input=x"), 2, "should be one of"),
    (("--format=conll", "--output_dir=o", "--dataset=d"), 2, "--input"),
    (
      (
        "--format=conll",
        "--input=/no/such.txt",
        "--output_dir=o",
        "--dataset=d",
      ),
      1,
      "/no/such.txt: not found",
    ),
    (
      (
        "--format=conll",
        f"--input={SAMPLES}/conll/bioes.txt",
        "--output_dir=o",
        "--dataset=d",
      ),
      2,
      "name the split",
    ),
    (
      (
        "--format=conll",
        f"--input=valid={SAMPLES}/conll/bioes.txt",
        "--output_dir=o",
        "--dataset=d",
      ),
      2,
      "is not one of",
    ),
    (
      (
        "--format=conll",
        f"--input={SAMPLES}/conll/bioes.txt",
        "--split_ratios=0.5,0.6",
        "--output_dir=o",
        "--dataset=d",
      ),
      2,
      "sum to",
    ),
  ],
)
def test_mistakes_are_one_line(tmp_path, args, code, message):
  got, out, err = _run(*args)
  assert got == code
  assert message in err
  assert len(err.strip().splitlines()) == 1
  assert "Traceback" not in err


def test_nothing_converted_fails(tmp_path):
  bad = tmp_path / "bad.jsonl"
  bad.write_text("not json\n")
  code, out, err = _run(
    "--format=jsonl",
    f"--input=train={bad}",
    f"--output_dir={tmp_path}/out",
    "--dataset=d",
  )
  assert code == 1
  assert "bad.jsonl:1: invalid JSON" in out
  assert "nothing converted" in err
  assert not (tmp_path / "out" / "NER" / "d").exists()


def test_refuses_to_replace_folders(tmp_path):
  args = (
    "--format=conll",
    f"--input=test={SAMPLES}/conll/bioes.txt",
    f"--output_dir={tmp_path}",
    "--dataset=d",
  )
  assert _run(*args)[0] == 0
  code, _, err = _run(*args)
  assert code == 1 and "pass --overwrite" in err
  foreign = tmp_path / "NER" / "mine"
  foreign.mkdir()
  (foreign / "train.json").write_text("[]")
  code, _, err = _run(*args[:-1], "--dataset=mine", "--overwrite")
  assert code == 1 and "not made by" in err
  assert os.listdir(foreign) == ["train.json"]


def test_tiny_roundtrip_out_and_back(tmp_path, tiny_data_dir):
  code, out, err = _run(
    "--to=conll",
    f"--input={tiny_data_dir}",
    "--dataset=tiny_ner",
    f"--output_dir={tmp_path}/bio",
  )
  assert code == 0, err
  bio = tmp_path / "bio" / "tiny_ner"
  assert (
    "Ada\tB-person\nLovelace\tI-person\n" in (bio / "train.txt").read_text()
  )
  inputs = ",".join(f"{s}={bio}/{s}.txt" for s in ("train", "dev", "test"))
  code, out, err = _run(
    "--format=conll",
    "--scheme=bio",
    f"--input={inputs}",
    f"--label_map={bio}/label_map.json",
    f"--labels={bio}/labels.json",
    f"--output_dir={tmp_path}/ie",
    "--dataset=tiny_ner",
  )
  assert code == 0, err
  for name in ("train", "dev", "test", "labels"):
    want = tiny_data_dir / "NER" / "tiny_ner" / f"{name}.json"
    got = tmp_path / "ie" / "NER" / "tiny_ner" / f"{name}.json"
    assert json.loads(got.read_text()) == json.loads(want.read_text()), name


@pytest.mark.slow
def test_shared_ner_sets_roundtrip(shared_data_dir):
  """IE INSTRUCTIONS -> BIO -> IE INSTRUCTIONS over every shared NER set.

  Counts the instances that come back identical; every other one must have a
  reason (entity not on a whitespace token boundary, overlapping entities,
  whitespace other than single spaces, entity order).
  """
  total = exact = explained = 0
  for family, name in schema.list_datasets(shared_data_dir):
    if family != "NER":
      continue
    for split in ("train", "dev", "test"):
      path = shared_data_dir / "NER" / name / f"{split}.json"
      if not path.exists():
        continue
      instances = json.loads(path.read_text(encoding="utf-8"))
      result = bio_export.roundtrip(instances, "bio", str(path))
      total += result.total
      exact += result.exact
      explained += sum(result.reasons.values())
      assert "other" not in result.reasons, result.examples
  if not total:
    pytest.skip(f"no NER data under {shared_data_dir}")
  assert exact + explained == total
  print(f"\n{exact} of {total} shared NER instances round-trip exactly")


def test_auto_scheme_is_guessed_per_file(tmp_path):
  code, out, err = _run(
    "--format=conll",
    f"--input=train={SAMPLES}/conll/crossner_illformed.txt,"
    f"test={SAMPLES}/conll/conll2003_iob1.txt",
    f"--output_dir={tmp_path}",
    "--dataset=mixed",
  )
  assert code == 0, err
  assert "crossner_illformed.txt: tag scheme bio" in out
  assert "conll2003_iob1.txt: tag scheme iob1" in out
  _load(tmp_path, "NER", "mixed", "test")
  test = json.loads((tmp_path / "NER" / "mixed" / "test.json").read_text())
  assert [e["name"] for e in test[2]["entities"]] == [
    "Germany",
    "France",
    "Spain",
  ]
  assert "ill-formed tags (2):" in out
