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
  "roles": [...], "windows": true, "constrained": false}` ->
  `{"results": [answer, ...], "summary": {...}}`; each answer is what
  `tools.extract` writes for one input line (`queries.answer_windows`): a
  text whose prompt is too long is asked in windows and its answer says how
  many (`windows`), unless `"windows": false`, which cuts the prompt
  instead. `texts` items are strings or objects with per-text
  fields (`queries` module docstring). A malformed request gets 422 (400 for
  invalid JSON) with the reason in `detail`.
* `GET /health` -> `{"status": "ok", "checkpoint": ..., ...}`.
* `GET /` -> the demo page (`web/index.html`: no external resources).
* `/docs` and `/openapi.json` only with `docs=True`.

Defaults of a local server: a request's `Host` must be one of
`allowed_hosts` (localhost, 127.0.0.1, [::1] and what the caller adds: a
page on another site that rebinds its DNS name to 127.0.0.1 is refused,
400); a body larger than `max_body_bytes` gets 413 before it is read
whole; `serve` closes a connection idle for `idle_timeout_s`, before its
first request as after its last.

Every request is checked before it joins a batch: text the model's
tokenizer cannot encode (a lone surrogate such as JSON `"\\ud800"`) gets
422. Should a batch still fail, its requests are decoded again one by one,
so only the request that fails gets the error (500); its neighbours get
their answers.

Batching: every request's texts go to one queue. A single worker takes the
oldest request, then, for at most `max_wait_s`, adds waiting requests while
the batch stays within `max_batch_size` texts, and decodes the whole batch
with one model call (in a worker thread, so the event loop keeps accepting
requests). With `batching=False` each request is decoded on its own, one at
a time. A request with more texts than `max_batch_size` is decoded on its
own, in several model calls.

The backend is anything with `decode(prompts) -> [(prediction,
truncated_tokens)]` (an `extractor.Extractor`); tests use a fake one.

`"constrained": true` decodes the request's texts inside their task's
target grammar (labels only from the options, spans only from the text;
`Extractor.decode_constrained`); each answer then carries
`unfinished_tokens`. Constrained and free requests are batched apart; a
backend without `decode_constrained` answers such a request with 422.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.resources
import json
import os
import socket
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import fastapi
import pydantic
from fastapi import encoders, exceptions, responses

from instructuie_jax import task_types
from instructuie_t5x import queries

MAX_TEXTS_PER_REQUEST = 256
MAX_TEXT_CHARS = 20000
# Requests of a few hundred texts fit easily; a larger body is refused (413).
MAX_BODY_BYTES = 4 * 1024 * 1024
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
IDLE_TIMEOUT_S = 5.0


class Backend(Protocol):
  """What the server needs from a model.

  `decode` answers prompts. A backend may also have `check(prompt)`, which
  raises `ValueError` for a prompt its tokenizer cannot encode; the server
  calls it before the prompt joins a batch. A backend with
  `prompt_length(prompt)` and `input_length` (an `Extractor`) has a text
  whose prompt is too long asked in windows (`queries.window_query`). A
  backend with `options` (an `Extractor`: its run's prompt options) is
  asked with them (`queries.make_query`); without, with the defaults.
  """

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
  windows: bool = True
  constrained: bool = False


@dataclasses.dataclass
class _Pending:
  queries: list[queries.WindowedQuery]
  future: asyncio.Future
  constrained: bool = False

  @property
  def size(self) -> int:
    """Prompts to decode: one per window."""
    return sum(len(q.parts) for q in self.queries)


@dataclasses.dataclass
class Stats:
  """Counters for /health: requests, texts and model calls."""

  requests: int = 0
  texts: int = 0
  decode_calls: int = 0
  largest_batch: int = 0
  batches_retried: int = 0


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

  async def submit(
    self, query_list: list[queries.WindowedQuery], constrained: bool = False
  ) -> list[dict]:
    """Answers the queries of one request (`queries.answer_windows`)."""
    if self._queue is None:
      raise RuntimeError("Batcher.start() was not called")
    future = asyncio.get_running_loop().create_future()
    await self._queue.put(_Pending(query_list, future, constrained))
    return await future

  async def _collect(self) -> list[_Pending]:
    assert self._queue is not None
    first = await self._queue.get()
    batch = [first]
    size = first.size
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
      if (
        size + pending.size > self.max_batch_size
        or pending.constrained != first.constrained
      ):
        # Too big to join, or decoded the other way: it starts the next.
        self._requeue_front(pending)
        break
      batch.append(pending)
      size += pending.size
    return batch

  def _requeue_front(self, pending: _Pending) -> None:
    assert self._queue is not None
    # asyncio.Queue has no push-front: rebuild it with `pending` first.
    rest = []
    while not self._queue.empty():
      rest.append(self._queue.get_nowait())
    for item in [pending, *rest]:
      self._queue.put_nowait(item)

  async def _decode(self, batch: list[_Pending]) -> None:
    """Answers every request of `batch` with one model call.

    Raises:
      Exception: whatever the model or the parser raised; no request of
        the batch is answered then.
    """
    loop = asyncio.get_running_loop()
    flat = [part for p in batch for q in p.queries for part in q.parts]
    if batch[0].constrained:
      decoded = await loop.run_in_executor(
        None, self.backend.decode_constrained, flat
      )
    else:
      decoded = await loop.run_in_executor(
        None, self.backend.decode, [q.prompt for q in flat]
      )
    self.stats.decode_calls += 1
    self.stats.largest_batch = max(self.stats.largest_batch, len(flat))
    if len(decoded) != len(flat):
      raise RuntimeError(f"{len(decoded)} answers for {len(flat)} prompts")
    it = iter(decoded)
    answers = [
      [_answer(q, [next(it) for _ in q.parts]) for q in p.queries]
      for p in batch
    ]
    for pending, result in zip(batch, answers, strict=True):
      if not pending.future.done():
        pending.future.set_result(result)

  async def _run(self) -> None:
    while True:
      batch = await self._collect()
      try:
        await self._decode(batch)
        continue
      except Exception as e:  # noqa: BLE001  # handed to the requests
        error = e
      if len(batch) == 1:
        if not batch[0].future.done():
          batch[0].future.set_exception(error)
        continue
      # One request may have failed them all: each alone, so only it fails.
      self.stats.batches_retried += 1
      for pending in batch:
        try:
          await self._decode([pending])
        except Exception as e:  # noqa: BLE001  # handed to the request
          if not pending.future.done():
            pending.future.set_exception(e)


def _answer(
  windowed: queries.WindowedQuery, decoded: Sequence[tuple]
) -> dict[str, Any]:
  """`queries.answer_windows`; a constrained decode's third count joins it."""
  answer = queries.answer_windows(windowed, [d[:2] for d in decoded])
  if any(len(d) > 2 for d in decoded):
    answer["unfinished_tokens"] = sum(d[2] for d in decoded)
  return answer


class SafeJSONResponse(responses.JSONResponse):
  """JSON that escapes what UTF-8 cannot hold (a lone surrogate echoed in
  an error) instead of failing the response."""

  def render(self, content: Any) -> bytes:
    try:
      return super().render(content)
    except UnicodeEncodeError:
      return json.dumps(content, allow_nan=False).encode("ascii")


def _host_name(host_header: str) -> str:
  """The name of a `Host` header: no port, no IPv6 brackets, lower case."""
  host = host_header.strip().lower()
  if host.startswith("["):
    return host[1 : host.find("]")] if "]" in host else ""
  return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _LocalServerGuard:
  """ASGI middleware: refuses foreign `Host` headers and oversize bodies."""

  def __init__(
    self, app: Any, allowed_hosts: Sequence[str] | None, max_body_bytes: int
  ):
    self.app = app
    self.allowed = (
      None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
    )
    self.max_body_bytes = max_body_bytes

  async def _refuse(self, send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("ascii")
    await send(
      {
        "type": "http.response.start",
        "status": status,
        "headers": [
          (b"content-type", b"application/json"),
          (b"content-length", str(len(body)).encode("ascii")),
          (b"connection", b"close"),
        ],
      }
    )
    await send({"type": "http.response.body", "body": body})

  async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
      await self.app(scope, receive, send)
      return
    headers = dict(scope.get("headers") or [])
    if self.allowed is not None:
      host = _host_name(headers.get(b"host", b"").decode("latin-1"))
      if host not in self.allowed:
        await self._refuse(send, 400, "Host header not allowed")
        return
    length = headers.get(b"content-length", b"0").decode("latin-1")
    if not length.isdigit() or int(length) > self.max_body_bytes:
      await self._refuse(
        send, 413, f"request body larger than {self.max_body_bytes} bytes"
      )
      return
    # A body sent in chunks (no length given) is counted as it arrives.
    chunks = []
    size = 0
    while True:
      message = await receive()
      if message["type"] != "http.request":
        break
      size += len(message.get("body", b""))
      if size > self.max_body_bytes:
        await self._refuse(
          send, 413, f"request body larger than {self.max_body_bytes} bytes"
        )
        return
      chunks.append(message.get("body", b""))
      if not message.get("more_body", False):
        break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Any:
      nonlocal replayed
      if not replayed:
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}
      return await receive()

    await self.app(scope, replay, send)


def _first_unencodable(
  check: Any, prompts: Sequence[str]
) -> tuple[int, str] | None:
  """(index, reason) of the first prompt `check` refuses, else None."""
  for i, prompt in enumerate(prompts):
    try:
      check(prompt)
    except ValueError as e:
      return i, str(e)
  return None


def _windowed(
  backend: Any, built: Sequence[queries.Query], windows: bool
) -> list[queries.WindowedQuery]:
  """The window queries of each query (one each unless the backend can
  measure prompts and `windows` is on)."""
  length = getattr(backend, "prompt_length", None)
  if not windows or length is None:
    return [queries.single_window(q) for q in built]
  return [queries.window_query(q, length, backend.input_length) for q in built]


def checkpoint_label(path: str) -> str:
  """What /health shows of a checkpoint path: its last two parts only
  (`model/checkpoint_1500`), not where it lies on the server."""
  parts = [p for p in os.path.normpath(path).split(os.sep) if p]
  return "/".join(parts[-2:])


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
  allowed_hosts: Sequence[str] | None = LOCAL_HOSTS,
  max_body_bytes: int = MAX_BODY_BYTES,
  docs: bool = False,
) -> Any:
  """The ASGI app serving `backend` (see the module docstring).

  Args:
    backend: The model (`Extractor`) or a test double.
    max_batch_size: Most texts per model call.
    max_wait_s: How long a batch waits for more requests.
    batching: False decodes each request on its own.
    info: Extra fields for `/health` (lengths; no absolute paths).
    allowed_hosts: The names a request's `Host` header may give (without
      the port; IPv6 without brackets); None accepts any.
    max_body_bytes: The largest request body accepted.
    docs: Serve `/docs` and `/openapi.json`.
  """
  batcher = Batcher(
    backend,
    max_batch_size=max_batch_size,
    max_wait_s=max_wait_s,
    batching=batching,
  )
  page = _page()
  check = getattr(backend, "check", None)

  async def lifespan(app):
    await batcher.start()
    yield
    await batcher.stop()

  app = fastapi.FastAPI(
    title="instructuie-jax extraction",
    lifespan=lifespan,
    default_response_class=SafeJSONResponse,
    docs_url="/docs" if docs else None,
    redoc_url=None,
    openapi_url="/openapi.json" if docs else None,
  )
  app.state.batcher = batcher

  @app.exception_handler(exceptions.RequestValidationError)
  async def invalid_request(request, error) -> SafeJSONResponse:
    del request
    return SafeJSONResponse(
      {"detail": encoders.jsonable_encoder(error.errors())}, status_code=422
    )

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
    if request.constrained and not hasattr(backend, "decode_constrained"):
      raise fastapi.HTTPException(
        422, "constrained: this model cannot decode constrained"
      )
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
          queries.make_query(
            task,
            item,
            request.labels,
            roles=request.roles,
            options=getattr(backend, "options", None),
          )
        )
      except queries.QueryError as e:
        raise fastapi.HTTPException(422, f"texts[{i}]: {e}") from None
    if check is not None:
      # Tokenizing is work: off the event loop, like the decoding.
      problem = await asyncio.get_running_loop().run_in_executor(
        None, _first_unencodable, check, [q.prompt for q in built]
      )
      if problem is not None:
        raise fastapi.HTTPException(
          422,
          f"texts[{problem[0]}]: the model's tokenizer cannot encode it "
          f"({problem[1]})",
        )
    plans = await asyncio.get_running_loop().run_in_executor(
      None, _windowed, backend, built, request.windows
    )
    batcher.stats.requests += 1
    batcher.stats.texts += len(built)
    results = []
    for start in range(0, len(plans), batcher.max_batch_size):
      results += await batcher.submit(
        plans[start : start + batcher.max_batch_size], request.constrained
      )
    return {"results": results, "summary": queries.summarize(results)}

  return _LocalServerGuard(app, allowed_hosts, max_body_bytes)


# --------------------------------------------------------------------------
# Listening.


def allowed_hosts(host: str, names: Sequence[str]) -> list[str] | None:
  """The Host header names accepted (None: any) when listening on `host`:
  the local names, `names` and `host` itself unless it is every address;
  None when `names` holds "*"."""
  if "*" in names:
    return None
  hosts = [*LOCAL_HOSTS, *names]
  if host not in ("0.0.0.0", "::", ""):
    hosts.append(host.strip("[]"))
  return hosts


def bind(host: str, port: int) -> socket.socket:
  """A socket bound to `host:port` now, before a model loads.

  It listens once the server runs (`make_server(...).run(sockets=[...])`),
  so a client is refused while the model loads rather than left waiting.

  Raises:
    OSError: the address is in use, not local, or not permitted.
  """
  family = socket.AF_INET6 if ":" in host else socket.AF_INET
  sock = socket.socket(family, socket.SOCK_STREAM)
  try:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
  except OSError:
    sock.close()
    raise
  return sock


def _idle_closing_protocol() -> type:
  """uvicorn's h11 protocol with a deadline for every request's head.

  uvicorn starts its idle timer after a response and stops it at the next
  byte received. Here it also runs from the connection's start, and bytes
  that do not complete a request's head leave it running: a client must
  send a whole request head within the idle timeout of connecting or of
  its last response, however slowly it sends.
  """
  from uvicorn.protocols.http import h11_impl  # noqa: PLC0415

  class IdleClosingH11Protocol(h11_impl.H11Protocol):
    def connection_made(self, transport: Any) -> None:
      super().connection_made(transport)
      self.timeout_keep_alive_task = self.loop.call_later(
        self.timeout_keep_alive, self.timeout_keep_alive_handler
      )

    def data_received(self, data: bytes) -> None:
      deadline = self.timeout_keep_alive_task
      self.timeout_keep_alive_task = None  # Not cancelled by the base class.
      super().data_received(data)
      waiting = self.cycle is None or self.cycle.response_complete
      if deadline is None:
        return
      if waiting and self.timeout_keep_alive_task is None:
        self.timeout_keep_alive_task = deadline  # Head still incomplete.
      else:
        deadline.cancel()

  return IdleClosingH11Protocol


def make_server(app: Any, *, idle_timeout_s: float = IDLE_TIMEOUT_S) -> Any:
  """The `uvicorn.Server` of `app`; `.run(sockets=[bind(...)])` serves it.

  A connection that sends nothing for `idle_timeout_s` is closed, before
  its first request as after its last.
  """
  import uvicorn  # noqa: PLC0415

  config = uvicorn.Config(
    app,
    http=_idle_closing_protocol(),
    timeout_keep_alive=idle_timeout_s,
    log_level="warning",
  )
  return uvicorn.Server(config)
