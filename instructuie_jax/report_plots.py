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

"""Plots of the results report (`reporting`) and the event files they read.

T5X writes TensorBoard event files under its model directory:

* `train/`: the training summaries (tag `loss`, `accuracy`, ...; TF2
  tensor summaries written by CLU's metric writer);
* `inference_eval/{task}/`: the decoding evaluation (seqio's
  TensorBoardLogger), one tag `eval/{metric}` per metric of the task's
  metric functions, here `eval/{dataset}/{metric}_f1` on a 0-100 scale.

`read_events(directory)` returns every scalar series found below a
directory; `learning_curves` picks the training loss and the per-dataset F1.
Plots are PNG files drawn with matplotlib's Agg backend.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from etils import epath  # noqa: E402

_EVAL_F1 = re.compile(r"^eval/(?P<dataset>.+)/(?P<metric>[A-Za-z_]+)_f1$")
_DPI = 100


@dataclasses.dataclass
class Curves:
  """Learning curves of one run.

  Attributes:
    loss: (step, value) of the training loss, by step.
    f1: "dataset metric" -> (step, value), F1 on a 0-100 scale.
    files: Event files read.
  """

  loss: list[tuple[int, float]]
  f1: dict[str, list[tuple[int, float]]]
  files: int


_MAX_DEPTH = 3  # model_dir/inference_eval/{task}/events...


def event_files(directory: str) -> list[str]:
  """Event files below `directory` (a local or gs:// path), sorted.

  Looks `_MAX_DEPTH` folders deep and skips T5X's `checkpoint_*` folders, so
  a model directory on GCS costs a few listings, not one per checkpoint file.
  """
  found: list[str] = []

  def visit(folder: epath.Path, depth: int) -> None:
    for child in folder.iterdir():
      if child.name.startswith("events.out.tfevents"):
        found.append(str(child))
      elif (
        depth < _MAX_DEPTH
        and not child.name.startswith("checkpoint_")
        and child.is_dir()
      ):
        visit(child, depth + 1)

  visit(epath.Path(directory), 0)
  return sorted(found)


def _scalar(value) -> float | None:
  """The number in one summary value (simple value or scalar tensor)."""
  from tensorboard.util import tensor_util

  if value.HasField("simple_value"):
    return float(value.simple_value)
  if value.HasField("tensor"):
    array = tensor_util.make_ndarray(value.tensor)
    if array.size == 1 and np.issubdtype(array.dtype, np.number):
      return float(array.reshape(()))
  return None


def read_events(directory: str) -> dict[str, dict[str, dict[int, float]]]:
  """Scalar series below `directory`.

  Returns:
    `{folder below directory ("train", ...): {tag: {step: value}}}`; a later
    event for the same step replaces an earlier one (restarts).
  """
  from tensorboard.backend.event_processing import event_file_loader

  series: dict[str, dict[str, dict[int, float]]] = {}
  for path in event_files(directory):
    where = path[len(str(epath.Path(directory))) :].rsplit("/", 1)[0]
    where = where.strip("/")
    tags = series.setdefault(where, {})
    for event in event_file_loader.EventFileLoader(path).Load():
      if not event.HasField("summary"):
        continue
      for value in event.summary.value:
        number = _scalar(value)
        if number is not None and math.isfinite(number):
          tags.setdefault(value.tag, {})[int(event.step)] = number
  return series


def learning_curves(directory: str) -> Curves:
  """Training loss (`train/` tag `loss`) and eval F1 series of one run."""
  series = read_events(directory)
  loss: dict[int, float] = {}
  f1: dict[str, dict[int, float]] = {}
  for where, tags in series.items():
    if "loss" in tags and where.rsplit("/", 1)[-1] == "train":
      loss.update(tags["loss"])
    for tag, points in tags.items():
      match = _EVAL_F1.match(tag)
      if match:
        key = f"{match['dataset']} {match['metric']}"
        f1.setdefault(key, {}).update(points)
  return Curves(
    loss=sorted(loss.items()),
    f1={k: sorted(v.items()) for k, v in sorted(f1.items())},
    files=len(event_files(directory)),
  )


def _save(fig, path: str) -> None:
  """Saves `fig` as PNG atomically (temp file in the same folder), with the
  permissions a new file gets (as the report's other files)."""
  folder = os.path.dirname(path) or "."
  fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=folder)
  try:
    umask = os.umask(0o022)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes it private
    os.close(fd)
    fig.savefig(tmp, format="png", dpi=_DPI, bbox_inches="tight")
    os.replace(tmp, path)
  finally:
    plt.close(fig)
    if os.path.exists(tmp):
      os.remove(tmp)


def _is_value(v) -> bool:
  return isinstance(v, (int, float)) and not isinstance(v, bool)


NOT_SCORED = "n/a"


def f1_bars(
  title: str,
  labels: Sequence[str],
  series: Mapping[str, Sequence[float | None]],
  path: str,
) -> None:
  """Grouped bars: one group per label, one bar per series.

  Every series has its legend swatch, whichever of its values are missing.
  A value that is not a number (None: not scored) gets no bar but an "n/a"
  mark at its place; a true 0 gets a "0" mark on the axis, so the two are
  told apart.

  Args:
    title: Plot title.
    labels: Row labels (datasets).
    series: Series name -> one value per label (F1 x 100).
    path: PNG file to write.
  """
  from matplotlib.patches import Patch  # noqa: PLC0415

  n = max(len(series), 1)
  width = 0.8 / n
  x = np.arange(len(labels))
  fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(labels) * n + 2), 4.5))
  handles = []
  for i, (name, values) in enumerate(series.items()):
    color = f"C{i % 10}"
    where = x + (i - (n - 1) / 2) * width
    scored = [j for j, v in enumerate(values) if _is_value(v)]
    ax.bar(
      [where[j] for j in scored],
      [float(values[j]) for j in scored],
      width,
      color=color,
    )
    for j, v in enumerate(values):
      if _is_value(v) and v == 0:  # a true 0: a line on the axis, "0"
        ax.plot(
          [where[j] - width / 2, where[j] + width / 2],
          [0, 0],
          color=color,
          lw=3,
        )
      if not _is_value(v) or v == 0:
        ax.text(
          where[j],
          2,
          "0" if _is_value(v) else NOT_SCORED,
          ha="center",
          va="bottom",
          rotation=90,
          fontsize=8,
          color=color if _is_value(v) else "0.35",
        )
    handles.append(Patch(facecolor=color, label=name))
  ax.set_xticks(x)
  ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
  ax.set_ylabel("F1 x 100")
  ax.set_ylim(0, 100)
  ax.set_title(f"{title} ({NOT_SCORED}: not scored)")
  ax.grid(axis="y", alpha=0.3)
  ax.legend(handles=handles, fontsize=8)
  _save(fig, path)


def loss_plot(runs: Mapping[str, Curves], path: str) -> bool:
  """Training loss of each run, overlaid; False (no file) without data."""
  if not any(c.loss for c in runs.values()):
    return False
  fig, ax = plt.subplots(figsize=(7, 4.5))
  for name, curves in runs.items():
    if curves.loss:
      steps, values = zip(*curves.loss, strict=True)
      ax.plot(steps, values, marker=".", label=name)
  ax.set_xlabel("step")
  ax.set_ylabel("training loss")
  ax.set_title("Training loss")
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  _save(fig, path)
  return True


def f1_curves_plot(runs: Mapping[str, Curves], path: str) -> bool:
  """Per-dataset F1 per step: colour per dataset, line style per run."""
  keys = sorted({k for c in runs.values() for k in c.f1})
  if not keys:
    return False
  colours = plt.get_cmap("tab20")
  styles = ["-", "--", ":", "-."]
  fig, ax = plt.subplots(figsize=(8, 4.5))
  for r, (name, curves) in enumerate(runs.items()):
    for k, key in enumerate(keys):
      points = curves.f1.get(key)
      if not points:
        continue
      steps, values = zip(*points, strict=True)
      ax.plot(
        steps,
        values,
        marker=".",
        linestyle=styles[r % len(styles)],
        color=colours(k % 20),
        label=f"{key} ({name})" if len(runs) > 1 else key,
      )
  ax.set_xlabel("step")
  ax.set_ylabel("F1 x 100")
  ax.set_ylim(0, 100)
  ax.set_title("Evaluation F1 per dataset")
  ax.grid(alpha=0.3)
  ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
  _save(fig, path)
  return True
