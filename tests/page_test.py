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

"""tools.serve on the tiny model, driven by a real headless browser.

The server runs on 127.0.0.1; Debian's chromium loads the page with
`?autorun=1`, which extracts on load, and the test reads the DOM after the
page's JavaScript ran (`--dump-dom`) and takes a screenshot
(`page.png` in the test's temporary directory). Skips when chromium is not
installed (`apt-get install chromium`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from tests import tiny_model_testing

REPO_ROOT = tiny_model_testing.REPO_ROOT
TEXT = "Kapelrada is home to Irarennes Bank ."
SCREENSHOT_ENV = "INSTRUCTUIE_PAGE_SCREENSHOT"

pytestmark = pytest.mark.slow


def _chromium() -> str:
  for name in ("chromium", "chromium-browser", "google-chrome"):
    path = shutil.which(name)
    if path:
      return path
  pytest.skip("chromium not installed (apt-get install chromium)")


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(request, tmp_path_factory):
  """`tools.serve` on the tiny model; yields its base URL."""
  browser = _chromium()
  tiny = request.getfixturevalue("tiny_model")  # after the chromium check
  port = _free_port()
  log = tmp_path_factory.mktemp("serve") / "serve.log"
  with open(log, "w") as out:
    proc = subprocess.Popen(
      [
        sys.executable,
        "-m",
        "tools.serve",
        f"--checkpoint={tiny.model_dir}",
        f"--vocabulary={tiny.vocabulary}",
        f"--port={port}",
        "--host=127.0.0.1",
      ],
      cwd=REPO_ROOT,
      env=tiny.env,
      stdout=out,
      stderr=subprocess.STDOUT,
    )
  url = f"http://127.0.0.1:{port}"
  try:
    deadline = time.monotonic() + 300
    while True:
      assert proc.poll() is None, log.read_text()[-3000:]
      assert time.monotonic() < deadline, "server not up within 300 s"
      try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:
          if json.load(r)["status"] == "ok":
            break
      except OSError:
        time.sleep(0.5)
    yield url, browser
  finally:
    proc.terminate()
    try:
      proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
      proc.kill()
      proc.wait()


def _browse(
  browser: str, url: str, *args: str, profile
) -> subprocess.CompletedProcess:
  return subprocess.run(
    [
      browser,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      f"--user-data-dir={profile}",
      "--window-size=1000,900",
      "--virtual-time-budget=60000",
      *args,
      url,
    ],
    capture_output=True,
    text=True,
    timeout=240,
  )


def test_page_extracts_and_highlights(served, tmp_path):
  url, browser = served
  query = urllib.parse.urlencode(
    {
      "autorun": "1",
      "text": TEXT,
      "task": "NER",
      "labels": "location, organization, person",
    }
  )
  page = f"{url}/?{query}"
  # The API answer the page shows, for comparison.
  request = urllib.request.Request(
    url + "/extract",
    data=json.dumps(
      {
        "texts": [TEXT],
        "task": "NER",
        "labels": ["location", "organization", "person"],
      }
    ).encode(),
    headers={"Content-Type": "application/json"},
  )
  with urllib.request.urlopen(request, timeout=120) as r:
    (expected,) = json.load(r)["results"]

  dom = _browse(browser, page, "--dump-dom", profile=tmp_path / "p1")
  assert dom.returncode == 0, dom.stderr[-3000:]
  html = dom.stdout
  assert 'data-state="done"' in html, html[-3000:]
  assert "Entities" in html
  grounded = [e for e in expected["entities"] if e["grounded"]]
  assert html.count("<mark ") >= min(1, len(grounded))
  for entity in grounded:
    assert f">{entity['text']}<sup>" in html

  screenshot = tmp_path / "page.png"
  shot = _browse(
    browser, page, f"--screenshot={screenshot}", profile=tmp_path / "p2"
  )
  assert shot.returncode == 0, shot.stderr[-3000:]
  data = screenshot.read_bytes()
  assert data.startswith(b"\x89PNG") and len(data) > 10000
  copy_to = os.environ.get(SCREENSHOT_ENV)
  if copy_to:
    shutil.copyfile(screenshot, copy_to)


class _FixedModel:
  """Answers every prompt with one fixed RE or EE answer."""

  ANSWERS = {
    "RE": "work for: Ada Lovelace, Acme; live in: Ada Lovelace, Mars",
    "EE": "( hire: hired, Acme: employer, Ada Lovelace: employee)",
  }

  def __init__(self):
    self.task = "RE"

  def decode(self, prompts):
    return [(self.ANSWERS[self.task], 0) for _ in prompts]


@pytest.fixture(scope="module")
def fake_served():
  """The server on a fixed-answer model, in a thread; yields (url, model)."""
  browser = _chromium()
  pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")
  import uvicorn  # noqa: PLC0415

  from instructuie_t5x import server  # noqa: PLC0415

  model = _FixedModel()
  port = _free_port()
  config = uvicorn.Config(
    server.create_app(model), host="127.0.0.1", port=port, log_level="warning"
  )
  instance = uvicorn.Server(config)
  thread = threading.Thread(target=instance.run, daemon=True)
  thread.start()
  deadline = time.monotonic() + 60
  while not instance.started:
    assert time.monotonic() < deadline, "server not up within 60 s"
    time.sleep(0.1)
  yield f"http://127.0.0.1:{port}", browser, model
  instance.should_exit = True
  thread.join(timeout=30)


@pytest.mark.parametrize(
  "task, labels, shown",
  [
    (
      "RE",
      "work for",
      [
        "<h2>Relations</h2>",
        ">Ada Lovelace<sup>head</sup>",
        ">Acme<sup>tail</sup>",
        ">not in text<",  # Mars
        'title="not among the labels">live in',
      ],
    ),
    (
      "EE",
      "hire: employer, employee",
      [
        "<h2>Events</h2>",
        ">hired<sup>hire</sup>",
        ">Acme<sup>employer</sup>",
        "employee: Ada Lovelace",
      ],
    ),
  ],
)
def test_page_lists_relations_and_events(
  fake_served, tmp_path, task, labels, shown
):
  url, browser, model = fake_served
  model.task = task
  text = "Ada Lovelace was hired by Acme ."
  query = urllib.parse.urlencode(
    {"autorun": "1", "text": text, "task": task, "labels": labels}
  )
  dom = _browse(
    browser, f"{url}/?{query}", "--dump-dom", profile=tmp_path / "p"
  )
  assert dom.returncode == 0, dom.stderr[-3000:]
  assert 'data-state="done"' in dom.stdout, dom.stdout[-3000:]
  for piece in shown:
    assert piece in dom.stdout, (piece, dom.stdout[-3000:])
