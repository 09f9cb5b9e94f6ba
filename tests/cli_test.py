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

"""Tests of instructuie_jax/cli.py: user mistakes become one line and an exit status."""

from __future__ import annotations

import ast
import os
import pathlib

import pytest
from absl import app, flags

from instructuie_jax import cli, schema


def _exit(main, capsys):
  """Runs the guarded `main`; returns (exit status, stderr lines)."""
  with pytest.raises(SystemExit) as info:
    cli.guarded(main)(["tool"])
  return info.value.code, capsys.readouterr().err.splitlines()


def _raiser(error):
  def main(argv):
    del argv
    raise error

  return main


@pytest.mark.parametrize(
  "error, code, line",
  [
    (
      cli.UserError("bad.json:3: name: missing"),
      1,
      "bad.json:3: name: missing",
    ),
    (cli.UsageError("--n must be >= 1, got -5"), 2, "--n must be >= 1, got -5"),
    (app.UsageError("Unexpected arguments: ['x']"), 2, "Unexpected arguments"),
    (
      schema.DataError(schema.Problem("d/train.json", 4, "pos", "bad")),
      1,
      "d/train.json:4: pos: bad",
    ),
    (FileNotFoundError(2, "No such file or directory", "/no/such"), 1, None),
    (cli.UserError("two\n  lines"), 1, "two lines"),
  ],
)
def test_user_mistakes_are_one_line(error, code, line, capsys):
  status, err = _exit(_raiser(error), capsys)
  assert status == code
  assert len(err) == 1 and err[0].startswith("error: ")
  assert line is None or line in err[0]


def test_os_error_names_the_path(capsys):
  error = FileNotFoundError(2, "No such file or directory", "/no/such")
  _, err = _exit(_raiser(error), capsys)
  assert err == ["error: /no/such: No such file or directory"]


def test_bugs_keep_their_traceback():
  with pytest.raises(KeyError):
    cli.guarded(_raiser(KeyError("x")))(["tool"])


def test_return_value_passes_through():
  assert cli.guarded(lambda argv: 3)(["tool"]) == 3


def test_bad_flag_value_is_one_line_and_exit_2(capsys):
  values = flags.FlagValues()
  flags.DEFINE_integer("num", 1, "A number.", lower_bound=0, flag_values=values)
  with pytest.raises(SystemExit) as info:
    cli.parse_flags(["tool", "--num=-5"], values)
  assert info.value.code == 2
  err = capsys.readouterr().err.splitlines()
  assert len(err) == 1 and err[0].startswith("error: flag --num=-5: ")
  assert cli.parse_flags(["tool", "--num=4", "rest"], values) == [
    "tool",
    "rest",
  ]


@pytest.mark.parametrize(
  "value", ["nan", "inf", "-inf", "NaN", "Infinity", "1e999", "-1", "11"]
)
def test_float_flags_are_finite_and_in_range(value, capsys):
  values = flags.FlagValues()
  cli.define_float(
    "wait", 1.0, "Seconds.", lower_bound=0, upper_bound=10, flag_values=values
  )
  with pytest.raises(SystemExit) as info:
    cli.parse_flags(["tool", f"--wait={value}"], values)
  assert info.value.code == 2
  (line,) = capsys.readouterr().err.splitlines()
  assert line.startswith(f"error: flag --wait={value}: ")
  cli.parse_flags(["tool", "--wait=2.5"], values)
  assert values.wait == 2.5


def test_integer_flags_are_bounded_above_by_default(capsys):
  values = flags.FlagValues()
  cli.define_integer("n", 1, "Count.", lower_bound=1, flag_values=values)
  for bad in ("0", str(cli.MAX_INTEGER + 1), "nan", "9" * 5000):
    with pytest.raises(SystemExit) as info:
      cli.parse_flags(["tool", f"--n={bad}"], values)
    assert info.value.code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
  cli.parse_flags(["tool", f"--n={cli.MAX_INTEGER}"], values)


def test_every_tools_numeric_flag_has_a_range():
  """Tools define numbers through cli.define_integer/define_float only."""
  tools = pathlib.Path(__file__).resolve().parent.parent / "tools"
  absl_numeric = {
    "DEFINE_integer",
    "DEFINE_float",
    "DEFINE_multi_integer",
    "DEFINE_multi_float",
  }
  paths = sorted(tools.glob("*.py"))
  assert len(paths) > 10
  found = []
  for path in paths:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
      if isinstance(node, ast.Attribute) and node.attr in absl_numeric:
        found.append(f"{path.name}:{node.lineno}: flags.{node.attr}")
  assert not found


@pytest.mark.parametrize(
  "value", ["NER", "NER/", "/conll2003", "NER/conll2003/train", ""]
)
def test_family_and_dataset_refuses_other_forms(value):
  with pytest.raises(cli.UsageError, match=r"--datasets: .* FAMILY/DATASET"):
    cli.family_and_dataset(value, "datasets")


def test_require_flags_names_the_first_empty_one():
  values = flags.FlagValues()
  flags.DEFINE_string("given", "x", "", flag_values=values)
  flags.DEFINE_string("empty", "", "", flag_values=values)
  flags.DEFINE_list("none", [], "", flag_values=values)
  values(["prog"])
  cli.require_flags("given", flag_values=values)
  with pytest.raises(cli.UsageError, match=r"^--empty is required$"):
    cli.require_flags("given", "empty", "none", flag_values=values)
  with pytest.raises(cli.UsageError, match=r"^--none is required$"):
    cli.require_flags("none", flag_values=values)


def test_family_and_dataset():
  assert cli.family_and_dataset("NER/conll2003", "x") == ("NER", "conll2003")


def test_check_output_path(tmp_path):
  (tmp_path / "file").write_text("x")
  cli.check_output_path(str(tmp_path / "new" / "deeper" / "f.json"))
  cli.check_output_path(str(tmp_path / "file"), overwrite=True)
  with pytest.raises(FileExistsError, match="pass --overwrite"):
    cli.check_output_path(str(tmp_path / "file"))
  with pytest.raises(NotADirectoryError):
    cli.check_output_path(str(tmp_path / "file" / "f.json"))
  with pytest.raises(IsADirectoryError):
    cli.check_output_path(str(tmp_path))
  cli.check_output_dir(str(tmp_path))
  cli.check_output_dir(str(tmp_path / "new"))
  with pytest.raises(NotADirectoryError):
    cli.check_output_dir(str(tmp_path / "file" / "sub"))
  assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_atomic_write(tmp_path):
  path = tmp_path / "out.json"
  path.write_text("old")
  with pytest.raises(RuntimeError), cli.atomic_write(str(path)) as f:
    f.write("half")
    raise RuntimeError("failed")
  assert path.read_text() == "old"
  with cli.atomic_write(str(path)) as f:
    f.write("new")
  assert path.read_text() == "new"
  assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
  umask = os.umask(0o022)
  os.umask(umask)
  assert path.stat().st_mode & 0o777 == 0o666 & ~umask


_LOGS_INFO = (
  "from absl import logging\n"
  "from instructuie_jax import cli\n"
  "def main(argv):\n"
  "  logging.info('an info line')\n"
  "  logging.warning('a warning line')\n"
  "cli.run(main)\n"
)


def _run_logging_tool(*args, **env):
  import subprocess  # noqa: PLC0415
  import sys  # noqa: PLC0415

  environ = {k: v for k, v in os.environ.items() if k != cli.VERBOSE_ENV}
  environ.update(env)
  proc = subprocess.run(
    [sys.executable, "-c", _LOGS_INFO, *args],
    capture_output=True,
    text=True,
    env=environ,
    timeout=120,
  )
  assert proc.returncode == 0, proc.stderr
  return proc.stderr


def test_tools_are_quiet_by_default():
  err = _run_logging_tool()
  assert "a warning line" in err
  assert "an info line" not in err


@pytest.mark.parametrize(
  "args, env",
  [
    (["--verbosity=0"], {}),
    (["--verbosity=1"], {}),
    ([], {cli.VERBOSE_ENV: "1"}),
  ],
)
def test_info_logs_when_asked(args, env):
  assert "an info line" in _run_logging_tool(*args, **env)


def test_quiet_libraries_sets_tensorflow_level_unless_asked(monkeypatch):
  monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
  monkeypatch.delenv(cli.VERBOSE_ENV, raising=False)
  cli.quiet_libraries(["tool", "--verbosity=0"])
  assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ
  monkeypatch.setenv(cli.VERBOSE_ENV, "1")
  cli.quiet_libraries(["tool"])
  assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ
  monkeypatch.delenv(cli.VERBOSE_ENV)
  cli.quiet_libraries(["tool", "--data_dir=x"])
  assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"
  monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
  cli.quiet_libraries(["tool"])
  assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"  # the user's setting kept
