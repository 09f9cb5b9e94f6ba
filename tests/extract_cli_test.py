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

"""tools.extract's input checks: one line naming line and field, no model.

Every case fails before the model would be loaded, so no checkpoint is
needed (the path given does not exist).
"""

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def _run(tmp_path, lines, *flags):
  source = tmp_path / "in.jsonl"
  source.write_text("".join(line + "\n" for line in lines))
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.extract",
      f"--checkpoint={tmp_path / 'no_model'}",
      f"--input={source}",
      f"--output={tmp_path / 'out.jsonl'}",
      *flags,
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )
  assert not (tmp_path / "out.jsonl").exists()
  return proc, str(source)


@pytest.mark.parametrize(
  "lines, flags, message",
  [
    (['{"text": "a"}', '{"txt": "b"}'], ["--labels=x"], ":2: field 'text'"),
    (['{"text": "a"}', "{oops"], ["--labels=x"], ":2: invalid JSON"),
    (['["a"]'], ["--labels=x"], ":1: must be a JSON object"),
    (['{"text": "a"}'], [], ":1: field 'labels': NER needs labels"),
    (
      ['{"text": "a", "labels": "x"}'],
      [],
      ":1: field 'labels': must be a list",
    ),
    (['{"text": "a"}'], ["--task=ET", "--labels=x"], ":1: field 'entities'"),
    (['{"text": "a"}'], ["--task=EEA", "--labels=x"], ":1: field 'event_type'"),
    ([""], ["--labels=x"], ": no input lines"),
  ],
)
def test_bad_input_is_one_line_exit_1(tmp_path, lines, flags, message):
  proc, source = _run(tmp_path, lines, *flags)
  assert proc.returncode == 1, proc.stderr
  (line,) = proc.stderr.strip().splitlines()
  assert line.startswith(f"error: {source}")
  assert message in line
  assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
  "flags, message",
  [
    (["--task=XX", "--labels=x"], "--task: unknown task 'XX'"),
    (["--labels=a,,b"], "--labels: empty label"),
    (["--labels=[1"], "--labels: invalid JSON"),
    (['--labels={"a": ["r"]}'], "--labels: a {type: [roles]} mapping"),
  ],
)
def test_bad_flags_are_usage_errors(tmp_path, flags, message):
  proc, _ = _run(tmp_path, ['{"text": "a"}'], *flags)
  assert proc.returncode == 2, proc.stderr
  assert message in proc.stderr
  assert "Traceback" not in proc.stderr


def test_missing_checkpoint_is_one_line(tmp_path):
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  proc, _ = _run(tmp_path, ['{"text": "a"}'], "--labels=x")
  assert proc.returncode == 1
  assert proc.stderr.strip().splitlines()[-1] == (
    f"error: --checkpoint: {tmp_path / 'no_model'}: no such directory"
  )


def test_existing_output_needs_overwrite(tmp_path):
  source = tmp_path / "in.jsonl"
  source.write_text('{"text": "a"}\n')
  output = tmp_path / "out.jsonl"
  output.write_text("keep me\n")
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.extract",
      f"--checkpoint={tmp_path}",
      f"--input={source}",
      f"--output={output}",
      "--labels=x",
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )
  assert proc.returncode == 1
  assert proc.stderr.strip() == (
    f"error: {output}: exists; pass --overwrite to replace it"
  )
  assert output.read_text() == "keep me\n"
