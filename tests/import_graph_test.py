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


"""The core's modules import each other without cycles.

Every import of an `instructuie_jax` module counts, at module level or
inside a function (a function-level import only hides a cycle). A package
loading its own plug-in submodules (`formats` -> `formats.instructuie`) is
not an edge.
"""

import ast
import pathlib

from tests.conftest import REPO_ROOT

PACKAGE = "instructuie_jax"


def _modules() -> dict[str, pathlib.Path]:
  found = {}
  for path in sorted((REPO_ROOT / PACKAGE).rglob("*.py")):
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
      parts.pop()
    found[".".join(parts)] = path
  return found


def _imports(path: pathlib.Path, modules) -> set[str]:
  targets = set()
  for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
    if isinstance(node, ast.Import):
      names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
      names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    else:
      continue
    targets.update(n for n in names if n in modules)
  return targets


def import_graph() -> dict[str, set[str]]:
  modules = _modules()
  graph = {}
  for name, path in modules.items():
    edges = _imports(path, modules) - {name}
    if path.name == "__init__.py":
      edges = {e for e in edges if not e.startswith(name + ".")}
    graph[name] = edges
  return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
  state: dict[str, int] = {}  # 1: on the stack, 2: done.
  stack: list[str] = []

  def visit(node):
    state[node] = 1
    stack.append(node)
    for nxt in sorted(graph[node]):
      if state.get(nxt) == 1:
        return stack[stack.index(nxt) :] + [nxt]
      if nxt not in state:
        cycle = visit(nxt)
        if cycle:
          return cycle
    stack.pop()
    state[node] = 2
    return None

  for node in sorted(graph):
    if node not in state:
      cycle = visit(node)
      if cycle:
        return cycle
  return None


def test_no_import_cycle():
  graph = import_graph()
  assert "instructuie_jax.metrics" in graph
  assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_find_cycle_sees_one():
  graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
  assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_registry_modules_do_not_import_task_types():
  # task_types imports the modules whose functions its records hold.
  graph = import_graph()
  for name in graph["instructuie_jax.task_types"]:
    assert "instructuie_jax.task_types" not in graph[name], name


# Tools are entry points: the library, the benchmarks and the other tools
# import none of them (a benchmark runs a tool as a user would, in a
# subprocess; what two tools share is a library module).
NO_TOOL_IMPORTS = (
  "instructuie_jax",
  "instructuie_t5x",
  "tasks",
  "benchmarks",
  "tools",
)


def tool_imports(source: str) -> list[str]:
  """The `tools` modules that `source` imports, anywhere in it."""
  found = []
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Import):
      names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
      names = [node.module]
    else:
      continue
    found += [n for n in names if n == "tools" or n.startswith("tools.")]
  return found


def test_no_library_module_benchmark_or_tool_imports_a_tool():
  offenders = {}
  for folder in NO_TOOL_IMPORTS:
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
      found = tool_imports(path.read_text(encoding="utf-8"))
      if found:
        offenders[str(path.relative_to(REPO_ROOT))] = found
  assert offenders == {}


def test_tool_imports_sees_each_form():
  source = (
    "import tools.score\n"
    "from tools import cli\n"
    "def f():\n"
    "  from tools.report import run\n"
    "import toolsmith\n"
    "from instructuie_jax import tools_like\n"
  )
  assert tool_imports(source) == ["tools.score", "tools", "tools.report"]


# A test runs a tool as its command line (its `define_flags` and `main`, or
# `python -m tools.X`); what it tests of a tool's insides is a library's.
TOOL_CLI = {"define_flags", "main"}


def tool_internals(source: str) -> list[str]:
  """`tool.name` for each use in `source` of a tool module's `name` other
  than its command line (`TOOL_CLI`)."""
  tree = ast.parse(source)
  tools = set()
  found = []
  for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
      if node.module == "tools":
        tools.update(a.asname or a.name for a in node.names)
      elif node.module.startswith("tools."):
        module = node.module.removeprefix("tools.")
        found += [
          f"{module}.{a.name}" for a in node.names if a.name not in TOOL_CLI
        ]
    elif isinstance(node, ast.Import):
      found += [a.name for a in node.names if a.name.startswith("tools.")]
  for node in ast.walk(tree):
    if (
      isinstance(node, ast.Attribute)
      and isinstance(node.value, ast.Name)
      and node.value.id in tools
      and node.attr not in TOOL_CLI
    ):
      found.append(f"{node.value.id}.{node.attr}")
  return found


def test_tests_use_a_tool_only_as_its_command_line():
  offenders = {}
  for path in sorted((REPO_ROOT / "tests").rglob("*.py")):
    found = tool_internals(path.read_text(encoding="utf-8"))
    if found:
      offenders[str(path.relative_to(REPO_ROOT))] = found
  assert offenders == {}


def test_tool_internals_sees_each_form():
  source = (
    "from tools import check_cache, score as s\n"
    "from tools.report import main, run\n"
    "import tools.plan_run\n"
    "check_cache.define_flags()\n"
    "check_cache.main([])\n"
    "check_cache.run('d', [])\n"
    "s.FLAGS\n"
  )
  assert sorted(tool_internals(source)) == [
    "check_cache.run",
    "report.run",
    "s.FLAGS",
    "tools.plan_run",
  ]
