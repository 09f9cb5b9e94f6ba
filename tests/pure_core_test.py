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

"""The pure core: no module under `instructuie_jax/` pulls in TF/seqio/JAX."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

FORBIDDEN = ("tensorflow", "seqio", "jax", "t5x")

_SCRIPT = """
import importlib, json, pkgutil, sys
import instructuie_jax
names = ["instructuie_jax"] + [
  m.name
  for m in pkgutil.walk_packages(instructuie_jax.__path__, "instructuie_jax.")
]
for name in names:
  importlib.import_module(name)
loaded = sorted(
  m for m in sys.modules if m.split(".")[0] in %r
)
print(json.dumps({"modules": names, "loaded": loaded}))
"""


def test_core_imports_no_heavy_frameworks():
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  result = subprocess.run(
    [sys.executable, "-c", _SCRIPT % (FORBIDDEN,)],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )
  assert result.returncode == 0, result.stderr
  report = json.loads(result.stdout.splitlines()[-1])
  assert "instructuie_jax.schema" in report["modules"]
  assert report["loaded"] == [], report["loaded"]
