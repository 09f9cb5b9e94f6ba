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

"""The report's F1 bars: legend swatches, 0 apart from "not scored", file mode."""

from __future__ import annotations

import os
import stat

import pytest

from instructuie_jax import report_plots

LABELS = ["mit-movie", "conll2003", "bc5cdr"]
SERIES = {
  "run strict": [None, 0.0, 55.5],  # no value in the first group
  "other strict": [None, None, None],  # no value at all
  "paper": [63.0, 92.9, 89.0],
}


@pytest.fixture
def drawn(monkeypatch, tmp_path):
  """The figure `f1_bars` draws (kept open instead of saved)."""
  figures = []
  monkeypatch.setattr(
    report_plots, "_save", lambda fig, path: figures.append(fig)
  )
  report_plots.f1_bars("Table 1", LABELS, SERIES, str(tmp_path / "f1.png"))
  (fig,) = figures
  yield fig.axes[0]
  report_plots.plt.close(fig)


def test_every_series_has_a_visible_swatch(drawn):
  legend = drawn.get_legend()
  assert [t.get_text() for t in legend.get_texts()] == list(SERIES)
  for handle in legend.legend_handles:
    assert handle.get_visible()
    assert handle.get_facecolor()[3] > 0


def test_zero_is_told_apart_from_not_scored(drawn):
  marks = sorted(
    (round(t.get_position()[0], 3), t.get_text())
    for t in drawn.texts
    if t.get_text() in ("0", report_plots.NOT_SCORED)
  )
  width = 0.8 / len(SERIES)
  at = {  # bar centre -> (series, group)
    round(g + (i - 1) * width, 3): (name, g)
    for i, name in enumerate(SERIES)
    for g in range(len(LABELS))
  }
  shown = {at[x]: text for x, text in marks}
  expected = {}
  for name, values in SERIES.items():
    for g, v in enumerate(values):
      if v is None:
        expected[(name, g)] = report_plots.NOT_SCORED
      elif v == 0:
        expected[(name, g)] = "0"
  assert shown == expected
  heights = sorted(p.get_height() for p in drawn.patches)
  assert heights == sorted(
    v for vs in SERIES.values() for v in vs if v is not None
  )


def test_png_gets_the_mode_of_a_new_file(tmp_path):
  old = os.umask(0o022)
  try:
    path = tmp_path / "f1.png"
    report_plots.f1_bars("Table 1", LABELS, SERIES, str(path))
  finally:
    os.umask(old)
  assert stat.S_IMODE(path.stat().st_mode) == 0o644
  assert path.read_bytes().startswith(b"\x89PNG")
  assert not [p for p in os.listdir(tmp_path) if p != "f1.png"]
