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

"""What a seqio mixture or task feeds the model (`tools.inspect_mixture`).

`rendered_examples` gives the first examples of a split as text,
`task_rows` the counts, mixing rate and token-length statistics of each task
and `format_rows` prints them as a table.
"""

from __future__ import annotations

import sys


def rendered_examples(name: str, split: str, n: int, seed: int) -> list[dict]:
  """The first `n` examples of a mixture/task split, as text."""
  import seqio

  provider = seqio.get_mixture_or_task(name)
  kwargs = dict(sequence_length=None, split=split, shuffle=split == "train")
  if isinstance(provider, seqio.Mixture):
    kwargs.update(
      seed=seed,
      copy_pretokenized=True,
      passthrough_features=["task", "dataset", "id"],
      trim_output_features=False,
    )
  else:
    kwargs.update(seed=seed, trim_output_features=False)
  out = []
  for ex in provider.get_dataset(**kwargs).take(n).as_numpy_iterator():
    out.append(
      {
        k: ex[k].decode()
        for k in ("id", "inputs_pretokenized", "targets_pretokenized")
      }
      | {
        "inputs_tokens": len(ex["inputs"]),
        "targets_tokens": len(ex["targets"]),
      }
    )
  return out


def task_rows(
  name: str,
  split: str,
  lengths: dict[str, int],
  max_examples: int | None = None,
) -> list[dict]:
  """One row of counts, rate and length statistics per task of `name`."""
  import seqio

  from tasks import lengths as lengths_lib

  provider = seqio.get_mixture_or_task(name)
  is_mixture = isinstance(provider, seqio.Mixture)
  tasks = provider.tasks if is_mixture else [provider]
  import tqdm  # noqa: PLC0415

  rows = []
  # Counting reads every example of the split: progress on stderr.
  for task in tqdm.tqdm(
    tasks, desc=f"counting {split}", unit="task", file=sys.stderr, leave=False
  ):
    if split not in task.splits:
      continue
    stats = lengths_lib.task_length_stats(
      task, split, lengths, max_examples=max_examples
    )
    rows.append(
      {
        "task": task.name,
        "input_examples": task.num_input_examples(split),
        "rate": provider.get_rate(task) if is_mixture else None,
        "examples": stats["inputs"].count,
        "stats": stats,
      }
    )
  return rows


def format_rows(rows: list[dict]) -> str:
  """A plain-text table of `task_rows`."""
  header = (
    f"{'task':42s} {'in':>6s} {'rate':>8s} {'out':>6s}  "
    f"{'inputs p50/p90/p99/max':>23s} {'>len':>5s} {'unk':>5s}  "
    f"{'targets p50/p90/p99/max':>23s} {'>len':>5s} {'unk':>5s}"
  )
  lines = [header]
  total_rate = sum(r["rate"] or 0 for r in rows) or 1.0
  for r in rows:
    rate = "" if r["rate"] is None else f"{r['rate'] / total_rate:8.4f}"
    cells = []
    for k in ("inputs", "targets"):
      s = r["stats"][k]
      p = "/".join(str(s.percentiles[q]) for q in (50, 90, 99, 100))
      cells.append(f"{p:>23s} {s.over:5d} {s.unknown:5d}")
    lines.append(
      f"{r['task']:42s} {r['input_examples']:6d} {rate:>8s} "
      f"{r['examples']:6d}  {cells[0]}  {cells[1]}"
    )
  total = {
    (k, field): sum(getattr(r["stats"][k], field) for r in rows)
    for k in ("inputs", "targets")
    for field in ("over", "unknown")
  }
  n = sum(r["examples"] for r in rows)
  lines.append(
    f"total examples {n}; longer than the feature lengths: inputs "
    f"{total['inputs', 'over']}, targets {total['targets', 'over']}; with a "
    f"piece the vocabulary does not know (unk): inputs "
    f"{total['inputs', 'unknown']}, targets {total['targets', 'unknown']} "
    "(rate column: share of the mixture)"
  )
  return "\n".join(lines)
