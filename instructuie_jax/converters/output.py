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

"""Writing converted folders: staged, validated, then moved into place.

A folder is written into a hidden sibling (`.NAME.tmp-*`), checked, and
renamed onto its final name, so a reader never sees half a dataset. Each
folder holds a marker file (`MARKER`) naming the tool, what it did and the
files it wrote (`"files"`). An existing folder is rewritten only when asked
to and when it holds the marker (the tool never writes into a folder it did
not make); then each new file is moved in over its old self, the files the
marker lists that this run does not write are removed, the marker last, and
every other file (one the user added) is left alone. Local paths only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

from instructuie_jax import catalog, json_input, schema
from instructuie_jax.converters import common

MARKER = ".convert_data.json"


def check_target(folder: str, overwrite: bool) -> None:
  """Raises InputError unless `folder` may be (re)written.

  Args:
    folder: The output folder.
    overwrite: Whether replacing an existing folder was asked for.
  """
  if not os.path.lexists(folder):
    return
  if not overwrite:
    raise common.InputError(
      f"{folder} exists; pass --overwrite to replace it (only folders this "
      "tool made are replaced)"
    )
  if not os.path.isfile(os.path.join(folder, MARKER)):
    raise common.InputError(
      f"{folder} exists and was not made by tools.convert_data (no {MARKER}); "
      "not replacing it"
    )


def split_file_text(instances: list[dict]) -> str:
  """A split file: a JSON list, one instance a line (as the public data)."""
  if not instances:
    return "[]\n"
  lines = [json.dumps(x, ensure_ascii=False) for x in instances]
  return "[\n" + ",\n".join(lines) + "\n]\n"


def write_folder(
  folder: str,
  files: Mapping[str, str],
  meta: Mapping[str, Any],
  *,
  overwrite: bool,
  check: Callable[[str], list[str]] | None = None,
) -> None:
  """Writes `files` (name -> text) and the marker into `folder`, atomically.

  Args:
    folder: The output folder.
    files: File name -> contents.
    meta: Written as the marker file's JSON.
    overwrite: Replace an existing folder this tool made.
    check: Called with the staged folder; returns error lines. Any error
      leaves nothing behind and raises `ValidationError`.

  Raises:
    common.InputError: the folder may not be replaced.
    ValidationError: `check` found errors.
  """
  check_target(folder, overwrite)
  parent = os.path.dirname(os.path.abspath(folder))
  os.makedirs(parent, exist_ok=True)
  name = os.path.basename(os.path.abspath(folder))
  staging = tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent)
  umask = os.umask(0)
  os.umask(umask)
  os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private
  try:
    for file_name, text in files.items():
      with open(os.path.join(staging, file_name), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(staging, MARKER), "w", encoding="utf-8") as f:
      json.dump(
        {**meta, "files": sorted(files)}, f, ensure_ascii=False, indent=1
      )
      f.write("\n")
    errors = check(staging) if check else []
    if errors:  # Named as the files will be: the staging folder goes.
      raise ValidationError([e.replace(staging, folder) for e in errors])
    if os.path.lexists(folder):
      _replace_files(folder, staging, sorted(files))
    else:
      os.replace(staging, folder)
  finally:
    if os.path.isdir(staging):
      shutil.rmtree(staging)


def _made_before(folder: str) -> list[str]:
  """The files the marker of `folder` says this tool wrote there."""
  try:
    made = json_input.read_json(os.path.join(folder, MARKER)).get("files", [])
  except (OSError, ValueError, AttributeError):
    return []
  if not isinstance(made, list):
    return []
  return [m for m in made if isinstance(m, str) and _plain_name(m)]


def _plain_name(name: str) -> bool:
  return name not in ("", ".", "..", MARKER) and os.path.basename(name) == name


def _replace_files(folder: str, staging: str, names: list[str]) -> None:
  """Moves the staged files into `folder` (the marker last) and removes the
  files the old marker lists that are not written again."""
  before = _made_before(folder)
  for file_name in names:
    os.replace(
      os.path.join(staging, file_name), os.path.join(folder, file_name)
    )
  for stale in sorted(set(before) - set(names)):
    path = os.path.join(folder, stale)
    if os.path.isfile(path) and not os.path.islink(path):
      os.unlink(path)
  os.replace(os.path.join(staging, MARKER), os.path.join(folder, MARKER))


def overlaps(path: str, other: str) -> bool:
  """Whether local paths `path` and `other` are the same, or one holds the
  other (symbolic links resolved)."""
  a, b = os.path.realpath(path), os.path.realpath(other)
  return (
    a == b
    or a.startswith(b.rstrip(os.sep) + os.sep)
    or b.startswith(a.rstrip(os.sep) + os.sep)
  )


class ValidationError(ValueError):
  """The written data fails the core validator; `.errors` lists why."""

  def __init__(self, errors: list[str]):
    super().__init__(f"{len(errors)} validation error(s); first: {errors[0]}")
    self.errors = errors


def validate_dataset(
  family: str, dataset: str, splits: Mapping[str, list[dict]]
):
  """A `check` for `write_folder`: the core validator over the staged split
  files and `labels.json` (errors only; duplicate warnings pass).
  """

  def check(staging: str) -> list[str]:
    try:
      labels = schema.load_labels(os.path.join(staging, "labels.json"), family)
    except schema.DataError as e:
      return [str(e.problem)]
    errors = []
    for split in splits:
      _, problems = schema.load_split(
        os.path.join(staging, f"{split}.json"),
        family=family,
        dataset=dataset,
        split=split,
        labels=labels,
        strict=False,
      )
      errors.extend(str(p) for p in problems if not p.is_warning)
    return errors

  return check


def write_dataset(
  root: str,
  family: str,
  dataset: str,
  splits: Mapping[str, list[dict]],
  labels: Any,
  meta: Mapping[str, Any],
  *,
  overwrite: bool,
  metadata: Mapping[str, Any] | None = None,
) -> str:
  """Writes `root/family/dataset/{split}.json` + `labels.json`, validated.

  `labels` is the labels.json value, or its text (written as it is);
  `metadata`, when given, the dataset's `catalog.METADATA_FILE` (its role).

  Returns:
    The dataset folder.
  """
  folder = os.path.join(root, family, dataset)
  files = {f"{s}.json": split_file_text(x) for s, x in splits.items()}
  if isinstance(labels, str):  # a given labels.json, copied as it is
    files["labels.json"] = labels
  else:
    files["labels.json"] = (
      json.dumps(labels, ensure_ascii=False, indent=2) + "\n"
    )
  if metadata is not None:
    files[catalog.METADATA_FILE] = json.dumps(metadata, indent=1) + "\n"
  write_folder(
    folder,
    files,
    meta,
    overwrite=overwrite,
    check=validate_dataset(family, dataset, splits),
  )
  return folder
