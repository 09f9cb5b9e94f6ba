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

"""The server's `constrained` request field, on fake models (no T5X)."""

import concurrent.futures
import threading
import time

import pytest

pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")

from fastapi import testclient  # noqa: E402

from instructuie_t5x import server  # noqa: E402

LOCAL = "http://127.0.0.1"


class FreeModel:
  """Answers with a label never offered; records each call's mode."""

  def __init__(self):
    self.calls: list[tuple[str, int]] = []
    self.lock = threading.Lock()

  def decode(self, prompts):
    time.sleep(0.01)
    with self.lock:
      self.calls.append(("free", len(prompts)))
    return [(" animal: Zed", 0) for _ in prompts]


class ConstrainedModel(FreeModel):
  """Also decodes constrained: the first word of the text as a person."""

  def decode_constrained(self, query_list):
    time.sleep(0.01)
    with self.lock:
      self.calls.append(("constrained", len(query_list)))
    return [(f" person: {q.text.split()[0]}", 0, 3) for q in query_list]


def _post(client, constrained, word="Ada"):
  return client.post(
    "/extract",
    json={
      "texts": [f"{word} spoke ."],
      "labels": ["person"],
      "constrained": constrained,
    },
  )


def test_constrained_field_selects_the_decode():
  model = ConstrainedModel()
  with testclient.TestClient(server.create_app(model), LOCAL) as client:
    free = _post(client, False).json()
    bound = _post(client, True).json()
  assert free["summary"]["invalid_labels"] == 1
  assert "unfinished_tokens" not in free["results"][0]
  (answer,) = bound["results"]
  assert answer["entities"][0]["text"] == "Ada"
  assert answer["unfinished_tokens"] == 3
  assert bound["summary"]["invalid_labels"] == 0
  assert bound["summary"]["ungrounded"] == 0
  assert [mode for mode, _ in model.calls] == ["free", "constrained"]


def test_constrained_and_free_requests_are_batched_apart():
  model = ConstrainedModel()
  app = server.create_app(model, max_batch_size=8, max_wait_s=0.02)
  with testclient.TestClient(app, LOCAL) as client:

    def one(i):
      r = _post(client, i % 2 == 0, f"W{i}")
      assert r.status_code == 200, r.text
      return i, r.json()["results"][0]

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
      results = list(pool.map(one, range(24)))
  for i, answer in results:
    assert ("unfinished_tokens" in answer) == (i % 2 == 0)
  assert sum(n for _, n in model.calls) == 24
  assert len(model.calls) < 24  # requests of one mode still share calls


def test_backend_without_constrained_decoding_refuses():
  with testclient.TestClient(server.create_app(FreeModel()), LOCAL) as client:
    r = _post(client, True)
  assert r.status_code == 422
  assert "constrained" in r.json()["detail"]
