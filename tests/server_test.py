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

"""The HTTP layer of instructuie_t5x.server on a fake model (no T5X)."""

import concurrent.futures
import json
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")

from fastapi import testclient  # noqa: E402

from instructuie_t5x import server  # noqa: E402
from tests.conftest import REPO_ROOT  # noqa: E402

LOCAL = "http://127.0.0.1"


class FakeModel:
  """Answers "person: <first word of the text>"; records batch sizes."""

  def __init__(self, delay: float = 0.0):
    self.delay = delay
    self.batches: list[int] = []
    self.lock = threading.Lock()
    self.concurrent = 0
    self.max_concurrent = 0

  def decode(self, prompts):
    with self.lock:
      self.concurrent += 1
      self.max_concurrent = max(self.max_concurrent, self.concurrent)
    time.sleep(self.delay)
    with self.lock:
      self.concurrent -= 1
      self.batches.append(len(prompts))
    out = []
    for prompt in prompts:
      text = re.search(r"Text: (.*) \nAnswer:", prompt, re.S).group(1)
      out.append((f"person: {text.split()[0]}", 0))
    return out


def _client(model, **kwargs):
  return testclient.TestClient(server.create_app(model, **kwargs), LOCAL)


def test_extract_returns_grounded_records():
  with _client(FakeModel(), info={"checkpoint": "ckpt"}) as client:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["checkpoint"] == "ckpt"
    response = client.post(
      "/extract",
      json={
        "texts": ["Ada met Bob .", {"text": "Bob left .", "id": 7}],
        "task": "NER",
        "labels": ["person"],
      },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    first, second = body["results"]
    assert first["entities"] == [
      {
        "text": "Ada",
        "type": "person",
        "start": 0,
        "end": 3,
        "grounded": True,
        "valid_label": True,
      }
    ]
    assert second["id"] == 7 and second["entities"][0]["start"] == 0
    assert body["summary"]["texts"] == 2


def test_page_is_self_contained():
  with _client(FakeModel()) as client:
    page = client.get("/")
  assert page.status_code == 200
  assert "<textarea" in page.text and "/extract" in page.text
  # No external resources: every src/href is local.
  assert not re.search(r"(src|href)=[\"']?(https?:)?//", page.text)


@pytest.mark.parametrize(
  "body, status, detail",
  [
    ({"texts": [], "task": "NER", "labels": ["a"]}, 422, "texts"),
    ({"task": "NER", "labels": ["a"]}, 422, "texts"),
    ({"texts": ["x"], "task": "XX", "labels": ["a"]}, 422, "unknown task"),
    ({"texts": ["x"], "task": "NER"}, 422, "texts[0]: field 'labels'"),
    ({"texts": ["x"], "task": "NER", "labels": []}, 422, "must not be empty"),
    ({"texts": [{"txt": "x"}], "labels": ["a"]}, 422, "field 'text'"),
    ({"texts": ["x"], "labels": ["a"], "bogus": 1}, 422, "bogus"),
    ({"texts": ["x" * 20001], "labels": ["a"]}, 413, "longer than"),
    (
      {"texts": ["x"], "task": "ET", "labels": ["a"]},
      422,
      "field 'entities'",
    ),
  ],
)
def test_malformed_requests_get_4xx_with_reason(body, status, detail):
  with _client(FakeModel()) as client:
    response = client.post("/extract", json=body)
  assert response.status_code == status, response.text
  assert detail in str(response.json()["detail"])


def test_invalid_json_is_422():
  with _client(FakeModel()) as client:
    response = client.post(
      "/extract",
      content=b"{not json",
      headers={"Content-Type": "application/json"},
    )
  assert response.status_code == 422
  assert "json" in str(response.json()["detail"]).lower()


def _hammer(client, n):
  def one(i):
    word = f"W{i}"
    r = client.post(
      "/extract",
      json={"texts": [f"{word} spoke ."], "labels": ["person"]},
    )
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    return word, result["entities"][0]["text"]

  with concurrent.futures.ThreadPoolExecutor(16) as pool:
    return list(pool.map(one, range(n)))


def test_concurrent_requests_share_model_calls():
  model = FakeModel(delay=0.05)
  with _client(model, max_batch_size=8, max_wait_s=0.02) as client:
    answers = _hammer(client, 48)
    stats = client.get("/health").json()["stats"]
  assert all(word == got for word, got in answers)  # nobody's answer swapped
  assert sum(model.batches) == 48
  assert max(model.batches) <= 8
  assert len(model.batches) < 48  # some requests were decoded together
  assert stats["requests"] == 48 and stats["decode_calls"] == len(model.batches)
  assert model.max_concurrent == 1  # one model call at a time


def test_batching_off_decodes_one_request_per_call():
  model = FakeModel(delay=0.01)
  with _client(model, batching=False) as client:
    answers = _hammer(client, 16)
  assert all(word == got for word, got in answers)
  assert model.batches == [1] * 16


def test_large_request_is_split_and_ordered():
  model = FakeModel()
  with _client(model, max_batch_size=4) as client:
    texts = [f"T{i} x ." for i in range(10)]
    response = client.post("/extract", json={"texts": texts, "labels": ["p"]})
  results = response.json()["results"]
  assert [r["entities"][0]["text"] for r in results] == [
    f"T{i}" for i in range(10)
  ]
  assert max(model.batches) <= 4


def test_model_error_reaches_the_request():
  class Broken(FakeModel):
    def decode(self, prompts):
      raise RuntimeError("device lost")

  with testclient.TestClient(
    server.create_app(Broken()), LOCAL, raise_server_exceptions=False
  ) as client:
    response = client.post("/extract", json={"texts": ["x"], "labels": ["p"]})
    assert response.status_code == 500
    # The worker survives: the next request is served.
    assert client.get("/health").status_code == 200


class Tokenizer(FakeModel):
  """A fake model whose tokenizer fails on "BOOM" at decode time (and has
  no `check`): a failure only the batch itself shows."""

  def decode(self, prompts):
    if any("BOOM" in p for p in prompts):
      raise RuntimeError("cannot encode BOOM")
    return super().decode(prompts)


class CheckedTokenizer(Tokenizer):
  """The same, with the `check` the server calls before batching."""

  def check(self, prompt):
    if "BOOM" in prompt:
      raise ValueError("cannot encode BOOM")


def _mixed_load(client, n_good, bad_bodies):
  """Good and bad requests at once; (good failures, bad statuses)."""

  def one(i):
    if i % 3 == 2 and i // 3 < len(bad_bodies):
      content = bad_bodies[i // 3]
      r = client.post(
        "/extract",
        content=content,
        headers={"Content-Type": "application/json"},
      )
      return "bad", r.status_code, None
    word = f"W{i}"
    r = client.post(
      "/extract", json={"texts": [f"{word} spoke ."], "labels": ["person"]}
    )
    got = r.json()["results"][0]["entities"][0]["text"] if r.is_success else ""
    return "good", r.status_code, got == word

  total = n_good + len(bad_bodies)
  with concurrent.futures.ThreadPoolExecutor(16) as pool:
    results = list(pool.map(one, range(total)))
  good_failures = sum(
    1
    for kind, status, ok in results
    if kind == "good" and not (status == 200 and ok)
  )
  bad = [status for kind, status, _ in results if kind == "bad"]
  return good_failures, bad


class Utf8Model(FakeModel):
  """Encodes its prompts as UTF-8 first, as a tokenizer does: a lone
  surrogate fails the whole call."""

  def decode(self, prompts):
    for prompt in prompts:
      prompt.encode("utf-8")
    return super().decode(prompts)


def test_lone_surrogate_is_422_and_fails_no_neighbour():
  # The JSON escape reaches Python as a lone surrogate, as from any client.
  bad = [b'{"texts": ["Ada \\ud800 met Bob"], "labels": ["person"]}'] * 10
  model = Utf8Model(delay=0.02)
  with testclient.TestClient(
    server.create_app(model, max_batch_size=16, max_wait_s=0.02),
    LOCAL,
    raise_server_exceptions=False,
  ) as client:
    good_failures, bad_statuses = _mixed_load(client, 40, bad)
    response = client.post(
      "/extract",
      content=bad[0],
      headers={"Content-Type": "application/json"},
    )
  assert good_failures == 0
  assert bad_statuses == [422] * 10
  assert "lone surrogate (U+D800)" in response.json()["detail"]
  assert "texts[0]" in response.json()["detail"]


def test_request_failing_in_its_batch_fails_alone():
  bad = [
    json.dumps({"texts": ["BOOM went it ."], "labels": ["person"]}).encode()
  ] * 10
  model = Tokenizer(delay=0.02)
  with testclient.TestClient(
    server.create_app(model, max_batch_size=16, max_wait_s=0.02),
    LOCAL,
    raise_server_exceptions=False,
  ) as client:
    good_failures, bad_statuses = _mixed_load(client, 40, bad)
    stats = client.get("/health").json()["stats"]
  assert good_failures == 0
  assert bad_statuses == [500] * 10
  assert stats["batches_retried"] >= 1


def test_backend_check_refuses_before_batching():
  model = CheckedTokenizer()
  with _client(model) as client:
    response = client.post(
      "/extract", json={"texts": ["ok .", "BOOM ."], "labels": ["person"]}
    )
  assert response.status_code == 422
  assert (
    "texts[1]: the model's tokenizer cannot encode it"
    in (response.json()["detail"])
  )
  assert model.batches == []  # never reached the model


def test_surrogate_echoed_in_a_validation_error_is_escaped():
  with _client(FakeModel()) as client:
    response = client.post(
      "/extract",
      content=b'{"texts": ["x"], "labels": ["a"], "b\\udc00": 1}',
      headers={"Content-Type": "application/json"},
    )
  assert response.status_code == 422
  assert response.json()["detail"]


@pytest.mark.parametrize(
  "host, allowed, status",
  [
    ("127.0.0.1:8080", None, 200),
    ("localhost", None, 200),
    ("LOCALHOST:1", None, 200),
    ("[::1]:8080", None, 200),
    ("evil.example", None, 400),
    ("evil.example:8080", None, 400),
    ("127.0.0.1.evil.example", None, 400),
    ("", None, 400),
    ("box.lan:8080", ["box.lan"], 200),
  ],
)
def test_host_header_is_checked(host, allowed, status):
  hosts = server.LOCAL_HOSTS + tuple(allowed or ())
  with _client(FakeModel(), allowed_hosts=hosts) as client:
    response = client.get("/health", headers={"Host": host})
  assert response.status_code == status, response.text


def test_any_host_when_asked():
  with _client(FakeModel(), allowed_hosts=None) as client:
    response = client.get("/health", headers={"Host": "box.lan"})
  assert response.status_code == 200


def test_body_size_is_limited():
  body = {"texts": ["x" * 400] * 5, "labels": ["a"]}
  with _client(FakeModel(), max_body_bytes=1000) as client:
    too_big = client.post("/extract", json=body)
    chunked = client.post(
      "/extract",
      content=iter([json.dumps(body).encode()[:600]] * 3),
      headers={"Content-Type": "application/json"},
    )
    fits = client.post("/extract", json={"texts": ["A b ."], "labels": ["a"]})
  assert too_big.status_code == 413 and "larger than 1000" in too_big.text
  assert chunked.status_code == 413
  assert fits.status_code == 200


def test_docs_only_when_asked():
  with _client(FakeModel()) as client:
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 404
  with _client(FakeModel(), docs=True) as client:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_health_names_no_absolute_path():
  label = server.checkpoint_label("/home/ada/runs/model/checkpoint_1500/")
  assert label == "model/checkpoint_1500"


def test_idle_connections_are_closed():
  sock = server.bind("127.0.0.1", 0)
  port = sock.getsockname()[1]
  srv = server.make_server(server.create_app(FakeModel()), idle_timeout_s=0.3)
  thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]})
  thread.start()
  try:
    for _ in range(100):  # up to 10 s to start
      if srv.started:
        break
      time.sleep(0.1)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
      start = time.monotonic()
      assert idle.recv(1) == b""  # closed by the server, sent nothing
      assert time.monotonic() - start < 5
    with socket.create_connection(("127.0.0.1", port), timeout=10) as used:
      used.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
      reply = b""
      while b"stats" not in reply:
        reply += used.recv(65536)
      assert reply.startswith(b"HTTP/1.1 200")
      used.settimeout(5)
      while used.recv(65536):  # then closed after the idle time
        pass
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
      # A request head sent a byte at a time never completes: closed too.
      start = time.monotonic()
      closed = False
      head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 150
      for byte in head:
        try:
          slow.sendall(bytes([byte]))
        except OSError:
          closed = True
          break
        time.sleep(0.02)
      slow.settimeout(5)
      try:
        closed = closed or slow.recv(1) == b""
      except OSError:
        closed = True
      assert closed and time.monotonic() - start < 5
  finally:
    srv.should_exit = True
    thread.join(10)
    sock.close()


def test_busy_port_is_reported_before_the_model_loads(tmp_path):
  with socket.socket() as busy:
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    proc = subprocess.run(
      [
        sys.executable,
        "-m",
        "tools.serve",
        f"--checkpoint={tmp_path / 'no_model'}",
        f"--port={port}",
      ],
      cwd=REPO_ROOT,
      capture_output=True,
      text=True,
      timeout=120,
    )
  assert proc.returncode == 1, proc.stderr
  (line,) = proc.stderr.strip().splitlines()
  assert line.startswith(f"error: --port: cannot listen on 127.0.0.1:{port}")
  assert "in use" in line


@pytest.mark.parametrize(
  "flag", ["--max_wait_ms=inf", "--max_wait_ms=nan", "--port=70000"]
)
def test_bad_numbers_are_flag_errors(flag, tmp_path):
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.serve",
      f"--checkpoint={tmp_path / 'no_model'}",
      flag,
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=120,
  )
  assert proc.returncode == 2
  (line,) = proc.stderr.strip().splitlines()
  assert line.startswith(f"error: flag {flag}: ")
