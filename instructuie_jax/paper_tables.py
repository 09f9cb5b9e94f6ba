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

"""Results in the InstructUIE paper's table layout, beside its numbers.

The paper (Wang et al. 2023, arXiv:2304.08085v1) reports five tables:
supervised NER (Table 1), RE (Table 2), EE trigger and argument F1
(Table 3a/3b), zero-shot NER (Table 4) and zero-shot RE (Table 5). Its
numbers are kept, with their source, in
`data/published/instructuie_2023.json` (`published()` reads it).

`build_tables(runs)` takes one or more `metrics.json` objects (what
`tools/score.py` writes: `datasets -> dataset -> task type -> metric ->
{"f1"|"accuracy", ...}` on a 0..1 scale) and returns `Table`s whose cells
are F1 x 100: per run a strict column and an original-mode column, then the
paper's. A metric the run does not have is `None` (shown "–"); a metric
entry without a number (tools.score's `nothing_to_score`) is `NOT_SCORED`.

Which metric fills a column (first one present wins):

| table               | strict                         | original        |
|---------------------|--------------------------------|-----------------|
| supervised NER      | NER `ner`                      | `original_ner`  |
| supervised RE       | RE `re_strict`                 | `original_re`   |
| EE trigger          | EET `eet`, else EE `ee_trigger`| `original_eet`* |
| EE argument         | EEA `eea`, else EE `ee_argument` | `original_eea` |
| zero-shot NER       | NER `ner`                      | `original_ner`  |
| zero-shot RE        | RE `re_strict`                 | `original_re`   |

(*) The original evaluator scores EET by per-example accuracy.
Zero-shot RE rows are the label splits `fewrel_k` / `wiki_k` and, for the
paper's FewRel and Wiki-ZSL rows, the mean over the splits a run has.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from instructuie_jax import catalog, json_input

PUBLISHED_FILE = os.path.join(
  os.path.dirname(__file__), "data", "published", "instructuie_2023.json"
)
NOT_SCORED = "n/a"  # as tools/score.py prints a metric with nothing to score

Cell = float | str | None


@dataclasses.dataclass(frozen=True)
class Layout:
  """One table of the paper.

  Attributes:
    key: Key of the table in the published-numbers file.
    title: Heading.
    datasets: Catalog dataset names, in row order.
    strict: (task type, metric) candidates for the strict column.
    original: (task type, metric) candidates for the original column.
    groups: Extra rows averaging several datasets (row name -> datasets).
  """

  key: str
  title: str
  datasets: tuple[str, ...]
  strict: tuple[tuple[str, str], ...]
  original: tuple[tuple[str, str], ...]
  groups: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _names(**kwargs) -> tuple[str, ...]:
  specs = catalog.select(benchmark="ie_instructions", **kwargs)
  return tuple(s.name for s in specs)


_NER = ((("NER", "ner"),), (("NER", "original_ner"),))
_RE = ((("RE", "re_strict"),), (("RE", "original_re"),))
_FEWREL = tuple(f"fewrel_{k}" for k in range(5))
_WIKI = tuple(f"wiki_{k}" for k in range(5))

LAYOUTS: tuple[Layout, ...] = (
  Layout(
    "supervised_ner",
    "Supervised NER (paper Table 1, entity F1)",
    _names(role="supervised", family="NER"),
    *_NER,
  ),
  Layout(
    "supervised_re",
    "Supervised RE (paper Table 2, relation strict F1)",
    _names(role="supervised", family="RE"),
    *_RE,
  ),
  Layout(
    "supervised_ee_trigger",
    "Supervised EE, event trigger F1 (paper Table 3a)",
    _names(role="supervised", family="EE"),
    (("EET", "eet"), ("EE", "ee_trigger")),
    (("EET", "original_eet"),),
  ),
  Layout(
    "supervised_ee_argument",
    "Supervised EE, event argument F1 (paper Table 3b)",
    _names(role="supervised", family="EE"),
    (("EEA", "eea"), ("EE", "ee_argument")),
    (("EEA", "original_eea"),),
  ),
  Layout(
    "zeroshot_ner",
    "Zero-shot NER (paper Table 4, entity micro F1)",
    _names(zeroshot_eval=True, family="NER"),
    *_NER,
  ),
  Layout(
    "zeroshot_re",
    "Zero-shot RE (paper Table 5, relation micro F1)",
    _FEWREL + _WIKI,
    *_RE,
    groups=(("FewRel", _FEWREL), ("Wiki-ZSL", _WIKI)),
  ),
)


def published(path: str = PUBLISHED_FILE) -> dict[str, Any]:
  """The published-numbers file (see the module docstring)."""
  return json_input.read_json(path)


def canonical_dataset(name: str) -> str:
  """The catalog's directory name for `name` (a name or slug), else `name`."""
  try:
    return catalog.get(name).name
  except ValueError:
    return name


def metric_value(entry: Any) -> Cell:
  """F1 (or accuracy) x 100 of one metric entry; `NOT_SCORED` without one."""
  if not isinstance(entry, Mapping):
    return NOT_SCORED
  for key in ("f1", "accuracy"):
    value = entry.get(key)
    if isinstance(value, int | float) and math.isfinite(value):
      return 100.0 * float(value)
  return NOT_SCORED


def _datasets(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
  """`report["datasets"]` keyed by catalog names."""
  datasets = report.get("datasets")
  if not isinstance(datasets, Mapping):
    return {}
  return {
    canonical_dataset(name): tasks
    for name, tasks in datasets.items()
    if isinstance(tasks, Mapping)
  }


def lookup(
  tasks: Mapping[str, Any] | None, candidates: Sequence[tuple[str, str]]
) -> tuple[Cell, str | None]:
  """(value, "TASK metric") of the first candidate present in `tasks`."""
  if not tasks:
    return None, None
  for task, metric in candidates:
    by_metric = tasks.get(task)
    if isinstance(by_metric, Mapping) and metric in by_metric:
      return metric_value(by_metric[metric]), f"{task} {metric}"
    if isinstance(by_metric, Mapping) and not any(
      isinstance(v, Mapping) for v in by_metric.values()
    ):
      # A task entry with no metric at all: nothing to score.
      return NOT_SCORED, f"{task} {metric}"
  return None, None


def _number(value: Any) -> float | None:
  return float(value) if isinstance(value, int | float) else None


def mean(values: Sequence[Cell]) -> float | None:
  """Mean of the numbers among `values`; None when there are none."""
  numbers = [v for v in values if isinstance(v, float)]
  return sum(numbers) / len(numbers) if numbers else None


@dataclasses.dataclass
class Table:
  """A rendered table: `rows` are `[label, cell, ...]` under `header`.

  Attributes:
    key: Layout key ("supervised_ner", ...).
    title: Heading.
    header: Column names (first: "dataset").
    rows: Row label then one cell per remaining column.
    notes: Lines printed under the table.
    paper_column: Index (in a row) of the paper's column.
  """

  key: str
  title: str
  header: list[str]
  rows: list[list[Any]]
  notes: list[str]
  paper_column: int


def _fmt(cell: Cell) -> str:
  if cell is None:
    return "–"
  if isinstance(cell, str):
    return cell
  return f"{cell:.2f}"


def _dataset_cells(
  layout: Layout, run_data: Sequence[tuple[str, Mapping[str, Any]]]
) -> tuple[dict[str, list[Cell]], dict[str, set[str]]]:
  """Each dataset's cells (strict, original per run) and the metrics each
  column read."""
  used: dict[str, set[str]] = {}
  cells: dict[str, list[Cell]] = {}
  for dataset in layout.datasets:
    row: list[Cell] = []
    for name, datasets in run_data:
      for column, candidates in (
        ("strict", layout.strict),
        ("original", layout.original),
      ):
        value, metric = lookup(datasets.get(dataset), candidates)
        row.append(value)
        if metric:
          used.setdefault(f"{name} {column}", set()).add(metric)
    cells[dataset] = row
  return cells, used


def _group_row(
  group: str,
  members: Sequence[str],
  cells: Mapping[str, list[Cell]],
  columns: int,
  published: Cell,
) -> list[Any]:
  """The mean of a group's datasets, per column."""
  averaged = [mean([cells[m][i] for m in members]) for i in range(columns)]
  counts = [
    sum(isinstance(cells[m][i], float) for m in members) for i in range(columns)
  ]
  label = f"{group} (mean of {len(members)} splits)"
  if any(0 < c < len(members) for c in counts):
    label += f"; some runs have only {min(c for c in counts if c)}"
  return [label, *averaged, published]


def _average_row(basis: Sequence[list[Any]], columns: int) -> list[Any]:
  """The macro average of `basis`; the paper column over the rows the
  first run scored (when the paper has them all)."""
  averages = [mean([r[1 + i] for r in basis]) for i in range(columns)]
  paper_values = [r[-1] for r in basis if isinstance(r[1], float)]
  paper_same = (
    mean(paper_values)
    if paper_values and all(isinstance(v, float) for v in paper_values)
    else None
  )
  return ["average (rows scored here)", *averages, paper_same]


def _notes(
  layout: Layout, paper: Mapping[str, Any], used: Mapping[str, set[str]]
) -> list[str]:
  """What the cells are, the metrics each column read, the paper's table
  and its names."""
  notes = [
    "Cells: F1 x 100 (" + NOT_SCORED + ": nothing to score; –: not in "
    "this run). The average is the macro average over the rows that have a "
    "number; the paper column there averages the paper's numbers over the "
    "rows the first run scored.",
  ]
  if layout.groups:
    notes[0] += " Here the average is over the FewRel and Wiki-ZSL rows."
  for column, metrics in used.items():
    notes.append(f"{column}: {', '.join(sorted(metrics))}")
  if paper.get("paper_table"):
    notes.append(f"paper: {paper['paper_table']}")
  names = paper.get("paper_names") or {}
  if names:
    notes.append(
      "paper names: "
      + "; ".join(f"{ours} = {theirs}" for ours, theirs in names.items())
    )
  return notes


def build_table(
  layout: Layout,
  runs: Sequence[tuple[str, Mapping[str, Any]]],
  paper: Mapping[str, Any],
) -> Table | None:
  """One table for `runs` ((name, metrics.json object) pairs).

  Rows: the layout's datasets that some run scored or the paper reports,
  then the layout's groups, then the averages. Returns None when no run has
  any of the layout's datasets.
  """
  published_rows = paper.get("rows", {})
  run_data = [(name, _datasets(report)) for name, report in runs]
  cells, used = _dataset_cells(layout, run_data)
  if not any(v is not None for row in cells.values() for v in row):
    return None
  columns = 2 * len(runs)
  header = ["dataset"]
  for name, _ in run_data:
    header += [f"{name} strict", f"{name} original"]
  header.append("paper")
  rows: list[list[Any]] = []
  for dataset in layout.datasets:
    row = cells[dataset]
    paper_value = _number(published_rows.get(dataset))
    if all(v is None for v in row) and paper_value is None:
      continue
    rows.append([dataset, *row, paper_value])
  for group, members in layout.groups:
    published = _number(published_rows.get(group))
    rows.append(_group_row(group, members, cells, columns, published))
  # The average row: over the dataset rows, or over the group rows where the
  # layout has groups (zero-shot RE: FewRel and Wiki-ZSL).
  basis = rows[-len(layout.groups) :] if layout.groups else rows
  rows.append(_average_row(basis, columns))
  reported = paper.get("reported_average")
  if reported is not None:
    rows.append(
      [
        f"paper's reported average ({paper.get('reported_average_over')} "
        "datasets)",
        *([None] * columns),
        float(reported),
      ]
    )
  return Table(
    key=layout.key,
    title=layout.title,
    header=header,
    rows=rows,
    notes=_notes(layout, paper, used),
    paper_column=len(header) - 1,
  )


def build_tables(
  runs: Sequence[tuple[str, Mapping[str, Any]]],
  published_numbers: Mapping[str, Any] | None = None,
) -> list[Table]:
  """Every paper table that some run has data for (see `build_table`)."""
  numbers = published_numbers or published()
  tables = []
  for layout in LAYOUTS:
    paper = numbers.get("tables", {}).get(layout.key, {})
    table = build_table(layout, runs, paper)
    if table is not None:
      tables.append(table)
  return tables


def other_rows(
  runs: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[tuple[str, str, str]]:
  """(run, dataset, task) scored by a run but in no paper table."""
  covered = {
    (dataset, task)
    for layout in LAYOUTS
    for dataset in layout.datasets
    for task, _ in layout.strict + layout.original
  }
  left = []
  for name, report in runs:
    for dataset, tasks in _datasets(report).items():
      for task in tasks:
        if (dataset, task) not in covered:
          left.append((name, dataset, task))
  return left


def markdown_cell(value: Any) -> str:
  """`value` as the text of one Markdown table cell: `|` escaped, line
  breaks as spaces (either would end the cell or the row)."""
  text = str(value).replace("|", "\\|")
  return " ".join(text.splitlines())


def markdown_row(cells: Sequence[Any]) -> str:
  """One Markdown table row of `cells` (each through `markdown_cell`)."""
  return "| " + " | ".join(markdown_cell(c) for c in cells) + " |"


def markdown(table: Table) -> str:
  """`table` as a Markdown table with its notes."""
  lines = [f"### {table.title}", ""]
  lines.append(markdown_row(table.header))
  lines.append("|---|" + "---:|" * (len(table.header) - 1))
  for row in table.rows:
    lines.append(markdown_row([row[0], *(_fmt(c) for c in row[1:])]))
  lines.append("")
  lines += [f"- {note}" for note in table.notes]
  return "\n".join(lines) + "\n"


def as_json(table: Table) -> dict[str, Any]:
  """`table` as plain JSON (cells are numbers, "n/a" or null)."""
  return dataclasses.asdict(table)


def format_cell(cell: Cell) -> str:
  """How a cell is printed ("12.34", "–", "n/a")."""
  return _fmt(cell)
