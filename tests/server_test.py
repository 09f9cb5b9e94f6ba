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
import re
import threading
import time

import pytest

pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")

from fastapi import testclient  # noqa: E402

from instructuie_t5x import server  # noqa: E402


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
  return testclient.TestClient(server.create_app(model, **kwargs))


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
    server.create_app(Broken()), raise_server_exceptions=False
  ) as client:
    response = client.post("/extract", json={"texts": ["x"], "labels": ["p"]})
    assert response.status_code == 500
    # The worker survives: the next request is served.
    assert client.get("/health").status_code == 200
