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

"""README "Your own dataset": its commands and gin lines, run as written.

The chain convert_data -> validate_data -> inspect_mixture -> t5x.train on
user_supervised (tiny model) -> tools.evaluate -> tools.report runs on a
small BIO file, with the README's paths moved into a temporary folder and
fewer training steps.
"""

import json
import os
import random
import re
import subprocess

import gin
import pytest
import seqio

from tasks import settings
from tests import ie_seqio_testing
from tests.conftest import REPO_ROOT

SECTION = "## Your own dataset"
PATHS = ("/tmp/my_ie_model", "/tmp/my_ie_eval", "/tmp/my_ie_report")


def _blocks(language: str) -> list[str]:
  readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
  start = readme.index(SECTION)
  section = readme[start : readme.index("\n## ", start + len(SECTION))]
  return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def write_bio(path, sentences: int = 60, seed: int = 0) -> None:
  """A small BIO file: `token<TAB>tag`, a blank line between sentences."""
  rng = random.Random(seed)
  people = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Bob", "Carol Shaw"]
  places = ["Paris", "London", "New York", "Oslo", "Lima"]
  lines = []
  for _ in range(sentences):
    person, place = rng.choice(people), rng.choice(places)
    words = [(person, "person"), ("visited", None), (place, "location")]
    if rng.random() < 0.3:
      words += [("with", None), (rng.choice(people), "person")]
    for text, label in [*words, (".", None)]:
      for i, token in enumerate(text.split()):
        tag = "O" if label is None else ("B-" if i == 0 else "I-") + label
        lines.append(f"{token}\t{tag}")
    lines.append("")
  path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_readme_chain_from_a_bio_file(tmp_path):
  (script,) = [b for b in _blocks("sh") if "my_ner.bio" in b]
  bio = tmp_path / "my_ner.bio"
  write_bio(bio)
  for path in PATHS:  # The longer paths first: they start with /tmp/my_ie.
    script = script.replace(path, str(tmp_path / os.path.basename(path)))
  script = script.replace("/tmp/my_ie", str(tmp_path / "my_ie"))
  script = script.replace("--input=my_ner.bio", f"--input={bio}")
  assert "--gin.TRAIN_STEPS=1000" in script
  script = script.replace(
    "--gin.TRAIN_STEPS=1000",
    "--gin.TRAIN_STEPS=4 --gin.EVAL_PERIOD=4 --gin.BATCH_SIZE=8 "
    "--gin.EVAL_BATCH_SIZE=8",
  )
  env = {
    k: v for k, v in os.environ.items() if k not in ie_seqio_testing.ENV_VARS
  }
  env.update(
    PYTHONPATH=str(REPO_ROOT), JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3"
  )
  proc = subprocess.run(
    ["bash", "-euo", "pipefail", "-c", script],
    cwd=REPO_ROOT,
    env=env,
    capture_output=True,
    text=True,
    timeout=1800,
    check=False,
  )
  assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
  out = proc.stdout
  assert "1 datasets," in out and " 0 errors," in out  # validate_data
  assert "instructuie_ner_my_ner" in out  # inspect_mixture's table
  eval_dir = tmp_path / "my_ie_eval"
  metrics = json.loads((eval_dir / "metrics.json").read_text())
  test_file = json.loads((tmp_path / "my_ie/NER/my_ner/test.json").read_text())
  assert metrics["num_examples"] == len(test_file) > 0
  assert list(metrics["datasets"]) == ["my_ner"]
  assert (eval_dir / "report" / "report.md").is_file()
  assert (tmp_path / "my_ie_report" / "report.md").is_file()
  assert "decoded" in proc.stderr  # tools.evaluate's progress


def test_readme_gin_lines_mix_at_chosen_rates(tmp_path):
  (lines,) = _blocks("gin")
  root = tmp_path / "my_ie"
  folder = root / "NER" / "my_ner"
  folder.mkdir(parents=True)
  for name in ("train", "dev", "test", "labels"):
    source = ie_seqio_testing.TINY_DATA_DIR / "NER" / "tiny_ner"
    (folder / f"{name}.json").write_text((source / f"{name}.json").read_text())
  lines = lines.replace("/tmp/my_ie", str(root))
  gin.clear_config()
  try:
    with ie_seqio_testing.env(**{k: None for k in ie_seqio_testing.ENV_VARS}):
      gin.parse_config(lines)
      gin.finalize()
      name = gin.query_parameter(
        "%MIXTURE_OR_TASK_NAME"
      ).scoped_configurable_fn()
      assert name == "my_mix"
      assert settings.resolve().user_datasets == (str(root),)
      tasks = {t.name for t in seqio.get_mixture_or_task(name).tasks}
      assert "instructuie_ner_my_ner" in tasks
      assert "instructuie_ner_conll_2003" in tasks
  finally:
    gin.clear_config(clear_constants=True)
