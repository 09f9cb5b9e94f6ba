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


"""Reading seqio's offline cache (written by `tools/cache_tasks.sh`)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import seqio


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
