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

"""The README's Reports example script runs as written (on the shared data)."""

import json
import re

from tests.conftest import REPO_ROOT

DEMO_ROOT = '"../shared/data/ie_instructions"'
DEMO_OUT = "/tmp/instructuie_report_demo/predictions.jsonl"


def _demo_script() -> str:
  readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
  blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
  (script,) = [b for b in blocks if DEMO_OUT in b]
  return script


def test_report_demo_script_writes_predictions(shared_data_dir, tmp_path):
  script = _demo_script()
  assert DEMO_ROOT in script and DEMO_OUT in script
  out = tmp_path / "predictions.jsonl"
  script = script.replace(DEMO_ROOT, repr(str(shared_data_dir)))
  exec(compile(script.replace(DEMO_OUT, str(out)), "README.md", "exec"), {})
  lines = [json.loads(line) for line in out.read_text().splitlines()]
  assert lines
  for line in lines:
    assert {"dataset", "task", "target", "prediction"} <= set(line)
