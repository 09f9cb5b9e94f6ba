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

"""Checks a seqio offline cache against the examples the tasks give now.

`check_split` compares one task split's cached examples with those made
now, as multisets over all their features, and says what differs; `run`
checks every cached split of tasks and mixtures and prints a row each
(`tools.check_cache`).
"""

from __future__ import annotations

import collections
import dataclasses
import os
import time
from collections.abc import Sequence

import numpy as np
import seqio
import tensorflow as tf

from tasks import cache, mixtures


def example_key(ex: dict, features: Sequence[str]) -> tuple:
  """A hashable form of `ex`'s `features`."""
  return tuple(
    tuple(ex[k].tolist()) if isinstance(ex[k], np.ndarray) else ex[k]
    for k in features
  )


def _read(task: seqio.Task, split: str, use_cached: bool) -> list[dict]:
  # seqio's own reader: the cache is compared even when its settings record
  # differs from the settings in force (`check_split` reports that apart).
  ds = seqio.Task.get_dataset(
    task,
    sequence_length=None,
    split=split,
    use_cached=use_cached,
    shuffle=False,
  )
  return list(ds.as_numpy_iterator())


def _show(task: seqio.Task, key: str, ids: tuple, at: int) -> str:
  piece = list(ids[at : at + 10])
  try:
    return repr(task.output_features[key].vocabulary.decode(piece))
  except Exception:  # Ids outside the vocabulary.
    return str(piece)


def diagnose(task: seqio.Task, cached: list, uncached: list, features) -> str:
  """What differs between two lists of `example_key`s."""
  diff_c = collections.Counter(cached) - collections.Counter(uncached)
  diff_u = collections.Counter(uncached) - collections.Counter(cached)
  only_c, only_u = list(diff_c), list(diff_u)
  note = f"{diff_c.total()} cached and {diff_u.total()} uncached unmatched"
  if not only_c or not only_u:
    return note
  a, b = only_c[0], only_u[0]
  if "id" in features:  # Prefer two examples of the same instance.
    i = features.index("id")
    ids = {u[i]: u for u in only_u}
    a = next((c for c in only_c if c[i] in ids), a)
    b = ids.get(a[i], b)
  k, x, y = next(d for d in zip(features, a, b, strict=True) if d[1] != d[2])
  note += f"; e.g. feature {k!r} differs"
  if k in task.output_features:
    n = min(len(x), len(y))
    at = next((j for j in range(n) if x[j] != y[j]), n)
    note += (
      f" from token {at} ({len(x)} vs {len(y)} tokens): cached "
      f"{_show(task, k, x, at)} vs now {_show(task, k, y, at)}"
    )
  return note


@dataclasses.dataclass(frozen=True)
class Result:
  """The comparison of one cached task split."""

  cached: int
  uncached: int
  stats: int
  equal: bool
  note: str = ""


def check_split(task: seqio.Task, split: str) -> Result:
  """Compares a cached task split (cache dirs in force) with the uncached."""
  stats = task.get_cached_stats(split)["examples"]
  # seqio writes `{}` as info for a split without examples: nothing to read.
  cached = _read(task, split, True) if stats else []
  uncached = _read(task, split, False)
  fc = set(cached[0]) if cached else set()
  fu = set(uncached[0]) if uncached else set()
  features = sorted(fc & fu if fc and fu else fc | fu)
  c = [example_key(ex, features) for ex in cached]
  u = [example_key(ex, features) for ex in uncached]
  notes = []
  try:
    cache.check_settings(task.name, task.cache_dir)
  except cache.CacheSettingsError as e:
    notes.append(str(e).split(": ", 1)[1])
  if fc and fu and fc != fu:
    notes.append(f"features differ: {sorted(fc ^ fu)}")
  if stats != len(c):
    notes.append(f"stats.json says {stats}")
  if collections.Counter(c) != collections.Counter(u):
    notes.append(diagnose(task, c, u, features))
  return Result(len(c), len(u), stats, not notes, "; ".join(notes))


def task_names(names: Sequence[str]) -> list[str]:
  """Tasks of `names` (a mixture's with data; the others printed)."""
  out = []
  for name in names:
    provider = seqio.get_mixture_or_task(name)
    missing = {}
    if name in mixtures.MIXTURES:
      name, missing = mixtures.available_mixture(name)
      provider = seqio.get_mixture_or_task(name)
    elif isinstance(provider, mixtures.AvailableMixture):
      missing = provider.left_out
    if missing:
      print(f"left out (no data): {', '.join(sorted(missing))}")
    if isinstance(provider, seqio.Mixture):
      out += [t.name for t in provider.tasks]
    else:
      out.append(name)
  return list(dict.fromkeys(out))


def run(
  cache_dir: str,
  names: Sequence[str],
  splits: Sequence[str] | None = None,
  require_all: bool = False,
) -> int:
  """Checks the caches of `names` under `cache_dir`; returns the exit code."""
  tasks = [seqio.get_mixture_or_task(n) for n in task_names(names)]
  start, failed, counts = time.perf_counter(), False, collections.Counter()
  print(f"{'task':40s} {'split':10s} {'cached':>7s} {'uncached':>8s} ", end="")
  print(f"{'stats':>7s} equal")
  with cache.only_cache_dir(cache_dir, tasks):
    for task in tasks:
      for split in [s for s in task.splits if not splits or s in splits]:
        row, t0 = f"{task.name:40s} {split:10s} ", time.perf_counter()
        info = seqio.get_cached_info_path(
          os.path.join(cache_dir, seqio.get_task_dir_from_name(task.name)),
          split,
        )
        if not task.cache_dir or not tf.io.gfile.exists(info):
          failed |= require_all
          counts["not cached"] += 1
          print(row + "not cached")
          continue
        r = check_split(task, split)
        failed |= not r.equal
        counts["equal" if r.equal else "mismatch"] += 1
        counts["cached examples"] += r.cached
        row += f"{r.cached:7d} {r.uncached:8d} {r.stats:7d} "
        row += f"{'yes' if r.equal else 'NO':5s} "
        row += f"{time.perf_counter() - t0:5.1f}s {r.note}"
        print(row.rstrip(), flush=True)
  if not counts["equal"] + counts["mismatch"]:
    failed = True
    print(f"nothing of {', '.join(names)} is cached under {cache_dir}")
  summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
  elapsed = time.perf_counter() - start
  print(f"{'MISMATCH' if failed else 'OK'}: {summary} ({elapsed:.0f} s)")
  return int(failed)
