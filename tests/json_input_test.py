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

"""Tests of instructuie_jax/json_input.py: the one reader of user JSON."""

import json
import random
import sys

import pytest

from instructuie_jax import json_input, schema


def _error(text, line=None):
  with pytest.raises(json_input.InputError) as raised:
    json_input.loads(text, "f.json", line=line)
  return str(raised.value)


def test_bom_is_dropped_and_utf8_kept():
  assert json_input.decode(b"\xef\xbb\xbf[1]", "f") == "[1]"
  assert json_input.decode("[\u00e9]".encode(), "f") == "[\u00e9]"


def test_not_utf8_names_line_and_column():
  with pytest.raises(json_input.InputError) as raised:
    json_input.decode(b'["a",\n "caf\xe9"]', "f.json")
  assert str(raised.value) == "f.json:2: not UTF-8 (byte 0xe9 at column 6)"


def test_deep_nesting_is_refused_before_parsing():
  depth = json_input.MAX_DEPTH + 1
  assert json_input.loads("[" * (depth - 1) + "]" * (depth - 1), "f") == (
    json.loads("[" * (depth - 1) + "]" * (depth - 1))
  )
  message = _error("[1,\n" + "[" * 100_000 + "]" * 100_000 + "]")
  assert message == (
    f"f.json:2: JSON nested deeper than {json_input.MAX_DEPTH} levels"
  )
  # Brackets inside strings do not count.
  assert json_input.loads(json.dumps(["[" * 500]), "f") == ["[" * 500]


def test_huge_integer_names_its_line():
  digits = sys.get_int_max_str_digits() + 1
  assert _error("[1,\n" + "7" * digits + "]") == (
    f"f.json:2: an integer of more than {digits - 1} digits"
  )
  assert _error("7" * digits, line=9).startswith("f.json:9: an integer")
  long_text = json.dumps({"a": "7" * digits})  # Digits in a string are text.
  assert json_input.loads(long_text, "f") == {"a": "7" * digits}


def test_lone_surrogate_is_refused_with_its_field():
  assert _error('[{"s": "a"},\n{"s": "x \\ud800 y"}]') == (
    "f.json:2: [1].s: a lone surrogate escape (\\ud800-\\udfff) is not text"
  )
  assert _error('{"t": ["\\udc00"]}', line=4).startswith("f.json:4: t[0]:")
  assert json_input.loads('"\\ud83d\\ude00"', "f") == "\U0001f600"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constants_are_not_json(constant):
  assert "is not JSON" in _error(f"[{constant}]")


def test_invalid_json_names_line_and_column():
  assert _error('{\n"a" 1}') == (
    "f.json:2: invalid JSON: Expecting ':' delimiter (column 5)"
  )


def test_json_lines_split_at_newline_only():
  text = '{"a": "x\u2028y"}\r\n\n  \n{"b": 2}\n'
  assert list(json_input.json_lines(text, "f")) == [
    (1, {"a": "x\u2028y"}),
    (4, {"b": 2}),
  ]
  with pytest.raises(json_input.InputError, match=r"^f:2: invalid JSON"):
    list(json_input.json_lines('{"a": 1}\n{oops', "f"))


def test_read_json_strips_bom(tmp_path):
  path = tmp_path / "labels.json"
  path.write_bytes(b'\xef\xbb\xbf["person"]')
  assert json_input.read_json(path) == ["person"]


def test_dataset_loader_reports_each_limit_as_one_problem(tmp_path):
  path = tmp_path / "train.json"
  for text, message in [
    ('[{"sentence": "\\ud800", "entities": []}]', "[0].sentence: a lone"),
    ("[" * 1000 + "]" * 1000, "JSON nested deeper than"),
    ("[" + "1" * 5000 + "]", "an integer of more than"),
  ]:
    path.write_text(text)
    instances, problems = schema.load_split(
      path, family="NER", dataset="d", split="train", strict=False
    )
    assert instances == [] and len(problems) == 1, problems
    assert problems[0].kind == "json" and message in problems[0].message


def test_instruction_file_with_bom_and_a_lone_surrogate(tmp_path):
  from instructuie_jax import instructions

  shipped = instructions.__file__.replace(
    "instructions.py", "data/instructions"
  )
  text = open(f"{shipped}/instructuie.json", encoding="utf-8").read()
  path = tmp_path / "instructions.json"
  path.write_bytes(b"\xef\xbb\xbf" + text.encode())
  loaded = instructions.load_instruction_config(path)
  shipped_pool = instructions.default_pool("instructuie")
  assert loaded.zero_shot == shipped_pool.zero_shot
  path.write_text(
    '{"NER": [{"instruction_type": "x", "instruction": "\\udfff"}]}'
  )
  with pytest.raises(ValueError, match=r"instructions.json:1: NER\[0\]"):
    instructions.load_instruction_config(path)


def _depth(value):
  if isinstance(value, (list, dict)):
    kids = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(k) for k in kids), default=0)
  return 0


def test_depth_check_agrees_with_the_parsed_value():
  rng = random.Random(0)
  odd = ["[", "]]", '{"', "a\\", '\\"[', "\u00e9", 1, None]

  def value(depth):
    r = rng.random()
    if depth and r < 0.5:
      return [value(depth - 1) for _ in range(rng.randint(0, 3))]
    if depth and r < 0.8:
      return {rng.choice(odd[:5]): value(depth - 1) for _ in range(3)}
    return rng.choice(odd)

  for _ in range(500):
    v = value(rng.randint(0, 10))
    text = json.dumps(v, ensure_ascii=rng.random() < 0.5)
    for limit in (0, 1, 3, 6):
      assert json_input._nests_deeper(text, limit) == (_depth(v) > limit), text
