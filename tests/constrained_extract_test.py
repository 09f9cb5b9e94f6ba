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

"""`tools.extract --constrained` on a tiny trained T5X model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")

from instructuie_jax import formats, task_types  # noqa: E402
from tests import tiny_model_testing  # noqa: E402

REPO_ROOT = tiny_model_testing.REPO_ROOT
# (task, --labels, --roles): a main task of each family.
CASES = (
  ("NER", "location,organization,person", None),
  ("RE", "works for,located in", None),
  ("EE", '{"attack": ["attacker", "target"], "meet": ["entity"]}', None),
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tiny_model_testing.TinyModel:
  return tiny_model_testing.tiny_model(tmp_path_factory)


def _sentences(tiny) -> list[str]:
  path = tiny.data_dir / "NER" / "synth_heldout" / "test.json"
  return [x["sentence"] for x in json.loads(path.read_text())][:8]


@pytest.mark.slow
@pytest.mark.parametrize(("task", "labels", "roles"), CASES)
def test_constrained_answers_stay_in_the_prompt(
  tiny, tmp_path, task, labels, roles
):
  source = tmp_path / "in.jsonl"
  source.write_text(
    "".join(json.dumps({"text": s}) + "\n" for s in _sentences(tiny))
  )
  output = tmp_path / "out.jsonl"
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.extract",
      f"--checkpoint={tiny.model_dir}",
      f"--vocabulary={tiny.vocabulary}",
      f"--task={task}",
      f"--labels={labels}",
      *([f"--roles={roles}"] if roles else []),
      f"--input={source}",
      f"--output={output}",
      "--constrained",
      "--target_length=48",
    ],
    cwd=REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert "labels not offered: 0;" in proc.stderr
  assert "spans not in the text: 0;" in proc.stderr
  assert "decoding: constrained" in proc.stderr
  fmt = formats.get("instructuie")
  key = task_types.get(task).answer_key
  for line in output.read_text().splitlines():
    answer = json.loads(line)
    assert answer["invalid_labels"] == 0
    assert answer["unfinished_tokens"] >= 0
    assert isinstance(answer[key], list)
    # Every span is copied from the text; one left without offsets is only
    # a copy of an answer repeated more often than its text occurs.
    for name in _spans(answer[key]):
      assert name in answer["text"], name
    if not answer["unfinished_tokens"]:
      assert not fmt.parse(task, answer["prediction"]).problems
    else:  # Cut back to its last complete item: a prefix of the decode.
      assert answer["prediction"] == "" or answer[key]


def _spans(records) -> list[str]:
  out = []
  for record in records:
    for field in ("text", "head", "tail", "trigger"):
      value = record.get(field)
      if isinstance(value, dict):
        out.append(value["text"])
      elif isinstance(value, str):
        out.append(value)
    out.extend(_spans(record.get("arguments", [])))
  return out
