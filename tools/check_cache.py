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


r"""Checks that a seqio offline cache holds the examples the tasks give now.

Usage:
  python -m tools.check_cache --cache_dir=DIR --names=NAME[,NAME...] \
    [--splits=train,validation,test] [--data_dir=DIR] [--vocab=PATH.model] \
    [--require_all]

NAME is a task or a mixture (its tasks whose train data exist; the others
are listed). For every task split cached under DIR (`tools/cache_tasks.sh`),
the cached examples (`use_cached=True`) and the examples made now
(`use_cached=False`) are compared as multisets over all their features
(token ids and strings), in full. The settings record that
`tools/cache_tasks.sh` writes beside each cache (vocabulary and prompt
options, `tasks.cache`) is compared too; a task refuses to read a cache
whose record differs, and this tool shows both differences.

Prints one row per task split: cached, uncached and `stats.{split}.json`
example counts, equal or not, and for a mismatch what differs (decoded with
the vocabulary in force). Splits not in the cache are "not cached".
Exit status: 1 on a mismatch, when nothing of NAME is cached under DIR
(or, with --require_all, a split is not cached), else 0; bad flags (unknown
name or split, a --cache_dir that does not exist) print one line and exit 2,
an unreadable vocabulary 1. --data_dir and --vocab set the data settings
(`tasks.settings`; default IE_INSTRUCTIONS_DIR and IE_INSTRUCTIONS_VOCAB).
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf
from absl import flags

from instructuie_jax import cli
from tasks import cache_check, mixtures, settings, sources

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("cache_dir", None, "The seqio cache root.")
  flags.DEFINE_list("names", None, "Tasks or mixtures to check.")
  flags.DEFINE_list("splits", None, "Splits (default: all).")
  flags.DEFINE_string("data_dir", None, "Data root (over the env).")
  flags.DEFINE_string("vocab", None, "SentencePiece model or 'byte'.")
  flags.DEFINE_bool("require_all", False, "Fail when a split is not cached.")


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {argv[1:]}")
  if not FLAGS.cache_dir or not FLAGS.names:
    raise cli.UsageError("--cache_dir and --names are required")
  for name in FLAGS.names:
    problem = mixtures.name_problem(name)
    if problem:
      raise cli.UsageError(problem)
  for split in FLAGS.splits or ():
    problem = sources.split_problem(split)
    if problem:
      raise cli.UsageError(problem)
  if not tf.io.gfile.isdir(FLAGS.cache_dir):
    raise cli.UsageError(f"--cache_dir={FLAGS.cache_dir}: no such directory")
  benchmarks = set().union(*map(mixtures.benchmarks_of, FLAGS.names))
  try:
    settings.configure(
      vocab=FLAGS.vocab,
      **settings.data_dir_overrides(benchmarks, FLAGS.data_dir),
    )
  except ValueError as e:
    raise cli.UsageError(str(e)) from e
  problem = settings.vocabulary_problem()
  if problem:
    raise cli.UserError(problem)
  try:
    # 1 for a mismatch: a result, printed on stdout, not an error.
    return cache_check.run(
      FLAGS.cache_dir, FLAGS.names, FLAGS.splits, FLAGS.require_all
    )
  except (FileNotFoundError, ValueError, tf.errors.OpError) as e:
    raise cli.UserError(str(e).strip().splitlines()[0]) from e


if __name__ == "__main__":
  define_flags()
  cli.run(main)
