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

"""Tests of `tasks.tfds_build` and tools/build_tfds.py: inputs are checked
before anything is built."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from instructuie_jax import catalog, cli, tiny_data
from tasks import tfds_build
from tests.conftest import REPO_ROOT


def _cli(*args):
  """Runs `python -m tools.build_tfds`; returns (status, stdout, stderr)."""
  result = subprocess.run(
    [sys.executable, "-m", "tools.build_tfds", *args],
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


@pytest.fixture
def tiny_root(tmp_path):
  root = tmp_path / "data"
  tiny_data.write_datasets(str(root), 0, 20, 5)
  return root


def test_wrong_manual_dir_fails_fast(tmp_path):
  start = time.monotonic()
  code, out, err = _cli(
    f"--manual_dir={tmp_path / 'nope'}", f"--data_dir={tmp_path / 'tfds'}"
  )
  assert code == 1, out + err
  _one_error_line(err, f"{tmp_path / 'nope'}: no such folder")
  assert not (tmp_path / "tfds").exists()
  assert time.monotonic() - start < 20  # TensorFlow was not imported.


def test_no_dataset_folder_under_manual_dir(tmp_path):
  code, out, err = _cli(f"--manual_dir={tmp_path}", f"--data_dir={tmp_path}/t")
  assert code == 1, out + err
  _one_error_line(err, f"no catalog dataset folder under {tmp_path}")


@pytest.mark.parametrize(
  "args, code, needle",
  [
    (["--datasets=mit_movi"], 2, "unknown dataset 'mit_movi' (did you mean"),
    (["--datasets=synth_news,conll04"], 1, "/RE/conll04: no such folder"),
    (["--datasets="], 2, "--datasets is empty"),
    (["--data_dir={root}/NER/synth_news/train.json"], 1, "not a directory"),
    (["extra"], 2, "Unexpected arguments"),
  ],
)
def test_user_mistakes_are_one_line(tiny_root, tmp_path, args, code, needle):
  args = [a.format(root=tiny_root) for a in args]
  status, out, err = _cli(
    f"--manual_dir={tiny_root}", f"--data_dir={tmp_path / 'tfds'}", *args
  )
  assert status == code, out + err
  _one_error_line(err, needle)
  assert not (tmp_path / "tfds").exists()


def test_plan_lists_what_it_skips(tiny_root, tmp_path):
  specs, skipped = tfds_build.plan(str(tiny_root), str(tmp_path), ["all"])
  assert [s.slug for s in specs] == list(tiny_data.DATASETS)
  assert len(skipped) == len(catalog.CATALOG) - len(tiny_data.DATASETS)
  assert skipped["mit_movie"] == f"no folder {tiny_root}/NER/mit-movie"


@pytest.mark.slow
def test_bad_data_is_refused_before_building_then_builds(tiny_root, tmp_path):
  from tasks import sources  # TensorFlow: only in this test.

  train = tiny_root / "NER" / "synth_heldout" / "train.json"
  good = train.read_text()
  train.write_text("[]")
  tfds_dir = tmp_path / "tfds"
  with pytest.raises(cli.UserError, match="empty list, no instances"):
    tfds_build.build(str(tiny_root), str(tfds_dir), ["all"])
  assert not tfds_dir.exists()
  sources.load_features.cache_clear()  # It caches the file's contents.
  train.write_text(good[:40])
  with pytest.raises(
    cli.UserError, match=rf"{train}: json: line \d+: invalid JSON"
  ):
    tfds_build.build(str(tiny_root), str(tfds_dir), ["synth_heldout"])
  sources.load_features.cache_clear()
  train.write_text(good)
  result = tfds_build.build(str(tiny_root), str(tfds_dir), ["synth_heldout"])
  assert result["synth_heldout"].startswith("built: ")
  result = tfds_build.build(str(tiny_root), str(tfds_dir), ["synth_heldout"])
  assert result["synth_heldout"].startswith("already built: ")
