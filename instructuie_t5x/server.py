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

"""The extraction HTTP API and demo page (FastAPI), with request batching.

  app = create_app(Extractor.from_checkpoint(...))
  uvicorn.run(app, host="127.0.0.1", port=8080)   # tools.serve does this

Routes:

* `POST /extract` `{"texts": [...], "task": "NER", "labels": [...],
  "roles": [...]}` -> `{"results": [answer, ...], "summary": {...}}`; each
  answer is what `tools.extract` writes for one input line
  (`queries.answer`). `texts` items are strings or objects with per-text
  fields (`queries` module docstring). A malformed request gets 422 (400 for
  invalid JSON) with the reason in `detail`.
* `GET /health` -> `{"status": "ok", "checkpoint": ..., ...}`.
* `GET /` -> the demo page (`web/index.html`: no external resources).

Batching: every request's texts go to one queue. A single worker takes the
oldest request, then, for at most `max_wait_s`, adds waiting requests while
the batch stays within `max_batch_size` texts, and decodes the whole batch
with one model call (in a worker thread, so the event loop keeps accepting
requests). With `batching=False` each request is decoded on its own, one at
a time. A request with more texts than `max_batch_size` is decoded on its
own, in several model calls.

The backend is anything with `decode(prompts) -> [(prediction,
truncated_tokens)]` (an `extractor.Extractor`); tests use a fake one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.resources
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import fastapi
import pydantic
from fastapi import responses

from instructuie_jax import task_types
from instructuie_t5x import queries

MAX_TEXTS_PER_REQUEST = 256
MAX_TEXT_CHARS = 20000


class Backend(Protocol):
  """What the server needs from a model."""

  def decode(self, prompts: Sequence[str]) -> list[tuple[str, int]]: ...


class ExtractRequest(pydantic.BaseModel):
  """Body of `POST /extract`."""

  model_config = pydantic.ConfigDict(extra="forbid")

  texts: list[str | dict[str, Any]] = pydantic.Field(
    min_length=1, max_length=MAX_TEXTS_PER_REQUEST
  )
  task: str = "NER"
  labels: list[str] | dict[str, list[str]] | None = None
  roles: list[str] | None = None


@dataclasses.dataclass
class _Pending:
  queries: list[queries.Query]
  future: asyncio.Future


@dataclasses.dataclass
class Stats:
  """Counters for /health: requests, texts and model calls."""

  requests: int = 0
  texts: int = 0
  decode_calls: int = 0
  largest_batch: int = 0


class Batcher:
  """Collects requests into batches; one model call per batch."""

  def __init__(
    self,
    backend: Backend,
    *,
    max_batch_size: int = 32,
    max_wait_s: float = 0.005,
    batching: bool = True,
  ):
    self.backend = backend
    self.max_batch_size = max_batch_size
    self.max_wait_s = max_wait_s
    self.batching = batching
    self.stats = Stats()
    self._queue: asyncio.Queue[_Pending] | None = None
    self._worker: asyncio.Task | None = None

  async def start(self) -> None:
    self._queue = asyncio.Queue()
    self._worker = asyncio.create_task(self._run())

  async def stop(self) -> None:
    if self._worker is not None:
      self._worker.cancel()
      try:
        await self._worker
      except asyncio.CancelledError:
        pass
      self._worker = None

  async def submit(self, query_list: list[queries.Query]) -> list[dict]:
    """Answers the queries of one request (`queries.answer` dicts)."""
    if self._queue is None:
      raise RuntimeError("Batcher.start() was not called")
    future = asyncio.get_running_loop().create_future()
    await self._queue.put(_Pending(query_list, future))
    return await future

  async def _collect(self) -> list[_Pending]:
    assert self._queue is not None
    first = await self._queue.get()
    batch = [first]
    size = len(first.queries)
    if not self.batching:
      return batch
    deadline = time.monotonic() + self.max_wait_s
    while size < self.max_batch_size:
      timeout = deadline - time.monotonic()
      try:
        if timeout > 0:
          pending = await asyncio.wait_for(self._queue.get(), timeout)
        else:
          pending = self._queue.get_nowait()
      except (TimeoutError, asyncio.QueueEmpty):
        break
      if size + len(pending.queries) > self.max_batch_size:
        # Too big to join: it starts the next batch.
        self._requeue_front(pending)
        break
      batch.append(pending)
      size += len(pending.queries)
    return batch

  def _requeue_front(self, pending: _Pending) -> None:
    assert self._queue is not None
    # asyncio.Queue has no push-front: rebuild it with `pending` first.
    rest = []
    while not self._queue.empty():
      rest.append(self._queue.get_nowait())
    for item in [pending, *rest]:
      self._queue.put_nowait(item)

  async def _run(self) -> None:
    loop = asyncio.get_running_loop()
    while True:
      batch = await self._collect()
      flat = [q for p in batch for q in p.queries]
      try:
        decoded = await loop.run_in_executor(
          None, self.backend.decode, [q.prompt for q in flat]
        )
        self.stats.decode_calls += 1
        self.stats.largest_batch = max(self.stats.largest_batch, len(flat))
        it = iter(decoded)
        for pending in batch:
          answers = [queries.answer(q, *next(it)) for q in pending.queries]
          if not pending.future.done():
            pending.future.set_result(answers)
      except Exception as e:  # noqa: BLE001  # the requests get the error
        for pending in batch:
          if not pending.future.done():
            pending.future.set_exception(e)


def _page() -> str:
  return (
    importlib.resources.files("instructuie_t5x") / "web" / "index.html"
  ).read_text(encoding="utf-8")


def create_app(
  backend: Backend,
  *,
  max_batch_size: int = 32,
  max_wait_s: float = 0.005,
  batching: bool = True,
  info: Mapping[str, Any] | None = None,
) -> fastapi.FastAPI:
  """The FastAPI app serving `backend` (see the module docstring).

  Args:
    backend: The model (`Extractor`) or a test double.
    max_batch_size: Most texts per model call.
    max_wait_s: How long a batch waits for more requests.
    batching: False decodes each request on its own.
    info: Extra fields for `/health` (checkpoint, lengths).
  """
  batcher = Batcher(
    backend,
    max_batch_size=max_batch_size,
    max_wait_s=max_wait_s,
    batching=batching,
  )
  page = _page()

  async def lifespan(app):
    await batcher.start()
    yield
    await batcher.stop()

  app = fastapi.FastAPI(title="instructuie-jax extraction", lifespan=lifespan)
  app.state.batcher = batcher

  @app.get("/health")
  async def health() -> dict[str, Any]:
    return {
      "status": "ok",
      "tasks": list(task_types.TASK_TYPES),
      "batching": batcher.batching,
      "max_batch_size": batcher.max_batch_size,
      **dict(info or {}),
      "stats": dataclasses.asdict(batcher.stats),
    }

  @app.get("/", response_class=responses.HTMLResponse)
  async def index() -> str:
    return page

  @app.post("/extract")
  async def extract(request: ExtractRequest) -> dict[str, Any]:
    try:
      task = task_types.get(request.task)
    except ValueError:
      raise fastapi.HTTPException(
        422,
        f"task: unknown task {request.task!r}; known: "
        f"{', '.join(task_types.TASK_TYPES)}",
      ) from None
    if request.labels is not None:
      try:
        queries.check_labels(task, request.labels)
      except queries.QueryError as e:
        raise fastapi.HTTPException(422, str(e)) from None
    built = []
    for i, item in enumerate(request.texts):
      text = item if isinstance(item, str) else item.get("text")
      if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise fastapi.HTTPException(
          413, f"texts[{i}]: longer than {MAX_TEXT_CHARS} characters"
        )
      try:
        built.append(
          queries.make_query(task, item, request.labels, roles=request.roles)
        )
      except queries.QueryError as e:
        raise fastapi.HTTPException(422, f"texts[{i}]: {e}") from None
    batcher.stats.requests += 1
    batcher.stats.texts += len(built)
    results = []
    for start in range(0, len(built), batcher.max_batch_size):
      results += await batcher.submit(
        built[start : start + batcher.max_batch_size]
      )
    return {"results": results, "summary": queries.summarize(results)}

  return app
