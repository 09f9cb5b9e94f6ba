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

"""Tests of tools/run_local_tiny.py that need no T5X run."""

from __future__ import annotations

import pytest
from absl import app

from tools import run_local_tiny


def test_without_t5x_prints_install_help_and_exits_2(monkeypatch, capsys):
  monkeypatch.setattr(run_local_tiny, "t5x_root", lambda: None)
  with pytest.raises(SystemExit) as exit_info:
    run_local_tiny.main(["run_local_tiny"])
  assert exit_info.value.code == 2
  err = capsys.readouterr().err
  assert "T5X is not installed" in err
  assert run_local_tiny.T5X_COMMIT in err
  assert "install-t5x-from-snapshots" in err
  assert "Traceback" not in err


def test_rejects_extra_arguments():
  with pytest.raises(app.UsageError):
    run_local_tiny.main(["run_local_tiny", "extra"])


def test_latest_checkpoint(tmp_path):
  for name in (
    "checkpoint_0",
    "checkpoint_500",
    "checkpoint_1000",
    "checkpoint_1500.orbax-checkpoint-tmp-1",
    "train",
  ):
    (tmp_path / name).mkdir()
  assert run_local_tiny.latest_checkpoint(str(tmp_path)) == str(
    tmp_path / "checkpoint_1000"
  )
  with pytest.raises(RuntimeError, match="no checkpoint_N"):
    run_local_tiny.latest_checkpoint(str(tmp_path / "train"))


def test_subprocess_env(tmp_path, monkeypatch):
  monkeypatch.setenv("PYTHONPATH", "/elsewhere")
  env = run_local_tiny.subprocess_env(str(tmp_path))
  assert env["IE_TINY_DIR"] == str(tmp_path / "data")
  assert env["IE_INSTRUCTIONS_VOCAB"] == str(tmp_path / "vocab.model")
  assert env["PYTHONPATH"].split(":") == [
    run_local_tiny.REPO_ROOT,
    "/elsewhere",
  ]
