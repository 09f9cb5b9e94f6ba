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

"""The same input edges over every tool that reads a user's text or JSON.

Each tool gets JSON nested 100,000 deep, an integer of 5,000 digits, a lone
surrogate escape, bytes that are not UTF-8 and an input in a folder that does
not exist, where it reads such input: one `error:` line naming the file and
line, a non-zero exit status, no traceback, and no output left behind. A
leading byte order mark is read as nothing. (Numeric flags are checked by
`cli.define_integer`/`cli.define_float`, tested in tests/cli_test.py.)
"""

import json
import shutil

import pytest

from tests import cli_testing

DEEP = "[" * 100_000 + "]" * 100_000
HUGE = "1" * 5000
ROW = {"dataset": "d", "task": "NER", "target": " None", "prediction": " None"}


def _row(**changes):
  return json.dumps({**ROW, **changes}) + "\n"


# Per edge: the text of a bad second JSON line (or a whole JSON value), and
# what the error line says.
LINE_EDGES = {
  "deep": (DEEP, ":2: JSON nested deeper than"),
  "huge_integer": (
    _row(prediction=None)[:-2] + f', "n": {HUGE}}}',
    ":2: an integer",
  ),
  "lone_surrogate": (_row().replace('"d"', '"\\ud800"'), ":2: dataset: a lone"),
}


def _jsonl(path, bad):
  path.write_text(_row() + bad.rstrip("\n") + "\n", encoding="utf-8")
  return path


@pytest.mark.parametrize("edge", sorted(LINE_EDGES))
def test_score_and_report_refuse_with_one_line(tmp_path, edge):
  bad, message = LINE_EDGES[edge]
  predictions = _jsonl(tmp_path / "p.jsonl", bad)
  out = tmp_path / "new" / "scores"
  result = cli_testing.run_tool(
    "tools.score", f"--predictions={predictions}", f"--out_dir={out}"
  )
  assert result.code == 1
  line = result.error_line()
  assert line.startswith(str(predictions)) and message in line, line
  assert not (tmp_path / "new").exists()  # Nothing left behind.
  result = cli_testing.run_tool(
    "tools.report", f"--predictions={predictions}", f"--out_dir={out}"
  )
  assert result.code == 1 and message in result.error_line()
  assert not (tmp_path / "new").exists()


def test_score_report_and_extract_read_past_a_byte_order_mark(tmp_path):
  predictions = tmp_path / "p.jsonl"
  predictions.write_bytes("\ufeff".encode() + _row().encode())
  result = cli_testing.run_tool(
    "tools.score", f"--predictions={predictions}", f"--out_dir={tmp_path / 's'}"
  )
  assert result.code == 0, result.err
  metrics = tmp_path / "s" / "metrics.json"
  metrics.write_bytes("\ufeff".encode() + metrics.read_bytes())
  result = cli_testing.run_tool(
    "tools.report", f"--metrics={metrics}", f"--out_dir={tmp_path / 'r'}"
  )
  assert result.code == 0, result.err


@pytest.mark.parametrize(
  "text, message",
  [
    (DEEP, ":1: JSON nested deeper than"),
    (f'{{"text": "a", "n": {HUGE}}}', ":1: an integer"),
    ('{"text": "Ada \\ud800 met Bob"}', ":1: text: a lone surrogate"),
    ('{"text": "a\u2028b"}\n{"text": "c"', ":2: invalid JSON"),
  ],
)
def test_extract_input_is_checked_before_the_model_loads(
  tmp_path, text, message
):
  given = tmp_path / "in.jsonl"
  given.write_text(text, encoding="utf-8")
  result = cli_testing.run_tool(
    "tools.extract",
    f"--checkpoint={tmp_path / 'no_model'}",
    f"--input={given}",
    "--labels=person",
  )
  assert result.code == 1
  line = result.error_line()
  assert line.startswith(str(given)) and message in line, line


@pytest.mark.parametrize("value", [DEEP, f"[{HUGE}]", '["\\ud800"]'])
def test_extract_json_flag_values(tmp_path, value):
  result = cli_testing.run_tool(
    "tools.extract",
    f"--checkpoint={tmp_path / 'no_model'}",
    f"--input={tmp_path / 'in.jsonl'}",
    f"--labels={value}",
  )
  assert result.code == 2 and result.error_line().startswith("--labels: ")


def test_extract_reads_stdin_through_the_same_reader(tmp_path):
  result = cli_testing.run_tool(
    "tools.extract",
    f"--checkpoint={tmp_path / 'no_model'}",
    "--input=-",
    "--labels=person",
    stdin=b'{"text": "ok"}\n{"text": "caf\xe9"}\n',
  )
  assert result.code == 1
  assert result.error_line() == "<stdin>:2: not UTF-8 (byte 0xe9 at column 14)"


@pytest.fixture
def data_copy(tmp_path, tiny_data_dir):
  root = tmp_path / "data"
  shutil.copytree(tiny_data_dir, root)
  return root


@pytest.mark.parametrize(
  "text, message",
  [
    (DEEP, "line 1: JSON nested deeper than"),
    ("[" + HUGE + "]", "line 1: an integer of more than"),
    (
      '[{"sentence": "Ada \\udfff", "entities": []}]',
      "line 1: [0].sentence: a lone surrogate",
    ),
  ],
)
def test_dataset_readers_list_one_problem(data_copy, tmp_path, text, message):
  dev = data_copy / "NER" / "tiny_ner" / "dev.json"
  dev.write_text(text, encoding="utf-8")
  result = cli_testing.run_tool(
    "tools.validate_data", f"--data_dir={data_copy}"
  )
  assert result.code == 1
  assert "Traceback" not in result.err
  assert f"{dev}: json: {message}" in result.out
  model = tmp_path / "v.model"
  result = cli_testing.run_tool(
    "tools.train_vocab",
    f"--data_dir={data_copy}",
    f"--output={model}",
    "--splits=train,dev",
  )
  assert result.code == 1 and "1 problem" in result.error_line()
  assert f"{dev}: json: {message}" in result.err
  assert not model.exists()


def test_dataset_readers_read_past_a_byte_order_mark(data_copy):
  for path in (data_copy / "NER" / "tiny_ner").glob("*.json"):
    path.write_bytes("\ufeff".encode() + path.read_bytes())
  result = cli_testing.run_tool(
    "tools.validate_data", f"--data_dir={data_copy}"
  )
  assert result.code == 0, result.out + result.err


@pytest.mark.parametrize(
  "text, message",
  [
    (DEEP, ":1: JSON nested deeper than"),
    ('{"A": ' + HUGE + "}", ":1: an integer"),
    ('{"A": "\\ud800"}', ":1: A: a lone surrogate"),
  ],
)
def test_convert_data_json_flags_files(tmp_path, text, message):
  label_map = tmp_path / "map.json"
  label_map.write_text(text)
  lines = tmp_path / "in.jsonl"
  lines.write_text('{"tokens": ["Bo"], "ner": [[0, 0, "A"]]}\n')
  result = cli_testing.run_tool(
    "tools.convert_data",
    "--format=jsonl",
    f"--input=train={lines}",
    f"--label_map={label_map}",
    f"--output_dir={tmp_path / 'out'}",
    "--dataset=d",
  )
  assert result.code == 1
  line = result.error_line()
  assert line.startswith(str(label_map)) and message in line, line
  assert not (tmp_path / "out").exists()


def test_convert_data_jsonl_lines_beyond_the_limits_are_noted(tmp_path):
  lines = tmp_path / "in.jsonl"
  lines.write_text(
    "\n".join(
      [
        '{"tokens": ["Bo"], "ner": [[0, 0, "A"]]}',
        DEEP,
        f'{{"tokens": ["Al"], "n": {HUGE}}}',
        '{"tokens": ["\\ud800"]}',
      ]
    )
  )
  result = cli_testing.run_tool(
    "tools.convert_data",
    "--format=jsonl",
    f"--input=train={lines}",
    f"--output_dir={tmp_path / 'out'}",
    "--dataset=d",
  )
  assert result.code == 0, result.err
  for number in (2, 3, 4):
    assert f"{lines}:{number}: " in result.out
  assert ": train 1, dev 0, test 0 instances" in result.out


@pytest.mark.parametrize(
  "tool, args",
  [
    ("tools.score", ["--predictions={missing}", "--out_dir={tmp}/o"]),
    ("tools.report", ["--predictions={missing}", "--out_dir={tmp}/o"]),
    ("tools.validate_data", ["--data_dir={missing}"]),
    ("tools.extract", ["--checkpoint={tmp}/m", "--input={missing}"]),
    (
      "tools.convert_data",
      [
        "--format=jsonl",
        "--input=train={missing}",
        "--output_dir={tmp}/o",
        "--dataset=d",
      ],
    ),
  ],
)
def test_an_input_in_a_missing_folder_is_one_line(tmp_path, tool, args):
  missing = tmp_path / "no" / "such" / "p.jsonl"
  given = [a.format(missing=missing, tmp=tmp_path) for a in args]
  result = cli_testing.run_tool(tool, *given)
  assert result.code == 1, result.err
  assert str(missing) in result.error_line() + result.out
  assert not (tmp_path / "o").exists()


def test_plan_run_gin_file_not_utf8(tmp_path):
  model = tmp_path / "m.gin"
  model.write_bytes(b"NUM_LAYERS = 2\n# caf\xe9\n")
  result = cli_testing.run_tool(
    "tools.plan_run", f"--model={model}", "--topology=v4-8"
  )
  assert result.code != 0
  assert result.error_line() == f"{model}:2: not UTF-8 (byte 0xe9 at column 6)"
