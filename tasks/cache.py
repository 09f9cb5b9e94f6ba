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


"""seqio's offline cache (written by `tools/cache_tasks.sh`) and its settings.

seqio's cache records neither the vocabulary nor the prompt options it was
made with. `tools/cache_tasks.sh` therefore writes `SETTINGS_FILE` (the
`Settings.fingerprint()` of the process that cached it) into every task's
cache folder, and a task reading its cache (`use_cached=True`) checks it
against the settings in force (`check_settings`): a cache made with other
settings, or one without the file, is refused with a one-line message
instead of feeding other examples. `tools/check_cache.py` stays the deeper
check (every cached example against the examples made now).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence

import seqio
import tensorflow as tf

from tasks import settings

SETTINGS_FILE = "instructuie_settings.json"


class CacheSettingsError(ValueError):
  """A task's seqio cache was made with other settings (or unknown ones)."""


def settings_path(task_cache_dir: str) -> str:
  """The fingerprint file of a task's cache folder."""
  return os.path.join(task_cache_dir, SETTINGS_FILE)


def write_settings(task_cache_dir: str) -> str:
  """Records the settings in force in a task's cache folder (atomically)."""
  path = settings_path(task_cache_dir)
  tmp = f"{path}.tmp"
  with tf.io.gfile.GFile(tmp, "w") as f:
    json.dump(settings.get().fingerprint(), f, indent=2, sort_keys=True)
    f.write("\n")
  tf.io.gfile.rename(tmp, path, overwrite=True)
  return path


def recorded_settings(task_cache_dir: str) -> dict | None:
  """The fingerprint recorded in a task's cache folder (None: no file)."""
  path = settings_path(task_cache_dir)
  if not tf.io.gfile.exists(path):
    return None
  with tf.io.gfile.GFile(path) as f:
    return json.load(f)


def settings_difference(recorded: dict, now: dict) -> str:
  """`key: recorded -> now` for the fields that differ ("" if none)."""

  def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
      if isinstance(v, dict):
        out.update(flat(v, f"{prefix}{k}."))
      else:
        out[prefix + k] = v
    return out

  a, b = flat(recorded), flat(now)
  return ", ".join(
    f"{k}: {a.get(k)!r} -> {b.get(k)!r}"
    for k in sorted(set(a) | set(b))
    if a.get(k) != b.get(k)
  )


def check_settings(task_name: str, task_cache_dir: str) -> None:
  """Raises unless the cache was made with the settings in force.

  Raises:
    CacheSettingsError: naming the folder and what differs.
  """
  recorded = recorded_settings(task_cache_dir)
  if recorded is None:
    raise CacheSettingsError(
      f"{task_name}: the seqio cache {task_cache_dir} has no {SETTINGS_FILE}"
      ", so the settings it was made with are unknown; re-cache it with "
      "tools/cache_tasks.sh (--overwrite)."
    )
  diff = settings_difference(recorded, settings.get().fingerprint())
  if diff:
    raise CacheSettingsError(
      f"{task_name}: the seqio cache {task_cache_dir} was made with other "
      f"settings ({diff}); re-cache it or use the settings it was made with."
    )


@contextlib.contextmanager
def only_cache_dir(cache_dir: str, tasks: Sequence[seqio.Task]):
  """Makes seqio read the caches of `tasks` from `cache_dir` only.

  seqio memoizes per task where it found its cache and stats; they are
  forgotten on entry and on exit, and the global cache dirs restored.
  """
  old = list(seqio.get_global_cache_dirs())

  def forget():
    for task in tasks:
      task._cache_dir, task._stats = None, {}  # noqa: SLF001

  seqio.set_global_cache_dirs([cache_dir])
  forget()
  try:
    yield
  finally:
    seqio.set_global_cache_dirs(old)
    forget()


def stale_caches(output_dir: str, task_names: Sequence[str]) -> dict[str, str]:
  """Caches under `output_dir` of `task_names` made with other settings.

  `tools/cache_tasks.sh` checks this before caching (seqio's script skips a
  task that is already cached, so its old record would stay).

  Returns:
    `{task name: what differs}`.
  """
  out = {}
  for name in task_names:
    folder = os.path.join(output_dir, seqio.get_task_dir_from_name(name))
    if not tf.io.gfile.exists(os.path.join(folder, "COMPLETED")):
      continue
    try:
      check_settings(name, folder)
    except CacheSettingsError as e:
      out[name] = str(e)
  return out


def record_caches(output_dir: str, task_names: Sequence[str]) -> list[str]:
  """Writes the settings record into each completed cache of `task_names`.

  Returns:
    The records written.
  """
  written = []
  for name in task_names:
    folder = os.path.join(output_dir, seqio.get_task_dir_from_name(name))
    if tf.io.gfile.exists(os.path.join(folder, "COMPLETED")):
      written.append(write_settings(folder))
  return written
