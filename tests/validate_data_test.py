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

"""Tests for the `tools/validate_data.py` command line."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def _run3(*args):
  """Runs the CLI; returns (exit status, stdout, stderr)."""
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  result = subprocess.run(
    [sys.executable, "-m", "tools.validate_data", *args],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )
  return result.returncode, result.stdout, result.stderr


def _run(*args):
  code, out, err = _run3(*args)
  return code, out + err


@pytest.fixture
def data_copy(tmp_path, tiny_data_dir):
  root = tmp_path / "data"
  shutil.copytree(tiny_data_dir, root)
  return root


def _edit(path, edit):
  data = json.loads(path.read_text(encoding="utf-8"))
  edit(data)
  path.write_text(json.dumps(data), encoding="utf-8")


def test_clean_data_exit_zero_and_table(data_copy):
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 0, out
  lines = out.splitlines()
  assert lines[0].split() == [
    "family",
    "dataset",
    "train",
    "dev",
    "test",
    "labels",
    "items",
    "args",
    "errors",
    "dups",
    "repeats",
  ]
  # tiny_ner: 3/2/2 instances, 3 labels, 5 + 3 + 5 entities; 7 + 5 + 5 = 17.
  assert lines[1].split() == [
    "NER", "tiny_ner", "3", "2", "2", "3", "13", "ent.", "-", "0", "0", "0"
  ]  # fmt: skip
  assert lines[2].split() == [
    "RE", "tiny_re", "2", "1", "2", "3", "6", "rel.", "-", "0", "0", "0"
  ]  # fmt: skip
  assert lines[3].split() == [
    "EE", "tiny_ee", "2", "1", "2", "3/5", "5", "eve.", "7", "0", "0", "0"
  ]  # fmt: skip
  assert "3 datasets, 17 usable instances, 0 errors, 0 duplicate" in out


def test_errors_exit_one_and_name_file_index_field(data_copy):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  _edit(train, lambda d: d[1]["entities"][0].update(pos=[1, 9]))
  dev = data_copy / "RE" / "tiny_re" / "dev.json"
  _edit(dev, lambda d: d[0]["relations"][0]["head"].update(name="Carl"))
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 1, out
  assert "errors (2):" in out
  assert (
    f"{train}:1: entities[0].pos: sentence[1:9] is 'cme Corp', not 'Acme Corp'"
  ) in out
  assert f"{dev}:0: relations[0].head.pos: " in out
  row = next(line for line in out.splitlines() if "tiny_ner" in line)
  assert row.split() == [
    "NER", "tiny_ner", "2", "2", "2", "3", "10", "ent.", "-", "1", "0", "0"
  ]  # fmt: skip


def test_invalid_json_and_broken_labels(data_copy):
  (data_copy / "EE" / "tiny_ee" / "dev.json").write_text("[\n{,\n]")
  (data_copy / "RE" / "tiny_re" / "labels.json").write_text('{"a": 1}')
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 1, out
  assert "errors (2):" in out
  assert (
    "dev.json: json: line 2: invalid JSON: Expecting property name enclosed in double quotes (column 2)"
    in out
  )
  assert "labels.json: labels: expected a list of relation types" in out


def test_duplicates_warn_unless_fail_on_duplicates(data_copy):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  _edit(train, lambda d: d.append(d[0]))
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 0, out
  assert "duplicates, not failing (1):" in out
  assert f"{train}:3: instance: duplicate of instance 0" in out
  code, out = _run(f"--data_dir={data_copy}", "--fail_on_duplicates")
  assert code == 1, out


def test_repeated_mentions_are_counted(data_copy):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  sentence = "Ada met Ada , and Ada ."
  ada = [{"name": "Ada", "type": "person", "pos": [i, i + 3]} for i in (0, 8)]
  ada.append({"name": "Ada", "type": "location", "pos": [18, 21]})
  _edit(train, lambda d: d.append({"sentence": sentence, "entities": ada}))
  dev = data_copy / "RE" / "tiny_re" / "dev.json"

  def repeat_relation(d):
    d[0]["relations"].append(d[0]["relations"][0])

  _edit(dev, repeat_relation)
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 0, out
  rows = {line.split()[1]: line.split() for line in out.splitlines()[1:4]}
  # The second person "Ada"; the relation given twice (also a duplicate).
  assert (rows["tiny_ner"][-2], rows["tiny_ner"][-1]) == ("0", "1")
  assert (rows["tiny_re"][-2], rows["tiny_re"][-1]) == ("1", "1")
  assert rows["tiny_ee"][-1] == "0"


def test_strict_stops_at_first_error(data_copy):
  for split in ("train", "dev"):
    path = data_copy / "NER" / "tiny_ner" / f"{split}.json"
    _edit(path, lambda d: d[0].pop("sentence"))
  code, out = _run(f"--data_dir={data_copy}", "--strict")
  assert code == 1, out
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  assert f"error (--strict stops here): {train}:0: sentence: missing" in out
  assert "dev.json" not in out


def test_max_problems_listed(data_copy):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  _edit(train, lambda d: [i.update(sentence="") for i in d])
  code, out = _run(f"--data_dir={data_copy}", "--max_problems_listed=1")
  assert code == 1, out
  assert "errors (3):" in out
  assert "  ... and 2 more" in out


def test_usage_errors(tmp_path):
  code, out = _run()
  assert code != 0 and "--data_dir is required" in out
  code, out = _run(f"--data_dir={tmp_path}", "extra")
  assert code != 0 and "Unexpected arguments" in out
  code, out = _run(f"--data_dir={tmp_path / 'missing'}")
  assert code == 1 and "No IE INSTRUCTIONS data folder at" in out
  code, out = _run(f"--data_dir={tmp_path}")
  assert code == 1 and "no {NER,RE,EE}/<dataset> folders" in out


def test_empty_split_is_an_error(data_copy):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  train.write_text("[]\n")
  code, out, err = _run3(f"--data_dir={data_copy}")
  assert code == 1, out + err
  assert f"{train}: file: empty list, no instances" in out
  assert "Traceback" not in err


def test_empty_split_on_purpose_is_a_note(data_copy):
  folder = data_copy / "NER" / "tiny_ner"
  (folder / "dev.json").write_text("[]")
  marker = {"tool": "tools.convert_data", "empty_splits": ["dev"]}
  (folder / ".convert_data.json").write_text(json.dumps(marker))
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 0, out
  assert "notes (1):" in out and "dev.json: empty on purpose" in out
  marker["empty_splits"] = ["test"]  # Another split: dev is an error.
  (folder / ".convert_data.json").write_text(json.dumps(marker))
  code, out = _run(f"--data_dir={data_copy}")
  assert code == 1 and "dev.json: file: empty list, no instances" in out


def test_without_data_dir_checks_the_user_folders(data_copy, tmp_path):
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  env["IE_USER_DATASETS"] = f"{data_copy},{data_copy}"
  result = subprocess.run(
    [sys.executable, "-m", "tools.validate_data"],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )
  assert result.returncode == 0, result.stderr
  assert result.stdout.count(f"== {data_copy}") == 2


def test_only_empty_splits_is_an_error(tmp_path):
  folder = tmp_path / "NER" / "x"
  folder.mkdir(parents=True)
  (folder / "labels.json").write_text('["a"]')
  for split in ("train", "dev", "test"):
    (folder / f"{split}.json").write_text("[]")
  code, out, err = _run3(f"--data_dir={tmp_path}")
  assert code == 1, out + err
  assert "errors (3):" in out
  assert "0 usable instances" in out


def test_dangling_dataset_symlink_is_an_error(data_copy, tmp_path):
  link = data_copy / "RE" / "gone"
  link.symlink_to(tmp_path / "nowhere")
  code, out, err = _run3(f"--data_dir={data_copy}")
  assert code == 1, out + err
  assert f"{link}: file: dangling symlink to {tmp_path / 'nowhere'}" in out


def test_only_a_dangling_symlink(tmp_path):
  (tmp_path / "EE").mkdir()
  (tmp_path / "EE" / "gone").symlink_to(tmp_path / "nowhere")
  code, out, err = _run3(f"--data_dir={tmp_path}")
  assert code == 1, out + err
  assert "dangling symlink" in out + err


def test_deeply_nested_json_is_one_problem(data_copy):
  dev = data_copy / "NER" / "tiny_ner" / "dev.json"
  dev.write_text("[" * 100_000 + "]" * 100_000)
  code, out, err = _run3(f"--data_dir={data_copy}")
  assert code == 1, out + err
  assert "Traceback" not in err and "RecursionError" not in out + err
  assert f"{dev}: json: line 1: JSON nested deeper than" in out


def test_bad_flag_value_is_a_usage_error(data_copy):
  code, out, err = _run3(f"--data_dir={data_copy}", "--max_problems_listed=-1")
  assert code == 2, out + err
  assert not out
  assert err.count("\n") == 1 and err.startswith("error: flag --max_problems")


def test_missing_data_dir_is_one_line_on_stderr(tmp_path):
  code, out, err = _run3(f"--data_dir={tmp_path / 'missing'}")
  assert code == 1
  assert not out
  assert (
    err == f"error: No IE INSTRUCTIONS data folder at {tmp_path / 'missing'}\n"
  )


def test_real_data_is_clean(shared_data_dir):
  code, out = _run(f"--data_dir={shared_data_dir}", "--max_problems_listed=0")
  assert code == 0, out
  assert ", 0 errors, " in out
  row = next(line for line in out.splitlines() if " mit-movie " in line)
  assert row.split()[:7] == [
    "NER",
    "mit-movie",
    "8797",
    "978",
    "2443",
    "12",
    "26634",
  ]


def test_real_file_corrupted(shared_data_dir, tmp_path):
  root = tmp_path / "data"
  shutil.copytree(shared_data_dir / "EE" / "PHEE", root / "EE" / "PHEE")
  test = root / "EE" / "PHEE" / "test.json"
  _edit(test, lambda d: d[10]["events"][0]["arguments"][0].update(role="x"))
  code, out = _run(f"--data_dir={root}")
  assert code == 1, out
  assert f"{test}:10: events[0].arguments[0].role: 'x' is not a role of" in out
