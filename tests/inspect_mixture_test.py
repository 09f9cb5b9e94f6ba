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


"""Tests for `tools/inspect_mixture.py`: bad input is one line, good input runs."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

from instructuie_jax import tiny_data
from tasks import settings
from tests import cli_testing

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def inspect(*argv, cwd=REPO_ROOT):
  env = {
    k: v for k, v in os.environ.items() if k not in settings.ENV_VARS.values()
  }
  env["PYTHONPATH"] = str(REPO_ROOT)
  return subprocess.run(
    [sys.executable, "-m", "tools.inspect_mixture", *argv],
    env=env,
    cwd=cwd,
    capture_output=True,
    text=True,
    timeout=300,
  )


def _last_line(err: str) -> str:
  # TensorFlow logs to stderr at import; ours is the last line.
  return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
  "argv,status,message",
  [
    (["--mixture=nope"], 2, "unknown mixture or task 'nope'"),
    (
      ["--mixture=ie_tiny_eval", "--split=dev"],
      2,
      "seqio calls the dev.json split 'validation'",
    ),
    (
      ["--mixture=ie_tiny_eval", "--vocab=/nonexistent/v.model"],
      1,
      "pass a local SentencePiece model with --vocab=PATH.model",
    ),
    (
      ["--mixture=ie_tiny_eval", "--vocab=README.md"],
      1,
      "README.md: not a SentencePiece model",
    ),
    (
      ["--mixture=ie_tiny_eval", "--vocab=byte", "--data_dir=/nonexistent"],
      1,
      "No task of mixture 'ie_tiny_eval' has data on disk",
    ),
    (["--mixture=ie_tiny_eval", "--num_examples=-1"], 2, "--num_examples=-1"),
    (
      ["--mixture=ie_tiny_eval", "--target_format=bio"],
      2,
      "Unknown target format 'bio'",
    ),
  ],
  ids=["unknown", "dev", "vocab", "not_a_vocab", "no_data", "negative", "fmt"],
)
def test_bad_input_is_one_line(argv, status, message, monkeypatch):
  # In a forked child (tests/cli_testing.py) of this process, which has
  # imported what the tool imports: no interpreter start-up each.
  import seqio  # noqa: F401, PLC0415

  from tasks import inspection, mixtures, sources  # noqa: F401, PLC0415

  for var in settings.ENV_VARS.values():
    monkeypatch.delenv(var, raising=False)
  out = cli_testing.run_tool("tools.inspect_mixture", *argv)
  assert out.code == status, out.err
  assert message in out.error_line(), out.err
  assert not out.out


@pytest.mark.slow
@pytest.mark.parametrize(
  "name", ["ie_instructions_ner", "ie_instructions_ner_available"]
)
def test_lists_the_tasks_left_out(name, shared_data_dir, tmp_path):
  out = inspect(
    f"--mixture={name}",
    "--split=validation",
    "--vocab=byte",
    f"--data_dir={shared_data_dir}",
    "--num_examples=1",
    "--max_examples_per_task=5",
    cwd=tmp_path,
  )
  assert out.returncode == 0, out.stderr
  assert "left out instructuie_ner_ace_2005: " in out.stdout
  assert "ie_instructions_ner_available [validation]" in out.stdout
  assert "instructuie_ner_bc5cdr" in out.stdout


# absl's Python log lines (seqio's, T5X's, ours): `I1207 02:45:21.763931 ...`.
# The lines TensorFlow's C++ library writes while it loads, before its
# logging starts (`I0000 00:00:1796...`), are not absl's and not matched.
ABSL_INFO = re.compile(r"^I\d{4} \d\d:\d\d:\d\d\.\d+ ", re.M)


@pytest.mark.slow
def test_quiet_by_default_and_info_with_verbosity(tmp_path):
  tiny_data.write_datasets(str(tmp_path), seed=0, num_train=20, num_eval=10)
  argv = ["--mixture=ie_tiny_eval", "--vocab=byte", f"--data_dir={tmp_path}"]
  quiet = inspect(*argv, "--num_examples=0")
  assert quiet.returncode == 0, quiet.stderr
  assert not ABSL_INFO.search(quiet.stderr), quiet.stderr
  assert "counting train" in quiet.stderr  # its own progress
  loud = inspect(*argv, "--num_examples=0", "--verbosity=0")
  assert loud.returncode == 0, loud.stderr
  assert ABSL_INFO.search(loud.stderr), loud.stderr


@pytest.mark.slow
def test_words_bio_lengths_and_uncovered_tasks(shared_data_dir, tmp_path):
  out = inspect(
    "--mixture=ie_instructions_ner",
    "--split=train",
    "--vocab=byte",
    "--target_format=words_bio",
    f"--data_dir={shared_data_dir}",
    "--num_examples=1",
    "--max_examples_per_task=5",
    cwd=tmp_path,
  )
  assert out.returncode == 0, out.stderr
  assert "left out instructuie_et_bc5cdr: Target format 'words_bio'" in (
    out.stdout
  )
  assert "(O)" in out.stdout


@pytest.mark.slow
def test_counts_examples_with_unknown_pieces(tmp_path):
  # A vocabulary trained on the sentences alone has no "(": every words_bio
  # target holds the unknown piece and the table says so; the project's
  # vocabulary training (every format's prompts) leaves none.
  from instructuie_jax import vocab_training  # noqa: PLC0415

  data = tmp_path / "data"
  tiny_data.write_datasets(str(data), seed=0, num_train=40, num_eval=10)
  sentences = [
    x["sentence"]
    for dataset in tiny_data.DATASETS
    for x in tiny_data.make_datasets(0, 40, 10)[dataset]["train"]
  ]
  plain = vocab_training.train_on_texts(
    [*sentences, "person location organization None Option Text Answer"],
    str(tmp_path / "plain.model"),
    vocab_size=200,
  )
  full = vocab_training.train_vocab(
    str(data), str(tmp_path / "full.model"), vocab_size=400
  )
  totals = {}
  for name, vocab in (("plain", plain), ("full", full)):
    out = inspect(
      "--mixture=ie_tiny_eval",
      "--split=test",
      f"--vocab={vocab}",
      "--target_format=words_bio",
      f"--data_dir={data}",
      "--num_examples=0",
    )
    assert out.returncode == 0, out.stderr
    totals[name] = re.search(
      r"unk\): inputs (\d+), targets (\d+)", out.stdout
    ).groups()
  assert int(totals["plain"][1]) == 8 * 10  # every supervised test target
  assert totals["full"][1] == "0"
