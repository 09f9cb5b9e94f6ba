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

"""The tiny pipeline (instructuie_t5x/pipeline.py), without a T5X run."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from absl import app

from instructuie_t5x import pipeline
from tools import run_local_tiny


def test_without_t5x_prints_install_help_and_exits_2(monkeypatch, capsys):
  monkeypatch.setattr(pipeline, "t5x_root", lambda: None)
  with pytest.raises(SystemExit) as exit_info:
    run_local_tiny.main(["run_local_tiny"])
  assert exit_info.value.code == 2
  err = capsys.readouterr().err
  assert "T5X is not installed" in err
  assert pipeline.T5X_COMMIT in err
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
  assert pipeline.latest_checkpoint(str(tmp_path)) == str(
    tmp_path / "checkpoint_1000"
  )
  with pytest.raises(RuntimeError, match="no checkpoint_N"):
    pipeline.latest_checkpoint(str(tmp_path / "train"))


def test_subprocess_env(monkeypatch):
  monkeypatch.setenv("PYTHONPATH", "/elsewhere")
  monkeypatch.delenv("IE_TINY_DIR", raising=False)
  monkeypatch.delenv("IE_INSTRUCTIONS_VOCAB", raising=False)
  env = pipeline.subprocess_env()
  assert env["PYTHONPATH"].split(":") == [
    pipeline.REPO_ROOT,
    "/elsewhere",
  ]
  # The data settings go to T5X as gin flags, never through the environment.
  assert "IE_TINY_DIR" not in env and "IE_INSTRUCTIONS_VOCAB" not in env


def test_t5x_commands_carry_the_data_settings(tmp_path):
  command = pipeline.train_command(
    str(tmp_path / "model"), 10, 5, 0, pipeline.data_bindings(tmp_path)
  )
  assert (
    f"--gin_bindings=data_settings.tiny_dir = '{tmp_path / 'data'}'" in command
  )
  assert (
    f"--gin_bindings=data_settings.vocab = '{tmp_path / 'vocab.model'}'"
    in command
  )


def test_score_step_writes_the_metrics_and_prints_the_tables(tmp_path, capsys):
  predictions = tmp_path / "p.jsonl"
  line = {
    "dataset": "synth_news",
    "task": "NER",
    "target": " person: Ada",
    "prediction": " person: Ada",
  }
  predictions.write_text(json.dumps(line) + "\n")
  pipeline.score(str(predictions), str(tmp_path / "scores"))
  report = json.loads((tmp_path / "scores" / "metrics.json").read_text())
  assert report["mode"] == "both"
  assert report["datasets"]["synth_news"]["NER"]["ner"]["f1"] == 1.0
  assert "# Scores (both mode, 1 examples)" in capsys.readouterr().out
  predictions.write_text("{}\n")
  with pytest.raises(RuntimeError, match=r"scoring failed: .*p.jsonl:1: field"):
    pipeline.score(str(predictions), str(tmp_path / "scores"))


def _option(command, flag):
  """The value of `flag=` in `command`, without gin's quotes."""
  for arg in command:
    if arg.startswith(flag + "="):
      return arg.split("=", 1)[1].strip("'")
  raise AssertionError(f"{flag} not in {command}")


@pytest.fixture
def fake_t5x(monkeypatch):
  """Stands in for the subprocesses; returns the commands run."""
  commands = []

  def run_logged(command, env, log_path, echo=None):
    del env, echo
    commands.append(command)
    with open(log_path, "w") as f:
      f.write("log\n")
    joined = " ".join(command)
    if "train_vocab" in joined:
      vocab = _option(command, "--output")
      for ext in (".model", ".vocab"):
        with open(vocab[: -len(".model")] + ext, "w") as f:
          f.write("vocab")
    elif "t5x.train" in joined:
      model = _option(command, "--gin.MODEL_DIR")
      os.makedirs(os.path.join(model, "checkpoint_10"), exist_ok=True)
    elif "t5x.infer" in joined:
      out = _option(command, "--gin.INFER_OUTPUT_DIR")
      os.makedirs(out, exist_ok=True)
      mixture = _option(command, "--gin_file").split("/")[-1]
      with open(os.path.join(out, f"{mixture}-10.jsonl"), "w") as f:
        f.write("{}\n")

  def score(predictions, out_dir):
    commands.append(["score", predictions, out_dir])
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
      f.write("{}\n")

  monkeypatch.setattr(pipeline, "t5x_root", lambda: "/t5x")
  monkeypatch.setattr(pipeline, "run_logged", run_logged)
  monkeypatch.setattr(pipeline, "score", score)
  return commands


def _run(work, **kwargs):
  """Runs the tool's steps; returns the error message, or None."""
  try:
    pipeline.run_tiny(str(work), num_train=20, **kwargs)
  except (ValueError, RuntimeError, OSError) as e:
    return str(e)
  return None


def _user_files(work):
  files = {
    work / "data" / "mine.txt": "data",
    work / "model" / "mine.txt": "model",
    work / "predictions" / "mine.txt": "predictions",
    work / "vocab.model": "vocab",
  }
  for path, text in files.items():
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
  return files


def test_overwrite_keeps_files_it_did_not_make(tmp_path, fake_t5x):
  work = tmp_path / "work"
  files = _user_files(work)
  error = _run(work, overwrite=True)
  for path, text in files.items():
    assert path.read_text() == text, path
  assert error and "not made by run_local_tiny" in error
  assert not fake_t5x  # Refused before any step.


def test_a_run_keeps_predictions_it_did_not_make(tmp_path, fake_t5x):
  work = tmp_path / "work"
  mine = work / "predictions" / "mine.txt"
  mine.parent.mkdir(parents=True)
  mine.write_text("predictions")
  error = _run(work)
  assert mine.read_text() == "predictions"
  assert error and f"{work / 'predictions'}: not made by" in error
  assert not fake_t5x


def test_removes_only_its_own_outputs_and_says_so(tmp_path, fake_t5x, capsys):
  work = tmp_path / "work"
  notes = work / "notes.txt"
  work.mkdir()
  notes.write_text("mine")
  assert _run(work) is None
  made = {p.name for p in work.iterdir()}
  assert {"data", "vocab.model", "model", "predictions", "scores"} <= made
  capsys.readouterr()

  # Predictions of the tool's previous run are replaced, with a word.
  assert _run(work) is None
  out = capsys.readouterr().out
  assert f"removing {work / 'predictions'}" in out
  assert "removing" not in out.replace(f"removing {work / 'predictions'}", "")

  # --overwrite removes what the tool made, naming each path.
  (work / "data" / "NER" / "synth_news" / "train.json").write_text("[]")
  assert _run(work, overwrite=True) is None
  out = capsys.readouterr().out
  for name in ("data", "vocab.model", "vocab.vocab", "model", "predictions"):
    assert f"removing {work / name}" in out, name
  assert notes.read_text() == "mine"
  train = work / "data" / "NER" / "synth_news" / "train.json"
  assert train.read_text() != "[]"  # Rewritten.


def test_a_path_it_made_then_replaced_by_the_user_is_kept(tmp_path, fake_t5x):
  work = tmp_path / "work"
  assert _run(work) is None
  shutil.rmtree(work / "model")
  (work / "model").mkdir()
  (work / "model" / "mine.txt").write_text("model")
  error = _run(work, overwrite=True)
  assert error and f"{work / 'model'}: not made by" in error
  assert (work / "model" / "mine.txt").read_text() == "model"


@pytest.mark.parametrize(
  "kwargs, needle",
  [
    ({"train_steps": 0}, "--train_steps must be >= 1"),
    ({"eval_period": -1}, "--eval_period must be >= 1"),
    ({"num_train": 0}, "--num_train must be >= 1"),
  ],
)
def test_bad_values_are_refused_first(tmp_path, fake_t5x, kwargs, needle):
  with pytest.raises(ValueError, match=needle):
    pipeline.run_tiny(str(tmp_path / "work"), **kwargs)
  assert not (tmp_path / "work").exists()
  assert not fake_t5x


def test_work_dir_that_is_a_file(tmp_path, fake_t5x):
  work = tmp_path / "work"
  work.write_text("mine")
  error = _run(work)
  assert error and "not a directory" in error
  assert work.read_text() == "mine"


def _cli(*args):
  result = subprocess.run(
    [sys.executable, "-m", "tools.run_local_tiny", *args],
    capture_output=True,
    text=True,
    cwd=pipeline.REPO_ROOT,
    env=dict(os.environ, PYTHONPATH=pipeline.REPO_ROOT),
    check=False,
  )
  return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
  "args, code, needle",
  [
    (["--train_steps=0"], 2, "flag --train_steps=0: "),
    (["--train_steps=x"], 2, "flag --train_steps=x"),
    (["--work_dir={file}"], 1, "not a directory"),
    (["extra"], 2, "Unexpected arguments"),
  ],
)
def test_cli_mistakes_are_one_line(tmp_path, args, code, needle):
  (tmp_path / "file").write_text("mine")
  args = [a.format(file=tmp_path / "file") for a in args]
  status, out, err = _cli(f"--work_dir={tmp_path / 'work'}", *args)
  if status == 2 and "T5X is not installed" in err:
    pytest.skip("T5X is not installed")
  assert status == code, out + err
  lines = err.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: ") and needle in err
  assert not (tmp_path / "work").exists()


def test_a_second_run_on_a_work_dir_in_use_is_refused(tmp_path, fake_t5x):
  work = tmp_path / "work"
  work.mkdir()
  other = os.open(work / pipeline.LOCK_FILE, os.O_RDWR | os.O_CREAT)
  try:
    os.write(other, b"4242\n")
    fcntl.flock(other, fcntl.LOCK_EX)  # Another run's lock.
    error = _run(work)
    assert error and f"{work}: in use by another run (process 4242" in error
    assert not fake_t5x
  finally:
    os.close(other)
  assert _run(work) is None
  pipeline.release_locks()


def test_data_killed_while_written_is_not_taken_by_the_next_run(
  tmp_path, fake_t5x, monkeypatch, capsys
):
  work = tmp_path / "work"

  def killed_while_writing(root, *args, **kwargs):
    os.makedirs(os.path.join(root, "NER", "synth_news"))
    with open(os.path.join(root, "NER", "synth_news", "train.json"), "w") as f:
      f.write("[")
    os.kill(os.getpid(), signal.SIGKILL)

  pid = os.fork()
  if pid == 0:
    try:
      monkeypatch.setattr(
        pipeline.tiny_data, "write_datasets", killed_while_writing
      )
      pipeline.prepare_data(str(work), 0, 20)
    finally:
      os._exit(1)
  _, status = os.waitpid(pid, 0)
  assert os.WIFSIGNALED(status)
  assert not (work / "data").exists()
  (stale,) = [p for p in work.iterdir() if p.name.startswith(".data.")]
  assert _run(work) is None
  assert (
    f"removing {stale} (left by an interrupted run)" in capsys.readouterr().out
  )
  assert not stale.exists()
  train = work / "data" / "NER" / "synth_news" / "train.json"
  assert len(json.loads(train.read_text())) == 20
  pipeline.release_locks()


def _gone(pid: int) -> bool:
  try:
    with open(f"/proc/{pid}/stat") as f:
      return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
  except FileNotFoundError:
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl")
def test_a_child_ends_when_the_tool_dies():
  read, write = os.pipe()
  pid = os.fork()
  if pid == 0:  # The tool: starts a long child, then dies without cleanup.
    try:
      child = subprocess.Popen(
        ["sleep", "60"],
        preexec_fn=functools.partial(pipeline.stop_with, os.getpid()),
      )
      os.write(write, f"{child.pid}\n".encode())
    finally:
      os._exit(0)
  os.close(write)
  child = int(os.read(read, 64).decode())
  os.close(read)
  os.waitpid(pid, 0)
  deadline = time.monotonic() + 10
  while not _gone(child) and time.monotonic() < deadline:
    time.sleep(0.05)
  assert _gone(child)


def test_a_garbled_record_is_one_line(tmp_path, fake_t5x):
  work = tmp_path / "work"
  work.mkdir()
  (work / pipeline.MANIFEST).write_text("[" * 100_000 + "]" * 100_000)
  error = _run(work)
  assert error and "not this tool's record of its outputs" in error
  assert not fake_t5x
  pipeline.release_locks()


def test_prints_how_long_each_step_took(tmp_path, fake_t5x, capsys):
  assert _run(tmp_path / "work") is None
  out = capsys.readouterr().out
  steps = ("data", "vocabulary", "training", "inference", "scoring")
  for step in steps:
    assert re.search(rf"^ +{step} took \d+ s$", out, re.M), (step, out)
  summary = out.strip().splitlines()[-1]
  assert re.fullmatch(
    r"Done in \d+ s \(" + ", ".join(rf"{s} \d+ s" for s in steps) + r"\)\.",
    summary,
  ), summary


@pytest.mark.parametrize(
  ("kwargs", "included", "evaluated"),
  [
    ({}, True, False),  # the main job: words_bio, one evaluation by step 4
    ({"target_format": "instructuie", "eval_period": 5}, False, True),
  ],
)
def test_target_format_and_evaluation_reach_both_t5x_runs(
  tmp_path, fake_t5x, kwargs, included, evaluated
):
  assert _run(tmp_path / "work", **kwargs) is None
  runs = [c for c in fake_t5x if any("t5x." in x for x in c)]
  assert [c[2] for c in runs] == ["t5x.train", "t5x.infer", "t5x.infer"]
  include = "--gin_bindings=include 'gin/formats/words_bio_tiny.gin'"
  for command in runs:
    assert (include in command) == included, command
  no_eval = "--gin_bindings=train.infer_eval_dataset_cfg = None"
  assert (no_eval not in runs[0]) == evaluated


def test_unknown_target_format_is_refused_first(tmp_path, fake_t5x):
  error = _run(tmp_path / "work", target_format="bio")
  assert error and "--target_format=bio: one of instructuie, words_bio" in error
  assert not fake_t5x
