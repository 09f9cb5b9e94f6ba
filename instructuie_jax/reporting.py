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

"""The results report: paper-layout tables, error audit, plots.

What `tools/report.py` calls: `run` reads every input first (the
`metrics.json` files of `scoring`, predictions as `scoring` reads them,
TensorBoard event folders), then writes `report.md`, `report.html`,
`tables.json`, `audit.json` (with predictions) and `plots/*.png` into the
output folder as a set: all are written into a staging folder beside it and
moved in only when every one is complete. `.report.json` there lists them; a
file of those names that it does not list (not the tool's) stops the run,
files the previous report wrote and this one does not are removed, and
other files are left alone. Table cells are escaped
(`paper_tables.markdown_cell`). A bad input raises `InputError` (a
`cli.UserError`) naming the file and what is wrong, before anything is
written.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from etils import epath

from instructuie_jax import (
  catalog,
  cli,
  error_audit,
  json_input,
  paper_tables,
  schema,
  scoring,
)


class InputError(cli.UserError):
  """A bad input; the message names the file and what is wrong (exit 1)."""


def split_name(value: str) -> tuple[str | None, str]:
  """`"name=path"` -> ("name", "path"); a plain path -> (None, path)."""
  name, sep, path = value.partition("=")
  if sep and name and "/" not in name and not epath.Path(value).exists():
    return name, path
  return None, value


def _default_name(path: str) -> str:
  """The folder's name, or the file's ("run/metrics.json": "run")."""
  path = path.rstrip("/")
  if path.endswith("/metrics.json") or path == "metrics.json":
    path = path[: -len("metrics.json")].rstrip("/") or "."
  if "://" in path:
    return path.rsplit("/", 1)[-1]
  return os.path.basename(os.path.abspath(path)) or path


def _unique(names: list[str]) -> list[str]:
  seen: dict[str, int] = {}
  out = []
  for name in names:
    seen[name] = seen.get(name, 0) + 1
    out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
  return out


def load_metrics(value: str) -> tuple[str, dict[str, Any]]:
  """(run name, metrics.json object) of one `--metrics` value."""
  name, path = split_name(value)
  file = epath.Path(path)
  if file.is_dir():
    file = file / "metrics.json"
  if not file.is_file():
    raise InputError(f"{file}: no such file (--metrics)")
  try:
    report = json_input.loads(
      json_input.decode(file.read_bytes(), str(file)), str(file)
    )
  except OSError as e:
    raise InputError(f"{file}: cannot read: {e}") from None
  except json_input.InputError as e:
    raise InputError(str(e)) from None
  if not isinstance(report, dict) or not isinstance(
    report.get("datasets"), dict
  ):
    raise InputError(
      f"{file}: field 'datasets': missing or not an object (expected the "
      "metrics.json of tools.score)"
    )
  return name or _default_name(path), report


@dataclasses.dataclass
class AuditInput:
  """Examples of one predictions input, grouped by (dataset, task)."""

  name: str
  path: str
  groups: dict[tuple[str, str], list[dict[str, Any]]]


def _raw_lines(path: str) -> dict[int, Any]:
  """Line number -> JSON value of a file `scoring.read_predictions` read."""
  text = json_input.decode(epath.Path(path).read_bytes(), path)
  return dict(json_input.json_lines(text, path))


def _extras(obj: Any, task: str) -> dict[str, Any]:
  """Options and sentence of one raw prediction line, where it has them."""
  if not isinstance(obj, dict):
    return {}
  features = obj.get("inputs", obj.get("input"))
  features = features if isinstance(features, dict) else {}
  out: dict[str, Any] = {}
  for source in (obj, features):
    for key in ("options", "labels"):
      value = source.get(key)
      if isinstance(value, list) and all(isinstance(v, str) for v in value):
        out.setdefault("options", tuple(value))
    if isinstance(source.get("sentence"), str):
      out.setdefault("sentence", source["sentence"])
  prompt = features.get("inputs_pretokenized")
  if prompt is None and isinstance(obj.get("inputs"), str):
    prompt = obj["inputs"]
  if isinstance(prompt, str):
    options, sentence = error_audit.prompt_parts(task, prompt)
    if options:
      out.setdefault("options", options)
    if sentence:
      out.setdefault("sentence", sentence)
  return out


def load_predictions(value: str) -> AuditInput:
  """Reads one `--predictions` value with `scoring`'s reader."""
  name, path = split_name(value)
  try:
    examples = scoring.read_predictions(path)
  except scoring.InputError as e:
    raise InputError(str(e)) from None
  except OSError as e:
    raise InputError(f"{path}: {e}") from None
  if not examples:
    raise InputError(f"{path}: no predictions")
  raw: dict[str, dict[int, Any]] = {}
  groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
  for example in examples:
    file, _, line = example.source.rpartition(":")
    extras = {}
    if file and line.isdigit():
      if file not in raw:
        raw[file] = _raw_lines(file)
      extras = _extras(raw[file].get(int(line)), example.task)
    dataset = paper_tables.canonical_dataset(example.dataset)
    group = groups.setdefault((dataset, example.task), [])
    if group and group[0]["target_format"] != example.target_format:
      raise InputError(
        f"{example.source}: field 'target_format': "
        f"{example.target_format!r}, but {group[0]['source']} of the same "
        f"dataset and task type is in {group[0]['target_format']!r}"
      )
    group.append(
      {
        "target": example.target,
        "prediction": example.prediction,
        "source": example.source,
        "target_format": example.target_format,
        **extras,
      }
    )
  return AuditInput(name or _default_name(path), path, groups)


def dataset_options(
  data_dir: str | None, dataset: str, task: str
) -> tuple[str, ...] | None:
  """The labels of `dataset` offered to `task`, from `data_dir`; or None."""
  if not data_dir:
    return None
  try:
    spec = catalog.get(dataset)
  except ValueError:
    return None
  path = os.path.join(catalog.dataset_dir(spec, data_dir), "labels.json")
  if not os.path.isfile(path):
    return None
  try:
    labels = schema.load_labels(path, spec.family)
  except schema.DataError:
    return None
  return error_audit.dataset_options(task, labels)


def check_event_dir(value: str) -> tuple[str, str]:
  """(run name, folder) of one `--event_dirs` value; it must hold events."""
  from instructuie_jax import report_plots

  name, path = split_name(value)
  if not epath.Path(path).is_dir():
    raise InputError(f"{path}: no such folder (--event_dirs)")
  if not report_plots.event_files(path):
    raise InputError(
      f"{path}: no TensorBoard event files (events.out.tfevents*) below it"
    )
  return name or _default_name(path), path


# --------------------------------------------------------------- writing


def _write_text(path: str, text: str) -> None:
  with open(path, "w", encoding="utf-8") as f:
    f.write(text)


def _audit_markdown(name: str, audits: dict[str, Any]) -> list[str]:
  lines = [f"### Error audit: {name}", ""]
  lines.append(
    "| dataset | task | examples | unparseable | empty | duplicates | "
    "label not in options | span not in text | correct | type | boundary | "
    "boundary+type | spurious | missed |"
  )
  lines.append("|---|---|" + "---:|" * 12)
  for key, audit in audits.items():
    c = audit["categories"]
    label = (
      f"{audit['label_not_in_options']}/{audit['label_checked']}"
      if audit["label_checked"]
      else "not checked"
    )
    span = (
      f"{audit['span_not_in_text']}/{audit['span_checked']}"
      if audit["span_checked"]
      else "not checked"
    )
    dataset, _, task = key.rpartition("|")
    lines.append(
      paper_tables.markdown_row(
        [
          dataset,
          task,
          audit["examples"],
          audit["unparseable"],
          audit["empty_predictions"],
          audit["duplicates"],
          label,
          span,
          c["correct"],
          c["type_error"],
          c["boundary_error"],
          c["boundary_and_type_error"],
          c["spurious"],
          c["missed"],
        ]
      )
    )
  lines += [
    "",
    "Counts are of predicted/gold items (label + spans; see "
    "`instructuie_jax/error_audit.py`); `a/b`: a of the b items checked.",
  ]
  for key, audit in audits.items():
    lines += ["", f"#### Label confusion: {key.replace('|', ' ')}", ""]
    lines += _confusion_markdown(audit)
    samples = dict(audit["samples"])
    if audit["unparseable_samples"]:
      samples["unparseable"] = audit["unparseable_samples"]
    if samples:
      lines.append("")
      lines.append("<details><summary>samples</summary>")
      lines.append("")
      for category, texts in samples.items():
        for text in texts:
          lines.append(f"- {category}: `{text}`")
      lines.append("")
      lines.append("</details>")
  return lines


def _confusion_rows(audit: dict[str, Any]) -> tuple[list[str], list[list]]:
  confusion = audit["confusion"]
  rows, cols = error_audit.confusion_labels(confusion)
  table = [[confusion.get(g, {}).get(p, 0) for p in cols] for g in rows]
  return cols, [[g, *cells] for g, cells in zip(rows, table, strict=True)]


def _confusion_markdown(audit: dict[str, Any]) -> list[str]:
  cols, rows = _confusion_rows(audit)
  if not rows:
    return ["(no items)"]
  lines = [paper_tables.markdown_row(["gold \\ predicted", *cols])]
  lines.append("|---|" + "---:|" * len(cols))
  lines += [paper_tables.markdown_row(row) for row in rows]
  return lines


def render_markdown(
  tables: list[paper_tables.Table],
  others: list[tuple[str, str, str]],
  audits: dict[str, dict[str, Any]],
  plots: list[tuple[str, str]],
  inputs: list[str],
  paper: dict[str, Any],
) -> str:
  """The report as Markdown."""
  lines = ["# InstructUIE results report", ""]
  lines += ["Inputs:", ""] + [f"- {i}" for i in inputs] + [""]
  lines += [
    "Published numbers: " + paper.get("citation", ""),
    f"Source: {paper.get('source', '')}",
    "",
    "## Tables",
    "",
  ]
  for table in tables:
    lines.append(paper_tables.markdown(table))
  if not tables:
    lines += ["(no metrics of a paper-table dataset given)", ""]
  if others:
    lines.append(
      "Scored but in no paper table: "
      + ", ".join(f"{d} {t} ({r})" for r, d, t in others)
    )
    lines.append("")
  if plots:
    lines += ["## Plots", ""]
    for title, rel in plots:
      lines += [f"### {title}", "", f"![{title}]({rel})", ""]
  if audits:
    lines += ["## Error audit", ""]
    for name, audit in audits.items():
      lines += _audit_markdown(name, audit) + [""]
  return "\n".join(lines).rstrip() + "\n"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
  out = ["<table>", "<tr>"]
  out += [f"<th>{html.escape(str(h))}</th>" for h in header]
  out.append("</tr>")
  for row in rows:
    out.append("<tr>")
    out.append(f"<td>{html.escape(str(row[0]))}</td>")
    for cell in row[1:]:
      text = cell if isinstance(cell, str) else paper_tables.format_cell(cell)
      out.append(f'<td class="n">{html.escape(text)}</td>')
    out.append("</tr>")
  out.append("</table>")
  return "\n".join(out)


def render_html(
  tables: list[paper_tables.Table],
  audits: dict[str, dict[str, Any]],
  plots: list[tuple[str, str]],
  inputs: list[str],
  paper: dict[str, Any],
) -> str:
  """The report as one HTML page (plots linked, not embedded)."""
  e = html.escape
  parts = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>InstructUIE results</title>',
    "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right}"
    "</style></head><body>",
    "<h1>InstructUIE results report</h1>",
    "<ul>" + "".join(f"<li>{e(i)}</li>" for i in inputs) + "</ul>",
    f"<p>Published numbers: {e(paper.get('citation', ''))}<br>"
    f"Source: {e(paper.get('source', ''))}</p>",
    "<h2>Tables</h2>",
  ]
  for table in tables:
    parts.append(f"<h3>{e(table.title)}</h3>")
    parts.append(_html_table(table.header, table.rows))
    parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in table.notes))
    parts.append("</ul>")
  if plots:
    parts.append("<h2>Plots</h2>")
    for title, rel in plots:
      parts.append(
        f'<h3>{e(title)}</h3><a href="{e(rel)}"><img src="{e(rel)}" '
        f'alt="{e(title)}" style="max-width:100%"></a>'
      )
  for name, by_key in audits.items():
    parts.append(f"<h2>Error audit: {e(name)}</h2>")
    header = ["dataset / task", "examples", "unparseable", "empty"]
    header += ["duplicates", "label not in options", "span not in text"]
    header += list(error_audit.CATEGORIES)
    rows = []
    for key, audit in by_key.items():
      rows.append(
        [
          key.replace("|", " "),
          str(audit["examples"]),
          str(audit["unparseable"]),
          str(audit["empty_predictions"]),
          str(audit["duplicates"]),
          f"{audit['label_not_in_options']}/{audit['label_checked']}",
          f"{audit['span_not_in_text']}/{audit['span_checked']}",
          *(str(audit["categories"][c]) for c in error_audit.CATEGORIES),
        ]
      )
    parts.append(_html_table(header, rows))
    for key, audit in by_key.items():
      cols, conf_rows = _confusion_rows(audit)
      parts.append(f"<h3>Label confusion: {e(key.replace('|', ' '))}</h3>")
      parts.append(
        _html_table(
          ["gold \\ predicted", *cols],
          [[r[0], *(str(c) for c in r[1:])] for r in conf_rows],
        )
      )
  parts.append("</body></html>")
  return "\n".join(parts) + "\n"


def _bar_plots(
  tables: list[paper_tables.Table], plot_dir: str
) -> list[tuple[str, str]]:
  from instructuie_jax import report_plots

  plots = []
  for table in tables:
    rows = [
      r
      for r in table.rows
      if not str(r[0]).startswith(("average", "paper's"))
      and any(isinstance(c, float) for c in r[1:])
    ]
    if not rows:
      continue
    series: dict[str, list] = {}
    for i, column in enumerate(table.header[1:-1], start=1):
      if column.endswith(" strict"):
        series[column] = [r[i] for r in rows]
    series["paper"] = [r[table.paper_column] for r in rows]
    file = f"f1_{table.key}.png"
    report_plots.f1_bars(
      f"{table.title}: strict F1 vs. paper",
      [str(r[0]) for r in rows],
      series,
      os.path.join(plot_dir, file),
    )
    plots.append((f"{table.title}: F1 vs. paper", f"plots/{file}"))
  return plots


def _write(
  stage: str,
  tables: list[paper_tables.Table],
  others: list[tuple[str, str, str]],
  audits: dict[str, dict[str, Any]],
  curve_dirs: list[tuple[str, str]],
  names: list[str],
  metrics: Sequence[str],
  audit_inputs: list[AuditInput],
  paper: dict[str, Any],
) -> dict[str, Any]:
  """Writes the report's files into folder `stage`; returns tables.json."""
  plot_dir = os.path.join(stage, "plots")
  os.makedirs(plot_dir, exist_ok=True)
  plots = _bar_plots(tables, plot_dir)
  if curve_dirs:
    from instructuie_jax import report_plots

    curves = {
      name: report_plots.learning_curves(path)
      for name, path in zip(
        _unique([n for n, _ in curve_dirs]),
        [p for _, p in curve_dirs],
        strict=True,
      )
    }
    if report_plots.loss_plot(curves, os.path.join(plot_dir, "train_loss.png")):
      plots.append(("Training loss", "plots/train_loss.png"))
    if report_plots.f1_curves_plot(
      curves, os.path.join(plot_dir, "eval_f1.png")
    ):
      plots.append(("Evaluation F1 per step", "plots/eval_f1.png"))
    empty = [n for n, c in curves.items() if not c.loss and not c.f1]
    if empty:
      print(
        f"warning: no loss or eval F1 series in event files of: "
        f"{', '.join(empty)}",
        file=sys.stderr,
      )

  inputs = [
    f"metrics: {n} = {split_name(m)[1]}"
    for n, m in zip(names, metrics, strict=True)
  ]
  inputs += [f"predictions: {a.name} = {a.path}" for a in audit_inputs]
  inputs += [f"events: {n} = {p}" for n, p in curve_dirs]
  result = {
    "runs": names,
    "tables": [paper_tables.as_json(t) for t in tables],
    "not_in_paper_tables": [list(o) for o in others],
    "plots": [rel for _, rel in plots],
  }
  _write_text(
    os.path.join(stage, "tables.json"),
    json.dumps(result, indent=2, ensure_ascii=False) + "\n",
  )
  if audits:
    _write_text(
      os.path.join(stage, "audit.json"),
      json.dumps(audits, indent=2, ensure_ascii=False) + "\n",
    )
  _write_text(
    os.path.join(stage, "report.md"),
    render_markdown(tables, others, audits, plots, inputs, paper),
  )
  _write_text(
    os.path.join(stage, "report.html"),
    render_html(tables, audits, plots, inputs, paper),
  )
  return result


def run(
  metrics: Sequence[str],
  out_dir: str,
  predictions: Sequence[str] = (),
  event_dirs: Sequence[str] = (),
  data_dir: str | None = None,
  published_file: str = paper_tables.PUBLISHED_FILE,
) -> dict[str, Any]:
  """Builds the report (see the module docstring); returns tables.json.

  Raises:
    InputError: A bad input (nothing has been written then).
  """
  if not metrics and not predictions and not event_dirs:
    raise InputError(
      "nothing to report: give --metrics, --predictions or --event_dirs"
    )
  loaded = [load_metrics(m) for m in metrics]
  names = _unique([name for name, _ in loaded])
  runs = [(n, r) for n, (_, r) in zip(names, loaded, strict=True)]
  audit_inputs = [load_predictions(p) for p in predictions]
  curve_dirs = [check_event_dir(d) for d in event_dirs]
  try:
    paper = paper_tables.published(published_file)
  except OSError as e:
    raise InputError(f"{published_file}: {e}") from None
  except json_input.InputError as e:
    raise InputError(str(e)) from None
  tables = paper_tables.build_tables(runs, paper)
  others = paper_tables.other_rows(runs)

  audits: dict[str, dict[str, Any]] = {}
  for audit_input in audit_inputs:
    by_key = {}
    for (dataset, task), examples in sorted(
      audit_input.groups.items(), key=lambda kv: (kv[0][0].lower(), kv[0])
    ):
      options = dataset_options(data_dir, dataset, task)
      fmt = examples[0].get("target_format", scoring.DEFAULT_FORMAT)
      audit = error_audit.audit_examples(task, examples, options, fmt)
      by_key[f"{dataset}|{task}"] = audit.as_dict()
    audits[audit_input.name] = by_key

  with cli.staged_folder(out_dir) as stage:
    result = _write(
      stage,
      tables,
      others,
      audits,
      curve_dirs,
      names,
      metrics,
      audit_inputs,
      paper,
    )
    made_before = _made_before(out_dir)
    written = _files_under(stage)
    _check_replaceable(out_dir, written, made_before)
    _write_text(
      os.path.join(stage, MANIFEST),
      json.dumps({"made_by": "tools.report", "files": written}, indent=1)
      + "\n",
    )
  for stale in sorted(set(made_before) - set(written)):
    path = os.path.join(out_dir, stale)
    if os.path.isfile(path) and not os.path.islink(path):
      os.unlink(path)
  return result


MANIFEST = ".report.json"  # The files tools.report wrote in --out_dir.


def _files_under(folder: str) -> list[str]:
  """The files below `folder`, as sorted relative paths."""
  return sorted(
    os.path.relpath(os.path.join(base, name), folder)
    for base, _, files in os.walk(folder)
    for name in files
  )


def _made_before(out_dir: str) -> list[str]:
  """The files the MANIFEST of `out_dir` lists ([] when there is none)."""
  path = os.path.join(out_dir, MANIFEST)
  if not os.path.isfile(path):
    return []
  try:
    files = json_input.read_json(path).get("files", [])
  except (OSError, ValueError, AttributeError):
    return []
  if not isinstance(files, list):
    return []
  return [
    f
    for f in files
    if isinstance(f, str)
    and not os.path.isabs(f)
    and ".." not in f.split(os.sep)
    and f != MANIFEST
  ]


def _check_replaceable(
  out_dir: str, names: Sequence[str], made_before: Sequence[str]
) -> None:
  """Raises InputError for a file of `names` in `out_dir` that the tool did
  not write there (not in its MANIFEST)."""
  made = set(made_before)
  for name in names:
    if name not in made and os.path.lexists(os.path.join(out_dir, name)):
      raise InputError(
        f"{os.path.join(out_dir, name)}: exists and was not written by "
        f"tools.report (not in {MANIFEST}); move it away or choose another "
        "--out_dir"
      )
