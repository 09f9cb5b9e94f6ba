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


"""Tests for `tools/check_cache.py` on caches in seqio's offline format."""

import collections
import json
import os

import pytest
import seqio
from absl import flags

from instructuie_jax import cli as tools_cli
from instructuie_t5x.indexed_mixture import IndexedMixture
from tasks import cache, mixtures, settings
from tests import ie_seqio_testing as testing
from tests.indexed_mixture_test import as_lists
from tools import check_cache

NER = "instructuie_ner_tiny_ner"
RE = "instructuie_re_tiny_re"
EP = "instructuie_ep_tiny_re"
SPLITS = ("train", "validation", "test")
MIXTURE = "ie_fixture_check_cache"


def drop_last_input_token(ex):
  return {**ex, "inputs": ex["inputs"][:-1]}


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
  """`{"good": dir, "stale": dir}`: NER all splits, RE train (stale: NER)."""
  tmp = tmp_path_factory.mktemp("caches")
  with testing.fixture_tasks(tmp) as names:
    tasks = [n for task_names in names.values() for n in task_names]
    seqio.MixtureRegistry.add(
      MIXTURE, tasks, default_rate=mixtures.examples_rate
    )
    try:
      good, stale = str(tmp / "good"), str(tmp / "stale")
      for split in SPLITS:
        testing.write_seqio_cache(NER, split, good)
      testing.write_seqio_cache(RE, "train", good)
      testing.write_seqio_cache(
        NER, "train", stale, transform=drop_last_input_token
      )
      # EP of tiny_re samples no example: seqio writes an empty split.
      for name in (EP, RE):
        testing.write_seqio_cache(name, "train", str(tmp / "with_empty"))
      yield {
        "good": good,
        "stale": stale,
        "with_empty": str(tmp / "with_empty"),
      }
    finally:
      seqio.MixtureRegistry.remove(MIXTURE)


def row(out: str, task: str, split: str) -> list[str]:
  """The cells of the table row of `task` and `split` in `out`."""
  return next(
    r.split() for r in out.splitlines() if r.split()[:2] == [task, split]
  )


def keys(exs):
  return collections.Counter(
    check_cache.example_key(ex, sorted(ex)) for ex in exs
  )


def test_seqio_reads_the_cache_back(caches):
  task = seqio.get_mixture_or_task(NER)
  folder = os.path.join(caches["good"], NER)
  assert sorted(os.listdir(folder)) == sorted(
    ["COMPLETED", cache.SETTINGS_FILE]
    + [f"{kind}.{s}.json" for kind in ("info", "stats") for s in SPLITS]
    + [f"{s}.tfrecord-0000{i}-of-00002" for s in SPLITS for i in (0, 1)]
  )
  with open(os.path.join(folder, "info.train.json")) as f:
    info = json.load(f)
  assert info["num_shards"] == 2
  assert info["features"]["inputs"] == {"dtype": "int32", "shape": [None]}
  assert info["features"]["id"] == {"dtype": "string", "shape": []}
  before = list(seqio.get_global_cache_dirs())
  with cache.only_cache_dir(caches["good"], [task]):
    assert task.cache_dir == folder
    for split in SPLITS:
      cached = testing.examples(NER, split, use_cached=True)
      uncached = testing.examples(NER, split)
      assert task.get_cached_stats(split)["examples"] == len(cached) > 0
      assert keys(cached) == keys(uncached)
  assert seqio.get_global_cache_dirs() == before
  assert task.cache_dir is None


def test_a_cache_made_with_other_settings_is_refused(caches, tmp_path):
  task = seqio.get_mixture_or_task(NER)
  with cache.only_cache_dir(caches["good"], [task]):
    with settings.scoped(vocab="byte"):
      with pytest.raises(cache.CacheSettingsError, match="vocab: '/"):
        testing.examples(NER, "test", use_cached=True)
    with settings.scoped(seed=1):
      with pytest.raises(cache.CacheSettingsError, match="prompt.seed: 0 -> 1"):
        testing.examples(NER, "test", use_cached=True)
    assert testing.examples(NER, "test", use_cached=True)  # Same settings.
  # A cache without the record (not made by tools/cache_tasks.sh).
  folder = testing.write_seqio_cache(NER, "test", str(tmp_path))
  os.remove(os.path.join(folder, cache.SETTINGS_FILE))
  with cache.only_cache_dir(str(tmp_path), [task]):
    with pytest.raises(cache.CacheSettingsError, match="has no instructuie"):
      testing.examples(NER, "test", use_cached=True)


def test_cli_reports_equal_caches(caches, capsys):
  assert check_cache.run(caches["good"], [NER, RE]) == 0
  out = capsys.readouterr().out
  for task, split in [(NER, s) for s in SPLITS] + [(RE, "train")]:
    cells = row(out, task, split)
    assert cells[2] == cells[3] == cells[4] != "0" and cells[5] == "yes"
  assert out.splitlines()[-1].startswith("OK: 9 cached examples, 4 equal, 2")


def test_cli_catches_a_stale_cache(caches, capsys):
  assert check_cache.run(caches["stale"], [NER], splits=["train"]) == 1
  out = capsys.readouterr().out
  cells = row(out, NER, "train")
  assert cells[5] == "NO" and "feature 'inputs' differs" in out, out
  assert out.splitlines()[-1].startswith("MISMATCH")
  # A cache made with another vocabulary holds other token ids.
  with settings.scoped(vocab="byte"):
    assert check_cache.run(caches["good"], [NER], splits=["test"]) == 1
  assert "feature 'inputs' differs from token 0" in capsys.readouterr().out


def test_indexed_mixture_reads_the_cache(caches):
  task = seqio.get_mixture_or_task(NER)
  lengths = {"inputs": 40, "targets": 12}
  with cache.only_cache_dir(caches["good"], [task]):
    cached = IndexedMixture.load(NER, lengths, use_cached=True).tasks[0]
  uncached = IndexedMixture.load(NER, lengths, use_cached=False).tasks[0]

  def pairs(t):
    inputs, targets = as_lists(t.inputs), as_lists(t.targets)
    return sorted(zip(inputs, targets, strict=True))

  assert len(cached) == len(uncached) > 0
  assert pairs(cached) == pairs(uncached)
  assert (cached.cut_inputs, cached.cut_targets) == (
    uncached.cut_inputs,
    uncached.cut_targets,
  )


def test_splits_and_tasks_not_cached(caches, capsys):
  assert check_cache.run(caches["good"], [MIXTURE], splits=["train"]) == 0
  out = capsys.readouterr().out
  assert row(out, "instructuie_ee_tiny_ee", "train")[2:] == ["not", "cached"]
  assert row(out, NER, "train")[5] == row(out, RE, "train")[5] == "yes"
  assert check_cache.run(caches["good"], [RE], require_all=True) == 1
  out = capsys.readouterr().out
  assert row(out, RE, "validation")[2:] == ["not", "cached"]
  assert row(out, RE, "train")[5] == "yes"


def test_indexed_mixture_leaves_out_an_empty_cached_split(caches):
  name = "ie_fixture_check_cache_re_ep"
  seqio.MixtureRegistry.add(name, [(RE, 1.0), (EP, 1.0)])
  try:
    tasks = seqio.get_mixture_or_task(name).tasks
    with cache.only_cache_dir(caches["with_empty"], tasks):
      ep = seqio.get_mixture_or_task(EP)
      assert ep.get_cached_stats("train")["examples"] == 0
      m = IndexedMixture.load(
        name, {"inputs": 256, "targets": 64}, use_cached=True
      )
  finally:
    seqio.MixtureRegistry.remove(name)
  assert [t.name for t in m.tasks] == [RE]
  assert m.empty_tasks == (EP,)


@pytest.fixture
def cli(capsys):
  """Runs `check_cache.main` on flags as `cli.run` does (user mistakes one
  line and an exit status); returns (status, stdout, stderr)."""
  if "cache_dir" not in flags.FLAGS:  # Defined once per process.
    check_cache.define_flags()

  def run_main(*argv):
    flags.FLAGS.unparse_flags()
    flags.FLAGS(["check_cache", *argv])
    try:
      with settings.scoped():  # Whatever main configures ends here.
        status = tools_cli.guarded(check_cache.main)(["check_cache"])
    except SystemExit as e:  # A user's mistake: `error: ...` on stderr.
      status = e.code
    finally:
      flags.FLAGS.unparse_flags()
    out = capsys.readouterr()
    return status, out.out, out.err

  return run_main


def test_cli_bad_input_is_one_line(caches, cli, tmp_path):
  not_a_model = tmp_path / "hostname"
  not_a_model.write_text("my-hostname\n")
  for argv, status, message in [
    ([f"--cache_dir={tmp_path}/nowhere", f"--names={NER}"], 2, "no such dir"),
    ([f"--cache_dir={tmp_path}", "--names=nope"], 2, "unknown mixture"),
    (
      [f"--cache_dir={tmp_path}", f"--names={NER}", "--splits=dev"],
      2,
      "seqio calls the dev.json split 'validation'",
    ),
    (
      [f"--cache_dir={tmp_path}", f"--names={NER}", "--vocab=/no/v.model"],
      1,
      "--vocab=PATH.model",
    ),
    (
      [f"--cache_dir={tmp_path}", f"--names={NER}", f"--vocab={not_a_model}"],
      1,
      f"{not_a_model}: not a SentencePiece model",
    ),
  ]:
    got, out, err = cli(*argv)
    assert got == status, (argv, out, err)
    assert len(err.splitlines()) == 1 and message in err, err
    assert err.startswith("error: "), err
    assert not out  # Nothing was done.


def test_cli_fails_when_nothing_is_cached_there(caches, cli, tmp_path):
  # A real folder, but not a cache of the named tasks: not a success.
  status, out, _ = cli(f"--cache_dir={tmp_path}", f"--names={NER},{RE}")
  assert status == 1
  assert f"nothing of {NER}, {RE} is cached under {tmp_path}" in out
  status, out, _ = cli(f"--cache_dir={caches['good']}", f"--names={NER}")
  assert status == 0, out


def test_cache_tasks_records_and_refuses_other_settings(caches, tmp_path):
  # What tools/cache_tasks.sh does around seqio's caching script.
  out = str(tmp_path / "cache")
  folder = testing.write_seqio_cache(NER, "train", out)
  os.remove(os.path.join(folder, cache.SETTINGS_FILE))
  assert cache.record_caches(out, [NER, RE]) == [
    os.path.join(folder, cache.SETTINGS_FILE)
  ]
  assert cache.stale_caches(out, [NER, RE]) == {}
  with settings.scoped(seed=2):
    stale = cache.stale_caches(out, [NER, RE])
  assert list(stale) == [NER] and "prompt.seed: 0 -> 2" in stale[NER]
