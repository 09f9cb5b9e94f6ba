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


"""The datasets of the user's own folders, as catalog rows.

A folder of `Settings.user_datasets` is an IE INSTRUCTIONS root such as
`tools.convert_data` writes: `{FAMILY}/{dataset}/` with
`{train,dev,test}.json` and `labels.json`, and optionally
`catalog.METADATA_FILE` (`{"role": "supervised" | "zeroshot", "domain":
...}`; no file: supervised). `specs` lists the folders and reads those small
files only; the split files are read when a task's data are (`tasks.sources`).
"""

from __future__ import annotations

import functools
import json

import tensorflow as tf

from instructuie_jax import catalog, task_types


def _is_dir(path: str) -> bool:
  return tf.io.gfile.isdir(path)


def read_metadata(folder: str) -> dict:
  """The `catalog.METADATA_FILE` of a dataset folder ({} when absent).

  Raises:
    ValueError: the file is not a JSON object (the message names it).
  """
  path = f"{folder}/{catalog.METADATA_FILE}"
  if not tf.io.gfile.exists(path):
    return {}
  with tf.io.gfile.GFile(path) as f:
    text = f.read()
  try:
    obj = json.loads(text)
  except json.JSONDecodeError as e:
    raise ValueError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
  if not isinstance(obj, dict):
    raise ValueError(f"{path}: expected a JSON object")
  return obj


def folder_specs(root: str) -> tuple[catalog.DatasetSpec, ...]:
  """The datasets under one folder: `{root}/{FAMILY}/{dataset}/`, sorted.

  Raises:
    ValueError: `root` is no folder or holds no dataset folder, or a
      dataset's metadata is invalid (the messages name the path).
  """
  root = root.rstrip("/") or "/"
  if not _is_dir(root):
    raise ValueError(
      f"user_datasets: {root}: no such folder (expected "
      "{NER,RE,EE}/<dataset>/ folders, as tools.convert_data writes)"
    )
  found = []
  for family in task_types.FAMILIES:
    family_dir = f"{root}/{family}"
    if not _is_dir(family_dir):
      continue
    for name in sorted(tf.io.gfile.listdir(family_dir)):
      name = name.rstrip("/")
      folder = f"{family_dir}/{name}"
      if not _is_dir(folder):
        continue
      try:
        found.append(
          catalog.user_spec(root, family, name, read_metadata(folder))
        )
      except ValueError as e:
        raise ValueError(f"{folder}: {e}") from None
  if not found:
    raise ValueError(
      f"user_datasets: {root}: no {{NER,RE,EE}}/<dataset> "
      "folder in it (as tools.convert_data writes)"
    )
  return tuple(found)


@functools.lru_cache(maxsize=16)
def specs(roots: tuple[str, ...]) -> tuple[catalog.DatasetSpec, ...]:
  """The datasets of every folder of `roots`, in order (cached per process).

  Raises:
    ValueError: see `folder_specs`; or two datasets (of the folders, or
      one of them and one of the catalog) with a task name in common.
  """
  rows: list[catalog.DatasetSpec] = []
  seen = {
    catalog.task_name(task, s): f"the catalog's {s.name!r}"
    for s in catalog.CATALOG
    for task in s.tasks
  }
  for root in roots:
    for spec in folder_specs(root):
      where = catalog.dataset_dir(spec, spec.root)
      for task in spec.tasks:
        name = catalog.task_name(task, spec)
        if name in seen:
          raise ValueError(
            f"{where}: its task {name} would be that of {seen[name]}; "
            "rename the folder"
          )
        seen[name] = where
      rows.append(spec)
  return tuple(rows)
