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

"""benchmarks/scoring_speed.py on small inputs."""

import pathlib

import pytest

from benchmarks import scoring_speed
from instructuie_jax import formats

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_table():
  rows = scoring_speed.run(300, 0, 0.5, 50, None)
  assert rows[2].startswith("| strict NER | 150 |")
  assert any(r.startswith("| **strict, all tasks** | 300 |") for r in rows)


def test_compare_with_a_baseline_file(monkeypatch):
  # The registration is undone after the test: other tests of this worker
  # read every registered format.
  monkeypatch.setattr(formats, "_REGISTRY", dict(formats._REGISTRY))
  path = REPO_ROOT / "instructuie_jax" / "formats" / "instructuie.py"
  scoring_speed.load_baseline(str(path))
  rows = scoring_speed.compare(200, 0, 0.5, repeats=1)
  assert len(rows) == 2 + 2 * 4 + 1
  assert rows[-1].startswith("(least CPU time of 1 alternating runs")


def test_missing_baseline_file(tmp_path):
  with pytest.raises(FileNotFoundError, match="no such file"):
    scoring_speed.load_baseline(str(tmp_path / "nope.py"))
