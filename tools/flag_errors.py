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

"""One-line errors for command-line mistakes, as the CLI rules ask.

  app.run(main, flags_parser=flag_errors.parse_flags)

A bad flag, or `usage_error` in `main`, prints one line on stderr and exits
with status 2; `fail` prints one line and exits with status 1 (bad input or
output). absl's own handling prints the usage text and exits with 1.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from absl import flags

USAGE = 2
FAILURE = 1


def usage_error(message: str) -> NoReturn:
  """Ends the run: `message` on one line, exit status 2."""
  print(f"error: {message} (see --helpshort)", file=sys.stderr)
  sys.exit(USAGE)


def fail(message: str) -> NoReturn:
  """Ends the run: `message` on one line, exit status 1."""
  print(f"error: {message}", file=sys.stderr)
  sys.exit(FAILURE)


def parse_flags(argv: list[str]) -> list[str]:
  """absl's flag parsing; a bad flag ends the run through `usage_error`."""
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    usage_error(str(e))
