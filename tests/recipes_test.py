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

"""Tests of the recipes benchmark (instructuie_t5x/recipes.py)."""

import json
import os
import subprocess
import sys

import pytest

from instructuie_jax import formats, label_options
from instructuie_t5x import recipes
from tasks import settings
from tests.conftest import REPO_ROOT


def _result(row, seed, f1, **kwargs):
  values = dict(
    row=row,
    seed=seed,
    supervised_f1=f1,
    zeroshot_f1=f1 / 2,
    invalid_labels=0,
    ungrounded=0,
    target_tokens=10.0,
    targets_over_length=0,
    prompts_cut=0,
    examples=8,
    train_seconds=60.0,
  )
  values.update(kwargs)
  return recipes.RunResult(**values)


def test_rows_are_data_settings_of_registered_names():
  assert list(recipes.ROWS)[0] == "instructuie+as_given"
  for name, row in recipes.ROWS.items():
    assert name.startswith(f"{row.target_format}+{row.option_policy}")
    assert (name == f"{row.target_format}+{row.option_policy}") == (
      not row.settings
    )
    formats.get(row.target_format)
    label_options.get(row.option_policy)
    bindings = row.gin_bindings(seed=3)
    for binding in bindings:
      if binding.startswith("data_settings."):
        field = binding.split(".", 1)[1].split(" ", 1)[0]
        assert field in settings.FIELDS, binding
    assert "data_settings.seed = 3" in bindings
  assert "data_settings.negatives_size = 1" in (
    recipes.ROWS["instructuie+negatives_1"].gin_bindings(0)
  )


def test_a_format_that_leaves_tasks_out_trains_on_the_available_mixture():
  assert recipes.ROWS["instructuie+as_given"].train_mixture() == "ie_tiny_train"
  assert (
    recipes.ROWS["words_bio+as_given"].train_mixture()
    == "ie_tiny_train_available"
  )
  assert "MIXTURE_OR_TASK_NAME = 'ie_tiny_train_available'" in (
    recipes.ROWS["words_bio+negatives"].gin_bindings(0)
  )
  kept, left_out = recipes.eval_datasets("ie_tiny_eval", "words_bio")
  assert kept and not left_out  # NER only: words_bio covers it


def test_mean_spread_and_no_difference():
  results = [
    _result("a", 0, 50.0),
    _result("a", 1, 60.0),
    _result("b", 0, 58.0),
    _result("b", 1, 62.0),
    _result("c", 0, 80.0, invalid_labels=4),
    _result("c", 1, 90.0, invalid_labels=6),
  ]
  summary = recipes.summarize(results)
  assert list(summary) == ["a", "b", "c"]
  a = summary["a"]["supervised_f1"]
  assert (a.mean, a.low, a.high, a.width) == (55.0, 50.0, 60.0, 10.0)
  # b - a = 5 < spread 10: no difference; c - a = 30 > 10.
  assert recipes.difference(a, summary["b"]["supervised_f1"]) is None
  assert recipes.difference(a, summary["c"]["supervised_f1"]) == 30.0
  text = recipes.markdown(summary, [0, 1])
  assert "| a | 55.0 (50.0–60.0) | 27.5 (25.0–30.0) | 0 |" in text
  assert "- b: supervised F1 no difference;" in text
  assert (
    "- c: supervised F1 +30.0; zero-shot F1 +15.0; invalid labels +5.0"
    in (text)
  )


def test_one_seed_has_no_spread():
  summary = recipes.summarize([_result("a", 0, 50.0), _result("b", 0, 50.5)])
  text = recipes.markdown(summary, [0])
  assert "| a | 50.0 | 25.0 |" in text
  assert "- b: supervised F1 +0.5;" in text
  assert "spans not in text no difference" in text  # equal means
  assert "one seed, so no spread" in text
  assert "one seed" not in recipes.markdown(summary, [0, 1])


@pytest.mark.slow
def test_benchmark_trains_and_evaluates_a_row(tmp_path):
  work_dir = tmp_path / "recipes"
  env = dict(
    os.environ,
    PYTHONPATH=str(REPO_ROOT),
    JAX_PLATFORMS="cpu",
    TF_CPP_MIN_LOG_LEVEL="3",
  )
  proc = subprocess.run(
    [
      sys.executable,
      "benchmarks/recipes.py",
      f"--work_dir={work_dir}",
      "--train_steps=20",
      "--seeds=0",
      "--rows=words_bio+negatives",
      "--max_eval_examples=4",
    ],
    cwd=REPO_ROOT,
    env=env,
    capture_output=True,
    text=True,
    timeout=900,
    check=False,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert "| row | supervised F1 | zero-shot F1 |" in proc.stdout
  assert "| words_bio+negatives |" in proc.stdout
  assert (work_dir / "recipes.md").read_text() in proc.stdout
  run_dir = work_dir / "runs" / "words_bio+negatives" / "seed_0"
  result = json.loads((run_dir / "result.json").read_text())
  assert result["examples"] > 0 and result["target_tokens"] > 0
  # The run's config records the row's data settings; the words_bio
  # answers were read in that format.
  config = (run_dir / "model" / "config.gin").read_text()
  assert "target_format = 'words_bio'" in config
  assert "option_policy = 'negatives'" in config
  lines = (
    (run_dir / "predictions" / "supervised.jsonl").read_text().splitlines()
  )
  assert lines and all(
    json.loads(x)["target_format"] == "words_bio" for x in lines
  )
  left_out = json.loads((run_dir / "model" / "left_out_tasks.json").read_text())
  assert left_out["ie_tiny_train_available"]["left_out"]  # ET
