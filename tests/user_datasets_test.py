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

"""The user's own datasets (`data_settings.user_datasets`) as seqio tasks."""

import json
import os
import shutil
import subprocess
import sys

import gin
import pytest
import seqio

from instructuie_jax import catalog
from tasks import mixtures, settings, sources, user_datasets
from tests import ie_seqio_testing
from tests.conftest import REPO_ROOT

FIXTURE_NER = ie_seqio_testing.TINY_DATA_DIR / "NER" / "tiny_ner"
FIXTURE_RE = ie_seqio_testing.TINY_DATA_DIR / "RE" / "tiny_re"


def _user_root(tmp_path, datasets):
  """`{tmp}/user/{family}/{name}` copies of fixtures; `datasets` is
  `{(family, name): (fixture folder, metadata or None)}`."""
  root = tmp_path / "user"
  for (family, name), (fixture, metadata) in datasets.items():
    folder = root / family / name
    shutil.copytree(fixture, folder)
    if metadata is not None:
      (folder / catalog.METADATA_FILE).write_text(json.dumps(metadata))
  return root


@pytest.fixture
def clean_env():
  with ie_seqio_testing.env(**{k: None for k in ie_seqio_testing.ENV_VARS}):
    yield


def test_folder_specs_role_from_metadata(tmp_path):
  root = _user_root(
    tmp_path,
    {
      ("NER", "My NER"): (FIXTURE_NER, None),
      ("RE", "held"): (FIXTURE_RE, {"role": "zeroshot", "domain": "law"}),
    },
  )
  ner, re_ = user_datasets.folder_specs(str(root))
  assert (ner.slug, ner.role, ner.benchmark, ner.root) == (
    "my_ner",
    "supervised",
    catalog.USER,
    str(root),
  )
  assert ner.auxiliary_tasks and ner.main_tasks == ("NER",)
  assert (re_.role, re_.domain, re_.zeroshot_eval) == ("zeroshot", "law", True)


@pytest.mark.parametrize(
  "metadata, message",
  [
    ({"role": "heldout"}, "unknown role 'heldout'"),
    ({"roles": "zeroshot"}, "unknown dataset.json field(s) ['roles']"),
    ([], "expected a JSON object"),
  ],
)
def test_bad_metadata_names_the_folder(tmp_path, metadata, message):
  root = _user_root(tmp_path, {("NER", "x"): (FIXTURE_NER, metadata)})
  with pytest.raises(ValueError, match="NER/x") as e:
    user_datasets.folder_specs(str(root))
  assert message in str(e.value)


def test_missing_or_empty_folder(tmp_path):
  with pytest.raises(ValueError, match="no such folder"):
    user_datasets.folder_specs(str(tmp_path / "nope"))
  with pytest.raises(ValueError, match="no {NER,RE,EE}/<dataset> folder"):
    user_datasets.folder_specs(str(tmp_path))


def test_a_catalog_task_name_is_refused(tmp_path):
  root = _user_root(tmp_path, {("NER", "mit-movie"): (FIXTURE_NER, None)})
  with pytest.raises(ValueError, match="instructuie_ner_mit_movie"):
    user_datasets.specs((str(root),))


def test_setting_registers_tasks_and_mixtures(tmp_path, clean_env):
  root = _user_root(
    tmp_path,
    {
      ("NER", "reg_ner"): (FIXTURE_NER, None),
      ("RE", "reg_re"): (FIXTURE_RE, {"role": "zeroshot"}),
    },
  )
  assert mixtures.name_problem("instructuie_ner_reg_ner")
  with settings.scoped(user_datasets=[str(root)], vocab="byte"):
    assert mixtures.name_problem("instructuie_ner_reg_ner") is None
    supervised = seqio.get_mixture_or_task("user_supervised")
    names = sorted(t.name for t in supervised.tasks)
    assert names == sorted(
      catalog.task_name(t, user_datasets.specs((str(root),))[0])
      for t in ("NER", "ES", "ET")
    )
    zeroshot = seqio.get_mixture_or_task("user_zeroshot_eval")
    assert [t.name for t in zeroshot.tasks] == ["instructuie_re_reg_re"]
    task = seqio.get_mixture_or_task("instructuie_ner_reg_ner")
    examples = list(task.source.get_dataset("test", shuffle=False))
    test_file = json.loads((FIXTURE_NER / "test.json").read_text())
    assert len(examples) == len(test_file)
    available = seqio.get_mixture_or_task("user_supervised_available")
    assert available.left_out == {}


def test_environment_variable_and_replaced_folder(tmp_path, clean_env):
  first = _user_root(tmp_path / "a", {("NER", "my_ner"): (FIXTURE_NER, None)})
  second = _user_root(tmp_path / "b", {("NER", "my_ner"): (FIXTURE_NER, None)})
  with ie_seqio_testing.env(IE_USER_DATASETS=f"{first},"):
    assert settings.resolve().user_datasets == (str(first),)
    task = seqio.get_mixture_or_task("instructuie_ner_my_ner")
    assert sources.dataset_root(task.source.spec) == str(first)
  with settings.scoped(user_datasets=[str(second)]):
    assert mixtures.name_problem("user_supervised") is None
    task = seqio.get_mixture_or_task("instructuie_ner_my_ner")
    assert sources.dataset_root(task.source.spec) == str(second)
    mixture = seqio.get_mixture_or_task("user_supervised")
    assert task in mixture.tasks


def test_gin_binding_registers_at_finalize(tmp_path, clean_env):
  root = _user_root(tmp_path, {("NER", "gin_ner"): (FIXTURE_NER, None)})
  gin.clear_config()
  try:
    gin.parse_config_files_and_bindings(
      [],
      [
        "from tasks import settings",
        f"settings.data_settings.user_datasets = [{str(root)!r}]",
      ],
      finalize_config=True,
    )
    assert "instructuie_ner_gin_ner" in seqio.TaskRegistry.names()
    assert settings.resolve().user_datasets == (str(root),)
  finally:
    gin.clear_config(clear_constants=True)


def test_missing_split_file_fails_at_use_naming_it(tmp_path, clean_env):
  root = _user_root(tmp_path, {("NER", "gone"): (FIXTURE_NER, None)})
  (root / "NER" / "gone" / "dev.json").unlink()
  with settings.scoped(user_datasets=[str(root)]):
    assert mixtures.name_problem("instructuie_ner_gone") is None
    task = seqio.get_mixture_or_task("instructuie_ner_gone")
    with pytest.raises(FileNotFoundError, match="dev.json.*IE_USER_DATASETS"):
      task.source.get_dataset("validation")


def test_user_datasets_not_in_fingerprint(tmp_path, clean_env):
  root = _user_root(tmp_path, {("NER", "fp"): (FIXTURE_NER, None)})
  plain = settings.resolve(vocab="byte")
  with_user = settings.resolve(vocab="byte", user_datasets=[str(root)])
  assert plain.fingerprint() == with_user.fingerprint()


def test_mix_at_chosen_rates(tmp_path, clean_env):
  root = _user_root(
    tmp_path,
    {
      ("NER", "mix_a"): (FIXTURE_NER, None),
      ("NER", "mix_b"): (FIXTURE_NER, {"role": "zeroshot"}),
    },
  )
  with settings.scoped(user_datasets=[str(root)]):
    rates = {"user_supervised": 1, "user_zeroshot_eval": 3}
    assert mixtures.mix(name="t_mix", rates=rates) == "t_mix"
    assert mixtures.mix(name="t_mix", rates=rates) == "t_mix"  # idempotent
    mixture = seqio.get_mixture_or_task("t_mix")
    share = sum(
      mixture.get_rate(t) for t in mixture.tasks if t.name.endswith("_mix_b")
    )
    assert share / mixture.total_rate == pytest.approx(0.75)
    with pytest.raises(ValueError, match="unknown mixture or task 'nope'"):
      mixtures.mix(name="t_mix2", rates={"nope": 1})
    with pytest.raises(ValueError, match="registered mixture already"):
      mixtures.mix(name="ie_tiny_train", rates=rates)


@pytest.mark.slow
def test_all_tasks_module_registers_from_the_environment(tmp_path):
  root = _user_root(tmp_path, {("NER", "env_ner"): (FIXTURE_NER, None)})
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), IE_USER_DATASETS=str(root))
  code = (
    "import seqio, tasks.all_tasks; "
    "print(sorted(t.name for t in "
    "seqio.get_mixture_or_task('user_supervised').tasks))"
  )
  proc = subprocess.run(
    [sys.executable, "-c", code],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert "instructuie_ner_env_ner" in proc.stdout


@pytest.mark.slow
def test_inspect_mixture_sees_a_user_task(tmp_path):
  root = _user_root(tmp_path, {("NER", "cli_ner"): (FIXTURE_NER, None)})
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), IE_USER_DATASETS=str(root))
  args = ["--split=test", "--vocab=byte", "--num_examples=1"]
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.inspect_mixture",
      "--mixture=instructuie_ner_cli_ner",
      *args,
    ],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert "instructuie_ner_cli_ner" in proc.stdout
  env.pop("IE_USER_DATASETS")
  proc = subprocess.run(
    [sys.executable, "-m", "tools.inspect_mixture", "--mixture=user_supervised"]
    + args,
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 2
  assert (
    "IE_USER_DATASETS" in proc.stderr and "tools.convert_data" in proc.stderr
  )


@pytest.mark.slow
def test_build_tfds_builds_and_the_tasks_read_user_datasets(tmp_path):
  root = _user_root(
    tmp_path,
    {
      ("NER", "tf_ds"): (FIXTURE_NER, None),
      ("RE", "tf_ds"): (FIXTURE_RE, None),
    },
  )
  tfds_dir = tmp_path / "tfds"
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), IE_USER_DATASETS=str(root))
  run = [sys.executable, "-m", "tools.build_tfds", f"--data_dir={tfds_dir}"]
  proc = subprocess.run(
    [*run, "--datasets=tf_ds"],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 2, proc.stderr
  assert "user_ner_tf_ds, user_re_tf_ds" in proc.stderr
  proc = subprocess.run(
    [*run, "--datasets=user"],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "user_ner_tf_ds: built" in proc.stdout
  assert "user_re_tf_ds: built" in proc.stdout
  code = (
    "import seqio; from tasks import mixtures, settings; "
    f"settings.configure(source='tfds', tfds_dir={str(tfds_dir)!r}); "
    "task = seqio.get_mixture_or_task('instructuie_re_tf_ds'); "
    "print(task.num_input_examples('test'))"
  )
  proc = subprocess.run(
    [sys.executable, "-c", code],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 0, proc.stderr[-3000:]
  test_file = json.loads((FIXTURE_RE / "test.json").read_text())
  assert proc.stdout.split()[-1] == str(len(test_file))


@pytest.mark.slow
def test_check_cache_checks_a_user_task(tmp_path, clean_env):
  root = _user_root(tmp_path, {("NER", "cached_ner"): (FIXTURE_NER, None)})
  cache_dir = tmp_path / "cache"
  name = "instructuie_ner_cached_ner"
  with settings.scoped(user_datasets=[str(root)], vocab="byte"):
    ie_seqio_testing.write_seqio_cache(name, "test", str(cache_dir))
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), IE_USER_DATASETS=str(root))
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.check_cache",
      f"--cache_dir={cache_dir}",
      f"--names={name}",
      "--splits=test",
      "--vocab=byte",
    ],
    env=env,
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=False,
  )
  assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
  assert name in proc.stdout
