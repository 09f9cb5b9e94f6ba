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

"""The real-data run (instructuie_t5x/real_data.py, tools/real_data_run.py,
benchmarks/real_data_run.py): its log reading, and a few-step smoke run.

The smoke run trains gin/runs/real_data.gin for a few steps on every
supervised dataset of the shared data (skipped without T5X or without the
data) and checks the accounting: every dataset's evaluated examples equal
its split size or the cap, the tasks left out are listed in the run dir,
and the test table has a row per dataset.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from instructuie_jax import cli
from instructuie_t5x import real_data

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

_TRAIN_LOG = """\
I1202 06:13:00.000000 1 train.py:1] starting
I1202 06:14:43.759097 1 indexed_mixture.py:307] ie_x_available: \
instructuie_re_ade_corpus, 3417 examples, rate 3417, 0 inputs and 7 targets cut
W1202 06:14:44.000000 1 indexed_mixture.py:316] ie_x_available: \
instructuie_ep_tiny has no examples; left out
I1202 06:23:44.698527 1 logging_writer.py:48] [50] collection=train \
accuracy=0.06, cross_ent_loss=7.30625, loss=7.3128, z_loss=0.0065
I1202 06:25:10.682295 1 loggers.py:106] \
instructuie_ner_mit_movie/mit-movie/ner_f1 at step 50: 0.125
I1202 06:25:12.006677 1 time_budget.py:96] time budget: step 60, 700.9 s \
of 700 s used: stopping
"""


def test_read_train_log(tmp_path):
  path = tmp_path / "train.log"
  path.write_text(_TRAIN_LOG, encoding="utf-8")
  got = real_data.read_train_log(str(path))
  assert got["loaded"] == {
    "instructuie_re_ade_corpus": {
      "examples": 3417,
      "cut_inputs": 0,
      "cut_targets": 7,
    }
  }
  assert got["empty"] == ["instructuie_ep_tiny"]
  assert got["loss"] == {50: 7.3128}
  assert got["eval_seconds"] == {50: 730.7}
  assert got["stop"] == {"step": 60, "seconds": 732.0}


def test_echo_progress_shows_f1_budget_and_loss():
  echo = real_data.echo_progress(0.0)
  lines = [echo(line) for line in _TRAIN_LOG.splitlines()]
  shown = [line for line in lines if line]
  assert len(shown) == 3
  assert "step 50: loss 7.313" in shown[0]
  assert "step 50: mit-movie ner_f1 = 0.125" in shown[1]
  assert "step 60: budget spent (701 s)" in shown[2]


def test_accounting_flags_a_count_that_differs():
  sizes = {
    "t": {"split_size": 10, "expected": 5, "cut_inputs": 0, "cut_targets": 1}
  }
  train = {"loaded": {}, "empty": []}
  rows, problems = real_data.account(
    sizes, sizes, {"t": {10: 5, 20: 4}}, {"t": {20: 5}}, train
  )
  assert problems == [
    "t/validation: {20: 4} predictions at steps [20], expected 5"
  ]
  assert rows[0]["validation"]["evaluated"] == 4
  assert rows[0]["test"]["evaluated"] == 5
  _, problems = real_data.account(sizes, sizes, {}, {"t": {1: 5}}, train)
  assert problems == ["t/validation: not evaluated"]


@pytest.mark.parametrize(
  "name, value, message",
  [
    ("budget_minutes", 0, "--budget_minutes must be > 0"),
    ("eval_period", 0, "--eval_period must be >= 1"),
    ("dev_cap", -1, "--dev_cap must be >= 0"),
    ("vocab_size", 10, "--vocab_size must be >= 100"),
  ],
)
def test_bad_values_are_usage_errors(tmp_path, name, value, message):
  with pytest.raises(cli.UsageError, match=message):
    real_data.run(str(tmp_path), str(tmp_path / "w"), **{name: value})


@pytest.mark.parametrize(
  "command", [["-m", "tools.real_data_run"], ["benchmarks/real_data_run.py"]]
)
def test_missing_data_dir_is_one_line(tmp_path, command):
  done = subprocess.run(
    [
      sys.executable,
      *command,
      f"--data_dir={tmp_path / 'nowhere'}",
      f"--work_dir={tmp_path / 'w'}",
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    check=False,
  )
  if "T5X is not installed" in done.stderr:
    pytest.skip("T5X not installed (README: Install T5X)")
  assert done.returncode == 1
  assert done.stderr.strip().splitlines() == [
    f"error: {tmp_path / 'nowhere'}: --data_dir is not a directory"
  ]


@pytest.mark.slow
def test_smoke_run_accounts_for_every_example(shared_data_dir, tmp_path):
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  from instructuie_jax import catalog

  work_dir = tmp_path / "work"
  done = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.real_data_run",
      f"--data_dir={shared_data_dir}",
      f"--work_dir={work_dir}",
      "--max_steps=4",
      "--eval_period=2",
      "--dev_cap=3",
      "--test_cap=2",
      "--vocab_size=400",
      "--gin_bindings=PACKED_FEATURE_LENGTHS = {'inputs': 512, 'targets': 96}",
      "--gin_bindings=PACKED_BATCH_SIZE = 2",
      "--gin_bindings=EVAL_BATCH_SIZE = 4",
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    check=False,
    timeout=900,
  )
  assert done.returncode == 0, done.stderr[-3000:]
  summary = json.loads((work_dir / "summary.json").read_text())
  on_disk = [
    s.name
    for s in catalog.select(benchmark="ie_instructions", role="supervised")
    if (shared_data_dir / s.family / s.name / "train.json").is_file()
  ]
  assert sorted(summary["kept_datasets"]) == sorted(on_disk)
  assert summary["problems"] == []
  evaluated = [row for row in summary["accounting"] if "validation" in row]
  assert len(evaluated) == sum(
    len(catalog.get(catalog.slugify(n)).main_tasks) for n in on_disk
  )
  for row in evaluated:
    for split, cap in (("validation", 3), ("test", 2)):
      counts = row[split]
      assert counts["expected"] == min(counts["split_size"], cap), row
      assert counts["evaluated"] == counts["expected"], row
  # The curve has the two evaluations (steps 2 and 4), every dataset in each.
  assert [p["step"] for p in summary["curve"]] == [2, 4]
  for point in summary["curve"]:
    assert sorted(point["f1"], key=str.lower) == sorted(on_disk, key=str.lower)
  # The test table has a row per dataset.
  assert sorted(summary["test_scores"]) == sorted(on_disk)
  left_out = json.loads(
    (work_dir / "model" / "left_out_tasks.json").read_text()
  )["ie_instructions_supervised_available"]
  assert left_out["left_out"], "the shared data lack licensed datasets"
  assert "ACE05" in summary["left_out_datasets"]
  assert "Left out (" in done.stdout
  assert "Learning curve" in done.stdout
