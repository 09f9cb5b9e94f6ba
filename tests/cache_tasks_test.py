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


"""Tests for tools/cache_tasks.sh's Beam venv: its pinned requirements."""

import pathlib
import re
import subprocess
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "tools" / "cache_tasks.sh"
_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)$")


def _pins(lines):
  pins = {}
  for line in lines:
    line = line.split("#", 1)[0].strip()
    if line:
      match = _PIN.match(line)
      assert match, f"not a pin: {line!r}"
      name = match.group(1).lower().replace("_", "-")
      assert name not in pins, f"{name} pinned twice"
      pins[name] = match.group(2)
  return pins


def _beam_requirements() -> list[str]:
  out = subprocess.run(
    ["bash", str(SCRIPT), "--print_requirements"],
    capture_output=True,
    text=True,
    check=True,
  )
  return out.stdout.splitlines()


def test_beam_requirements_are_the_main_pins_with_beams_overrides():
  beam = _pins(_beam_requirements())  # Each package pinned once.
  main = _pins((REPO_ROOT / "requirements.txt").read_text().splitlines())
  changed = {name for name in main if beam.get(name) != main[name]}
  assert changed == {
    "protobuf",
    "pillow",
    "pyarrow",
    "sentencepiece",
    "python-dateutil",
  }
  assert beam["apache-beam"] and beam["protobuf"].startswith("6.")


@pytest.mark.slow
def test_beam_requirements_resolve_together(tmp_path):
  """pip's resolver accepts the Beam venv's pins (python-dateutil 4.0.0 of
  requirements.txt did not: Beam needs <3)."""
  requirements = tmp_path / "beam.txt"
  requirements.write_text("\n".join(_beam_requirements()) + "\n")
  result = subprocess.run(
    [
      sys.executable,
      "-m",
      "pip",
      "install",
      "--dry-run",
      "--ignore-installed",
      "--quiet",
      "-r",
      str(requirements),
    ],
    capture_output=True,
    text=True,
    timeout=600,
  )
  errors = [
    line for line in result.stderr.splitlines() if line.startswith("ERROR")
  ]
  if result.returncode and not any("ResolutionImpossible" in e for e in errors):
    if any(
      word in result.stderr
      for word in (
        "NewConnectionError",
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
      )
    ):
      pytest.skip(f"the package index is not reachable: {errors[:1]}")
  assert result.returncode == 0, "\n".join(errors)
