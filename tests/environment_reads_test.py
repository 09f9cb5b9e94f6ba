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

"""Environment variables are read in one place: `tasks/settings.py`.

A read is `os.environ.get(...)`, `os.environ[...]`, `os.getenv(...)` or
`... in os.environ`; passing the whole environment on to a subprocess
(`dict(os.environ, ...)`) is not one.
"""

from __future__ import annotations

import ast

from tests.conftest import REPO_ROOT

PACKAGES = (
  "instructuie_jax",
  "instructuie_t5x",
  "tasks",
  "tools",
  "benchmarks",
)
READER = "tasks/settings.py"
# XLA_FLAGS is JAX's own variable: the benchmark prints it with its timing.
# INSTRUCTUIE_VERBOSE is a tool's log switch, read before its flags are
# parsed (as absl's --verbosity); it changes no result.
SHOWN_ONLY = {
  ("benchmarks/train_step_only.py", "XLA_FLAGS"),
  ("instructuie_jax/cli.py", "INSTRUCTUIE_VERBOSE"),
}


def _is_environ(node: ast.AST) -> bool:
  return (
    isinstance(node, ast.Attribute)
    and node.attr == "environ"
    and isinstance(node.value, ast.Name)
    and node.value.id == "os"
  )


def environment_reads(source: str) -> list[tuple[int, str]]:
  """`(line, variable or '?')` of every environment read in `source`."""

  def name(arg: ast.AST | None) -> str:
    return arg.value if isinstance(arg, ast.Constant) else "?"

  reads = []
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Call):
      f = node.func
      first = node.args[0] if node.args else None
      if (
        isinstance(f, ast.Attribute)
        and f.attr == "get"
        and _is_environ(f.value)
      ):
        reads.append((node.lineno, name(first)))
      elif (
        isinstance(f, ast.Attribute)
        and f.attr == "getenv"
        and isinstance(f.value, ast.Name)
        and f.value.id == "os"
      ):
        reads.append((node.lineno, name(first)))
    elif isinstance(node, ast.Subscript) and _is_environ(node.value):
      reads.append((node.lineno, name(node.slice)))
    elif isinstance(node, ast.Compare) and any(
      _is_environ(c) for c in node.comparators
    ):
      reads.append((node.lineno, name(node.left)))
  return sorted(reads)


def test_only_the_settings_read_the_environment():
  found = []
  for package in PACKAGES:
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
      rel = path.relative_to(REPO_ROOT).as_posix()
      if rel == READER:
        continue
      for line, var in environment_reads(path.read_text(encoding="utf-8")):
        if (rel, var) not in SHOWN_ONLY:
          found.append(f"{rel}:{line}: {var}")
  assert found == []


def test_reads_are_found():
  source = (
    "import os\n"
    "a = os.environ.get('A')\n"
    "b = os.environ['B']\n"
    "c = os.getenv('C')\n"
    "d = 'D' in os.environ\n"
    "e = dict(os.environ, X='1')\n"
  )
  assert environment_reads(source) == [(2, "A"), (3, "B"), (4, "C"), (5, "D")]
  settings = (REPO_ROOT / READER).read_text(encoding="utf-8")
  assert environment_reads(settings)  # the one reader is seen too
