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

import json
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
    (["--labels=a,caf\udce9"], "--labels: holds a lone surrogate (U+DCE9)"),
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


@pytest.mark.parametrize(
  "flags, message",
  [
    (["--batch_size=0"], "flag --batch_size=0: "),
    (["--batch_size=-1"], "flag --batch_size=-1: "),
    (["--input_length=-5"], "flag --input_length=-5: "),
    (["--param_dtype=float7"], "flag --param_dtype=float7: "),
    (["--gin_bindings=a.b = ("], "--gin_bindings='a.b = (': does not parse"),
    (["--gin_bindings=a b c"], "--gin_bindings='a b c': does not parse"),
  ],
)
def test_model_flags_are_checked_before_the_model(tmp_path, flags, message):
  proc, _ = _run(tmp_path, ['{"text": "a"}'], "--labels=x", *flags)
  assert proc.returncode == 2, proc.stderr
  (line,) = proc.stderr.strip().splitlines()
  assert line.startswith("error: ") and message in line


def test_vocabulary_must_be_a_sentencepiece_model(tmp_path):
  not_a_model = tmp_path / "hostname"
  not_a_model.write_text("my-hostname\n")
  for path, reason in (
    (tmp_path / "nonexistent.model", "No such file or directory"),
    (not_a_model, "not a SentencePiece model"),
  ):
    proc, _ = _run(
      tmp_path, ['{"text": "a"}'], "--labels=x", f"--vocabulary={path}"
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: --vocabulary: {path}: {reason}")


def _raw_run(tmp_path, data: bytes, *flags):
  source = tmp_path / "in.jsonl"
  source.write_bytes(data)
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.extract",
      f"--checkpoint={tmp_path / 'no_model'}",
      f"--input={source}",
      f"--output={tmp_path / 'out.jsonl'}",
      "--labels=x",
      *flags,
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )
  return proc, str(source)


@pytest.mark.parametrize(
  "data, message",
  [
    (
      b'{"text": "a"}\n{"text": "caf\xe9"}\n',
      ":2: not UTF-8 (byte 0xe9 at column 14)",
    ),
    (b'{"text": "Ada \\ud800 met Bob"}\n', ":1: text: a lone surrogate"),
    (
      b'{"text": "a", "labels": ["x\\udfff"]}\n',
      ":1: labels[0]: a lone surrogate",
    ),
    (b'{"text": ' * 100000 + b"\n", ":1: JSON nested too deeply"),
  ],
)
def test_unreadable_input_is_one_line_naming_the_line(tmp_path, data, message):
  proc, source = _raw_run(tmp_path, data)
  assert proc.returncode == 1, proc.stderr
  (line,) = proc.stderr.strip().splitlines()
  assert line.startswith(f"error: {source}:") and message in line


_FAKE_MODEL_RUN = """
import sys
from instructuie_jax import cli
from instructuie_t5x import queries
from tools import extract, model_flags

class Fake:
  def answer(self, built, progress, **options):
    progress(len(built))
    return [queries.answer(q, " None", 0) for q in built]

model_flags.load = lambda batch_size: Fake()
extract.define_flags()
sys.argv = ["tools.extract", *sys.argv[1:]]
cli.run(extract.main)
"""


def _fake_model_run(*flags):
  """tools.extract with its model replaced by one that answers None."""
  return subprocess.run(
    [sys.executable, "-c", _FAKE_MODEL_RUN, "--checkpoint=fake", *flags],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )


def test_line_separator_inside_a_string_is_text(tmp_path):
  source = tmp_path / "in.jsonl"
  text = "Ada\u2028met\u2029Bob\x85in\x1cParis"
  source.write_text(
    "\ufeff"
    + json.dumps({"text": text, "id": 1}, ensure_ascii=False)
    + "\r\n"
    + json.dumps({"text": "b", "id": 2})
    + "\n",
    encoding="utf-8",
  )
  output = tmp_path / "out.jsonl"
  proc = _fake_model_run(
    f"--input={source}", f"--output={output}", "--labels=x"
  )
  assert proc.returncode == 0, proc.stderr
  lines = output.read_text(encoding="utf-8").split("\n")
  assert [json.loads(x)["text"] for x in lines if x] == [text, "b"]


def test_missing_output_folder_is_made(tmp_path):
  source = tmp_path / "in.jsonl"
  source.write_text('{"text": "a"}\n')
  output = tmp_path / "NEW" / "sub" / "a.jsonl"
  proc = _fake_model_run(
    f"--input={source}", f"--output={output}", "--labels=x"
  )
  assert proc.returncode == 0, proc.stderr
  assert json.loads(output.read_text())["text"] == "a"
  (tmp_path / "file").write_text("")
  refused = _fake_model_run(
    f"--input={source}",
    f"--output={tmp_path / 'file' / 'a.jsonl'}",
    "--labels=x",
  )
  assert refused.returncode == 1
  (line,) = refused.stderr.strip().splitlines()
  assert "not a directory" in line.lower()
