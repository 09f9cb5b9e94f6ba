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

"""README.md's code blocks run, or say what they need.

Every fenced block of README.md has a marker on the line just before its
fence, one of:

- `<!-- readme: runs [slow] [shared-data] [group=NAME] [file=PATH] -->`:
  run here (`shared-data`: on the real datasets, skipped without them). Bash
  blocks run with `bash -euo pipefail` and Python blocks with `python -`,
  in a temporary working copy (a folder of links to the repository's top
  entries, so that relative paths such as `gin/...` and `tests/testdata/...`
  resolve and files a block writes land there). Blocks of one group run in
  order, in one working copy; a Python block with `file=PATH` is written to
  PATH for a later block to run. A block of `$ command` lines and their
  output (a transcript) runs its commands, and every line of the shown
  output except `...` must appear in what they print.
- `<!-- readme: output -->`: shown text, not a command (a layout, an
  output). `<!-- readme: output checked -->`: output of the `runs` block
  just above, checked like a transcript's.
- `<!-- readme: usage -->`: a synopsis with placeholders.
- `<!-- readme: needs WHAT -->`: needs what CI lacks (a TPU, `gs://`, a
  GPU, a Flan-T5 checkpoint, the network, the shared data); not run.
- `<!-- readme: tested by FILE [FILE ...] -->`: those tests run it; each
  tool the block calls (`tools.NAME`, `tools/NAME.sh`) must appear in one of
  those files, unless one of them reads README.md (and so runs the block as
  written).

In the blocks not run here (`usage`, `needs`, `tested by`), every `--flag`
of a `python -m tools.NAME` command must be one NAME defines (its
`DEFINE_*`/`cli.define_*` calls, those of the `tools` modules it imports,
and absl's own).

Commands outside fences (indented code blocks) are refused: fence them and
mark them.

Paths are replaced only through `SUBSTITUTIONS` below (a README path on the
left, a folder of the test on the right), before a block runs:
`/tmp/instructuie_tiny/model` becomes the session's tiny trained model
(`tests/tiny_model_testing.py`; `INSTRUCTUIE_TINY_RUN=WORK_DIR` uses a
finished `tools.run_local_tiny` run instead), the data roots
(`/data/ie_instructions`, `../shared/data/ie_instructions`) become the tiny
synthetic benchmark (the real datasets in a `shared-data` group:
`$IE_INSTRUCTIONS_TEST_DATA`, else `../shared/data/ie_instructions` beside
the repository), and the README's scratch folders under `/tmp` become
folders of the test's own temporary directory.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import subprocess
import sys

import pytest

from instructuie_jax import tiny_data

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"

MARKER = re.compile(r"^\s*<!-- readme: (?P<spec>.+?) -->\s*$")
FENCE = re.compile(r"^\s*(?P<fence>```+|~~~+)(?P<lang>\S*)\s*$")
KINDS = ("runs", "output", "usage", "needs", "tested by")
# A line that starts a shell command, for commands outside fences.
COMMAND_START = re.compile(
  r"^(python3?|pip|export|bash|gcloud|gsutil|curl|printf|mkdir|[A-Z_]+=)\b"
)
TOOL = re.compile(r"(tools[./][A-Za-z_]+)")
FLAG = re.compile(r"(?<![\w-])--([A-Za-z_][\w.]*)")
DEFINE = re.compile(
  r"(?:DEFINE_\w+|define_integer|define_float)\(\s*[\"'](\w+)[\"']"
)
ABSL_FLAGS = ("help", "helpshort", "helpfull", "verbosity", "v", "logtostderr")

# README path -> what it becomes in the test: "tiny_model" (the session's
# trained tiny model directory), "data_root" (the synthetic benchmark root;
# the shared data for a `shared-data` group), or a folder name under the
# test's temporary directory.
SUBSTITUTIONS = {
  "/tmp/instructuie_tiny/model": "tiny_model",
  "../shared/data/ie_instructions": "data_root",
  "/data/ie_instructions": "data_root",
  "/tmp/bio": "bio",
  "/tmp/ie": "ie",
  "/tmp/instructuie_report_demo": "report_demo",
  "/tmp/corpus_ie": "corpus_ie",
  "/tmp/make_demo.py": "make_demo.py",
}


@dataclasses.dataclass
class Block:
  """One fenced block of the README."""

  line: int  # 1-based line of the opening fence
  lang: str
  text: str
  spec: str | None

  @property
  def kind(self) -> str | None:
    if self.spec is None:
      return None
    return next((k for k in KINDS if self.spec.startswith(k)), None)

  @property
  def options(self) -> dict[str, str]:
    words = self.spec.split()[1:] if self.spec else []
    return {w.partition("=")[0]: w.partition("=")[2] or "yes" for w in words}

  @property
  def is_transcript(self) -> bool:
    return any(line.startswith("$ ") for line in self.text.splitlines())

  @property
  def where(self) -> str:
    return f"README.md:{self.line}"


def parse_blocks(text: str) -> list[Block]:
  """The fenced blocks of `text`, each with the marker line before it."""
  lines = text.splitlines()
  blocks, i = [], 0
  while i < len(lines):
    m = FENCE.match(lines[i])
    if not m:
      i += 1
      continue
    j = i + 1
    while j < len(lines) and lines[j].strip() != m.group("fence"):
      j += 1
    before = MARKER.match(lines[i - 1]) if i else None
    blocks.append(
      Block(
        line=i + 1,
        lang=m.group("lang"),
        text="\n".join(lines[i + 1 : j]) + "\n",
        spec=before.group("spec").strip() if before else None,
      )
    )
    i = j + 1
  return blocks


def unfenced_commands(text: str) -> list[str]:
  """`README.md:LINE: command` for each indented command outside fences."""
  found, in_fence, previous = [], None, ""
  for number, line in enumerate(text.splitlines(), 1):
    m = FENCE.match(line)
    if m and in_fence is None:
      in_fence = m.group("fence")
    elif in_fence is not None and line.strip() == in_fence:
      in_fence = None
    elif (
      in_fence is None
      and not previous.strip()
      and line.startswith("    ")
      and COMMAND_START.match(line.strip())
    ):
      found.append(f"README.md:{number}: {line.strip()}")
    previous = line
  return found


def commands(block: Block) -> list[str]:
  """The commands of a bash block or transcript, continuation lines joined."""
  result, current = [], None
  for line in block.text.splitlines():
    if current is not None:
      current += "\n" + line
    elif block.is_transcript and line.startswith("$ "):
      current = line[2:]
    elif not block.is_transcript and line.strip() and line[0] not in "# ":
      current = line
    else:
      continue
    if not current.rstrip().endswith("\\"):
      result.append(current)
      current = None
  if current is not None:
    result.append(current)
  return result


def shown_output(block: Block) -> list[str]:
  """The output lines a transcript shows (not its commands, not `...`)."""
  shown, continuing = [], False
  for line in block.text.splitlines():
    if line.startswith("$ "):
      continuing = line.rstrip().endswith("\\")
      continue
    if continuing:
      continuing = line.rstrip().endswith("\\")
      continue
    if line.strip() and line.strip() != "...":
      shown.append(line.rstrip())
  return shown


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def test_every_block_has_a_marker():
  missing = [b.where for b in BLOCKS if b.kind is None]
  assert not missing, (
    "README blocks without a `<!-- readme: ... -->` marker line before "
    f"the fence (see tests/readme_test.py): {missing}"
  )


def test_no_commands_outside_fences():
  found = unfenced_commands(README.read_text(encoding="utf-8"))
  assert not found, f"fence and mark these README commands: {found}"


def test_needs_says_what():
  for block in BLOCKS:
    if block.kind == "needs":
      assert block.spec[len("needs") :].strip(), block.where


def test_parse_blocks_and_commands():
  text = (
    "<!-- readme: runs group=a -->\n```sh\n# note\npython -m tools.x \\\n"
    "  --a=1\n```\n\n```\n$ python -m tools.y \\\n    --b=2\nout 1\n...\n"
    "out 2\n```\n\n    python -m tools.z\n\n- a list item:\n\n  ```sh\n"
    "  python -m tools.w\n  ```\n"
  )
  first, second, third = parse_blocks(text)
  assert third.kind is None and third.text == "  python -m tools.w\n"
  assert (first.kind, first.options, first.lang) == (
    "runs",
    {"group": "a"},
    "sh",
  )
  assert second.kind is None and second.is_transcript
  assert commands(second) == ["python -m tools.y \\\n    --b=2"]
  assert shown_output(second) == ["out 1", "out 2"]
  assert unfenced_commands(text) == ["README.md:16: python -m tools.z"]
  assert undefined_flags(
    "X=1 python -m tools.score --predictions=p \\\n  --nope=1 --helpshort"
  ) == ["--nope"]
  assert undefined_flags("python -m tools.serve --warmup --nobatching") == []


def tool_flags(module: str) -> set[str]:
  """The flag names `python -m module` defines: its own `DEFINE_*` calls and
  those of the project modules it imports, plus absl's."""
  sources, todo = [], [module.replace(".", "/")]
  while todo:
    path = REPO_ROOT / f"{todo.pop()}.py"
    if path.is_file() and path not in sources:
      sources.append(path)
      todo += [
        f"{package}/{name.strip()}"
        for package, names in re.findall(
          r"^\s*from (tools|instructuie_t5x|instructuie_jax) import ([\w, ]+)",
          path.read_text(),
          re.M,
        )
        for name in names.split(",")
      ]
  defined = set(ABSL_FLAGS)
  for path in sources:
    defined |= set(DEFINE.findall(path.read_text(encoding="utf-8")))
  return defined


def undefined_flags(command: str) -> list[str]:
  """The flags of a `python -m tools.NAME ...` command that NAME lacks."""
  m = re.match(r"^(?:\w+=\S*\s+)*python3? -m (tools\.\w+)\b", command.strip())
  if not m:
    return []
  defined = tool_flags(m.group(1))
  return [
    f"--{f}"
    for f in FLAG.findall(command[m.end() :])
    if f not in defined and not (f.startswith("no") and f[2:] in defined)
  ]


@pytest.mark.parametrize(
  "block",
  [b for b in BLOCKS if b.kind in ("tested by", "needs", "usage")],
  ids=lambda b: b.where,
)
def test_flags_of_blocks_not_run_exist(block):
  texts = [block.text] if block.kind == "usage" else commands(block)
  unknown = {w for t in texts for w in undefined_flags(t)}
  assert not unknown, f"{block.where}: flags no tool defines: {sorted(unknown)}"


@pytest.mark.parametrize(
  "block", [b for b in BLOCKS if b.kind == "tested by"], ids=lambda b: b.where
)
def test_tested_by_names_tests_that_run_its_tools(block):
  files = block.spec[len("tested by") :].split()
  assert files, f"{block.where}: `tested by` names no file"
  texts = []
  for name in files:
    path = REPO_ROOT / name
    assert path.is_file(), f"{block.where}: {name} does not exist"
    texts.append(path.read_text(encoding="utf-8"))
  if any("README.md" in t for t in texts):
    return  # A test that reads the block from README.md runs its own text.
  for command in commands(block):
    for tool in TOOL.findall(command):
      name = tool.replace("/", ".").removesuffix(".sh")
      forms = {name, name.replace(".", "/") + ".py", tool}
      assert any(form in t for form in forms for t in texts), (
        f"{block.where}: {tool} is in none of {files}"
      )


def _base_env() -> dict[str, str]:
  env = dict(os.environ)
  env.update(
    JAX_PLATFORMS="cpu",
    PYTHONPATH=os.pathsep.join(
      [str(REPO_ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    ),
  )
  return env


def _groups() -> list[tuple[str, list[Block]]]:
  """The `runs` blocks by group (each block not in a group on its own), each
  with the `output checked` block that follows it, in README order."""
  groups: dict[str, list[Block]] = {}
  last = None
  for block in BLOCKS:
    if block.kind == "runs":
      name = block.options.get("group") or f"line{block.line}"
      groups.setdefault(name, []).append(block)
      last = block
    elif block.kind == "output" and "checked" in block.options:
      assert last is not None, f"{block.where}: no runs block above"
      groups[last.options.get("group") or f"line{last.line}"].append(block)
  return list(groups.items())


def _params():
  for name, blocks in _groups():
    slow = any("slow" in b.options for b in blocks if b.kind == "runs")
    yield pytest.param(
      blocks,
      id=f"{name}@{blocks[0].where}",
      marks=[pytest.mark.slow] if slow else [],
    )


def _working_copy(root: pathlib.Path) -> pathlib.Path:
  copy = root / "checkout"
  copy.mkdir()
  for entry in REPO_ROOT.iterdir():
    if entry.name not in {".git", ".venv"} and not entry.name.startswith(
      ".pytest"
    ):
      (copy / entry.name).symlink_to(entry)
  return copy


_README_PATH = re.compile(
  "|".join(re.escape(p) for p in sorted(SUBSTITUTIONS, key=len, reverse=True))
)


def _substitute(text: str, paths: dict[str, str]) -> str:
  """`text` with each README path of `SUBSTITUTIONS` replaced, in one pass."""
  return _README_PATH.sub(lambda m: paths[SUBSTITUTIONS[m.group(0)]], text)


def _check_shown(block: Block, lines: list[str], output: str, paths) -> None:
  printed = {line.rstrip() for line in output.splitlines()}
  absent = [
    line for line in lines if _substitute(line, paths).rstrip() not in printed
  ]
  assert not absent, (
    f"{block.where}: shown output not printed:\n"
    + "\n".join(absent)
    + f"\n--- printed:\n{output[-4000:]}"
  )


@pytest.mark.parametrize("blocks", list(_params()))
def test_runs(blocks, tmp_path, tmp_path_factory):
  text = "".join(b.text for b in blocks)
  env = _base_env()
  paths = {
    "data_root": str(tmp_path / "ie_instructions"),
    "tiny_model": "/nonexistent/tiny_model (a block not marked for it)",
  }
  if any("shared-data" in b.options for b in blocks):
    from tests import conftest  # noqa: PLC0415

    shared = conftest._shared_data_path()
    if not shared.is_dir():
      pytest.skip(f"real IE INSTRUCTIONS data not found at {shared}")
    paths["data_root"] = str(shared)
  else:
    tiny_data.write_datasets(
      paths["data_root"], seed=0, num_train=40, num_eval=20
    )
  paths.update(
    {v: str(tmp_path / v) for v in SUBSTITUTIONS.values() if v not in paths}
  )
  if "t5x" in text or "/tmp/instructuie_tiny" in text or "Extractor" in text:
    pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  if "/tmp/instructuie_tiny" in text:
    from tests import tiny_model_testing  # noqa: PLC0415

    model = tiny_model_testing.tiny_model(tmp_path_factory)
    paths["tiny_model"] = str(model.model_dir)
    env.update(
      IE_TINY_DIR=str(model.data_dir), IE_INSTRUCTIONS_VOCAB=model.vocabulary
    )
  copy = _working_copy(tmp_path)
  (tmp_path / "exported.sh").write_text("")
  env["PYTHONPATH"] = os.pathsep.join([str(copy), env["PYTHONPATH"]])
  output = ""
  for block in blocks:
    if block.kind == "output":
      _check_shown(block, shown_output(block), output, paths)
      continue
    source = _substitute(block.text, paths)
    if block.lang == "python" and "file" in block.options:
      target = _substitute(block.options["file"], paths)
      pathlib.Path(target).write_text(source, encoding="utf-8")
      continue
    if block.lang == "python":
      argv, stdin = [sys.executable, "-"], source
    else:
      script = source
      if block.is_transcript:
        script = "\n".join(_substitute(c, paths) for c in commands(block))
      # What a block exports is there for the next block of its group.
      exported = tmp_path / "exported.sh"
      script = f"source {exported}\n{script}\nexport -p > {exported}\n"
      argv, stdin = ["bash", "-euo", "pipefail", "-s"], script
    proc = subprocess.run(
      argv,
      input=stdin,
      cwd=copy,
      env=env,
      capture_output=True,
      text=True,
      timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, (
      f"{block.where}: exit {proc.returncode}\n{stdin}\n--- output:\n"
      f"{output[-4000:]}"
    )
    if block.is_transcript:
      _check_shown(block, shown_output(block), output, paths)
