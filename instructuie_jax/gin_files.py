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

"""Gin files read as data: their statements, bindings and macros.

Built on gin's own parser (`gin.config_parser`), without gin's registry:
nothing is imported, registered or called. Values are Python literals, with
a `Reference` for `@name` / `@name()` and a `Macro` for `%NAME` where gin
would build or look up something; both print back as gin text.

* `parse`: the statements of one file's text (imports, includes, bindings;
  a block `name:` + indented `arg = value` lines gives one binding per line).
* `read_bindings`: the bindings of a file and the files it includes (found
  under search paths), later bindings winning as in gin; `GinBindings.get`
  follows macros to their last value, as gin does when it builds.

The planner reads model sizes with it (`run_plan`), the checkpoint
conversion a run's `config.gin`, and the extractor the statements of a
`config.gin` it can build here.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import Any

from gin import config_parser

from instructuie_jax import json_input


class GinFileError(ValueError):
  """A gin file that cannot be read; the message is one line."""


@dataclasses.dataclass(frozen=True, repr=False)
class Reference:
  """`@name` (a configurable) or `@name()` (its result) in a gin value."""

  name: str
  evaluate: bool = False

  def __repr__(self) -> str:
    return "@" + self.name + ("()" if self.evaluate else "")


@dataclasses.dataclass(frozen=True, repr=False)
class Macro:
  """`%NAME` in a gin value."""

  name: str

  def __repr__(self) -> str:
    return "%" + self.name


REQUIRED = Macro("gin.REQUIRED")

Statement = (
  config_parser.BindingStatement
  | config_parser.ImportStatement
  | config_parser.IncludeStatement
  | config_parser.BlockDeclaration
)


class _Delegate(config_parser.ParserDelegate):
  def configurable_reference(self, scoped_name, evaluate):
    return Reference(scoped_name, evaluate)

  def macro(self, macro_name):
    return Macro(macro_name)


def parse(text: str, filename: str = "<gin>") -> list[Statement]:
  """The statements of gin `text`, in order.

  Raises:
    GinFileError: A syntax error ("FILE:LINE: message").
  """
  try:
    return list(config_parser.ConfigParser(text, _Delegate()))
  except SyntaxError as e:
    raise GinFileError(f"{filename}:{e.lineno}: {e.msg}") from None


def binding_key(st: config_parser.BindingStatement) -> str:
  """`scope/configurable.arg` of a binding; a macro's name for a macro."""
  key = f"{st.scope}/{st.selector}" if st.scope else st.selector
  return f"{key}.{st.arg_name}" if st.arg_name else key


def binding_text(st: config_parser.BindingStatement) -> str:
  """The binding as one gin line (`key = value`)."""
  return f"{binding_key(st)} = {st.value!r}"


def _read_local(path: str) -> str:
  return json_input.read_text(path)


@dataclasses.dataclass
class GinBindings:
  """The bindings of a gin file and its includes.

  Attributes:
    values: `binding_key` -> value as written (macros not followed); the
      last binding of a key wins, as in gin.
    files: The files read, in the order their statements were read.
    unresolved_includes: Include lines whose file is under none of the
      search paths (e.g. T5X's own files), "FILE: include 'NAME'".
  """

  values: dict[str, Any] = dataclasses.field(default_factory=dict)
  files: list[str] = dataclasses.field(default_factory=list)
  unresolved_includes: list[str] = dataclasses.field(default_factory=list)

  def resolve(self, value: Any) -> Any:
    """`value` with a top-level macro followed to its last binding.

    A macro bound nowhere (or `%gin.REQUIRED`) stays a `Macro`.
    """
    seen = set()
    while isinstance(value, Macro) and value.name in self.values:
      if value.name in seen:
        raise GinFileError(f"macro %{value.name} refers to itself")
      seen.add(value.name)
      value = self.values[value.name]
    return value

  def get(self, key: str, default: Any = None) -> Any:
    """The value bound to `key` (macros followed), or `default`."""
    if key not in self.values:
      return default
    return self.resolve(self.values[key])

  def find(self, suffix: str, default: Any = None) -> Any:
    """The value of the first key that is `suffix` or ends in `.suffix` or
    `/suffix` (`T5Config.mlp_activations` finds
    `network.T5Config.mlp_activations`), macros followed; else `default`."""
    for key in self.values:
      if key == suffix or key.endswith(("." + suffix, "/" + suffix)):
        return self.get(key)
    return default


def read_bindings(
  path: str,
  search_paths: Sequence[str] = (),
  read_text: Callable[[str], str] = _read_local,
) -> GinBindings:
  """The bindings of the gin file PATH and of the files it includes.

  An `include 'NAME'` is read from the first of `search_paths` that holds
  NAME (an absolute NAME as it is); one found nowhere is listed in
  `unresolved_includes` and skipped.

  Args:
    path: The gin file.
    search_paths: Roots for includes.
    read_text: Reads a file's text (e.g. through `etils.epath` for cloud
      paths); default: a local file (`json_input.read_text`). It may raise
      `json_input.InputError` for text that is not UTF-8.

  Raises:
    GinFileError: PATH missing or not UTF-8, a syntax error, includes
      nested too deep.
  """
  out = GinBindings()

  def visit(file: str, depth: int) -> None:
    if depth > 20:
      raise GinFileError(f"{file}: includes nest too deep")
    try:
      text = read_text(file)
    except FileNotFoundError:
      raise GinFileError(f"{file}: no such gin file") from None
    except json_input.InputError as e:
      raise GinFileError(str(e)) from None
    out.files.append(file)
    for st in parse(text, file):
      if isinstance(st, config_parser.IncludeStatement):
        found = next(
          (
            os.path.join(root, st.filename)
            for root in search_paths
            if os.path.isfile(os.path.join(root, st.filename))
          ),
          None,
        )
        if found is None:
          out.unresolved_includes.append(f"{file}: include {st.filename!r}")
        else:
          visit(found, depth + 1)
      elif isinstance(st, config_parser.BindingStatement):
        out.values[binding_key(st)] = st.value

  visit(path, 0)
  return out
