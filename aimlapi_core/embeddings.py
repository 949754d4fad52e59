"""Embeddings: ``POST /v1/embeddings`` with batching, in input order, sync and async.

:func:`embed` (and :func:`aembed`) take any number of texts and split them into batches of at
most ``batch_size`` texts and ``max_batch_bytes`` UTF-8 bytes (a text bigger than the budget
goes alone in its batch; the API then says whether the model takes it). Sync batches go one
after another; async ones concurrently, at most ``max_concurrency`` at a time. Each batch is one
request through the client, so it is retried and its errors are typed like any other call. The
vectors come back in input order (by each item's ``index``), decoded from base64 when asked for
with ``encoding_format="base64"``, and the usage and cost of all batches are summed.

``dimensions`` is sent only where it can work: AI/ML API documents it for
``text-embedding-3-small`` and ``text-embedding-3-large``, and ``text-embedding-ada-002`` has a
fixed size, so asking that model for ``dimensions`` (or a -3 model for more than its native
size) raises ``ValueError`` before any request. Unlike the sampling knobs the chat shaping drops
(:mod:`aimlapi_core.shaping`), ``dimensions`` decides the vector length a vector store is built
for, so it is never silently dropped. Ids the docs do not cover are sent as written.

Example:
    >>> import httpx, json
    >>> from aimlapi_core import Client, Settings
    >>> def reply(request):
    ...     n = len(json.loads(request.content)["input"])
    ...     return httpx.Response(200, json={"data": [
    ...         {"index": i, "embedding": [float(i), 1.0]} for i in reversed(range(n))],
    ...         "usage": {"prompt_tokens": n, "total_tokens": n}})
    >>> http = httpx.Client(transport=httpx.MockTransport(reply))
    >>> with Client(Settings(api_key="k"), http_client=http) as client:
    ...     result = embed(client, ["a", "b", "c"], batch_size=2)
    >>> result.vectors, result.usage.total_tokens, len(result.replies)
    ([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0]], 3, 2)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .replies import EmbeddingsReply, embeddings_reply_from
from .usage import Cost, Usage

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_MAX_BATCH_BYTES",
    "DEFAULT_MAX_CONCURRENCY",
    "ENCODING_FORMATS",
    "MAX_BATCH_SIZE",
    "AsyncEmbeddingsSender",
    "EmbeddingsReply",
    "EmbeddingsResult",
    "EmbeddingsSender",
    "aembed",
    "check_texts",
    "embed",
    "embeddings_body",
    "embeddings_reply_from",
    "plan_batches",
]


class EmbeddingsSender(Protocol):
    """What :func:`embed` calls: one ``POST /embeddings`` per batch. :class:`~aimlapi_core.Client`
    is one; so is any wrapper with the same method (a progress bar, a counter). Embeddings call
    the client; the client does not know about batching.

    Example:
        >>> class Counting:  # counts the requests a client sends
        ...     def __init__(self, client):
        ...         self.client, self.sent = client, 0
        ...     def create_embeddings(self, body, **kwargs):
        ...         self.sent += 1
        ...         return self.client.create_embeddings(body, **kwargs)
        >>> import httpx
        >>> from aimlapi_core import Client, Settings
        >>> def reply(request):
        ...     return httpx.Response(200, json={"data": [{"index": 0, "embedding": [1.0]}]})
        >>> http = httpx.Client(transport=httpx.MockTransport(reply))
        >>> with Client(Settings(api_key="k"), http_client=http) as client:
        ...     counting = Counting(client)
        ...     result = embed(counting, ["a", "b"], batch_size=1)
        >>> result.vectors, counting.sent
        ([[1.0], [1.0]], 2)
    """

    def create_embeddings(self, body: Mapping[str, Any], **kwargs: Any) -> EmbeddingsReply:
        """Send ``body`` once (with the client's retries) and return its reply."""
        ...


class AsyncEmbeddingsSender(Protocol):
    """What :func:`aembed` calls: :class:`~aimlapi_core.AsyncClient` or a wrapper of it.

    Example:
        >>> import asyncio
        >>> class Quiet:  # a stand-in that is never called for no text
        ...     async def create_embeddings(self, body, **kwargs):
        ...         raise AssertionError("no request expected")
        >>> asyncio.run(aembed(Quiet(), [])).vectors
        []
    """

    async def create_embeddings(self, body: Mapping[str, Any], **kwargs: Any) -> EmbeddingsReply:
        """Send ``body`` once (with the client's retries) and return its reply."""
        ...


DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
"""The model used when none is named (AI/ML API's documented default)."""
DEFAULT_BATCH_SIZE = 128
"""Texts per request by default."""
MAX_BATCH_SIZE = 2048
"""OpenAI's limit of inputs in one embeddings request."""
DEFAULT_MAX_BATCH_BYTES = 500_000
"""UTF-8 bytes per request by default: about 100k-170k tokens, under OpenAI's 300k per request."""
DEFAULT_MAX_CONCURRENCY = 4
"""Async batches in flight at once by default."""
ENCODING_FORMATS = ("float", "base64")
"""What ``encoding_format`` may be (the reply is floats either way)."""

# Documented by AI/ML API (docs/capabilities/embeddings.md): native sizes, and which take
# `dimensions`. Keyed by the id without a vendor prefix.
_SHRINKABLE = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
_FIXED_SIZE = {"text-embedding-ada-002": 1536}


# --------------------------------------------------------------------------- input checks


def check_texts(texts: Any) -> list[str]:
    """``texts`` as a list, or ``TypeError`` naming the first item that is not a ``str``.

    A bare string is refused too: iterating it would embed each character.

    Example:
        >>> check_texts(("a", "b"))
        ['a', 'b']
        >>> check_texts(["a", 3])
        Traceback (most recent call last):
        ...
        TypeError: texts[1] is int, not str: embeddings take text; convert it with str() first.
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"texts must be a list of strings, got a single {type(texts).__name__}: "
            "wrap it in a list ([text]) to embed it as one text."
        )
    if not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}.")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(
                f"texts[{i}] is {type(text).__name__}, not str: embeddings take text; "
                "convert it with str() first."
            )
    return out


def _positive_int(name: str, value: Any, limit: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if limit is not None and value > limit:
        raise ValueError(f"{name} must be at most {limit}, got {value!r}.")
    return value


def _check_dimensions(model: str, dimensions: Any) -> int:
    dims = _positive_int("dimensions", dimensions)
    base = model.rsplit("/", 1)[-1]
    if base in _FIXED_SIZE:
        raise ValueError(
            f"{model!r} always returns {_FIXED_SIZE[base]} dimensions and takes no `dimensions`: "
            "leave dimensions out, or use text-embedding-3-small / text-embedding-3-large."
        )
    native = _SHRINKABLE.get(base)
    if native is not None and dims > native:
        raise ValueError(
            f"{model!r} returns at most {native} dimensions, got dimensions={dims}: "
            f"pass a value from 1 to {native}."
        )
    return dims


def embeddings_body(
    model: str,
    texts: list[str],
    *,
    dimensions: int | None = None,
    encoding_format: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body for one batch; ``ValueError`` names what to fix.

    ``extra_body`` adds provider parameters (``user``, Voyage's ``input_type`` ...); it cannot
    carry ``input``, which is the batch.

    Example:
        >>> embeddings_body("text-embedding-3-large", ["hi"], dimensions=256)
        {'model': 'text-embedding-3-large', 'input': ['hi'], 'dimensions': 256}
        >>> embeddings_body("text-embedding-ada-002", ["hi"], dimensions=256)
        Traceback (most recent call last):
        ...
        ValueError: 'text-embedding-ada-002' always returns 1536 dimensions and takes no \
`dimensions`: leave dimensions out, or use text-embedding-3-small / text-embedding-3-large.
    """
    if not isinstance(model, str) or not model:
        raise ValueError(f"model must be a non-empty model id, got {model!r}.")
    body: dict[str, Any] = {"model": model, "input": texts}
    if extra_body:
        if "input" in extra_body:
            raise ValueError("extra_body cannot set 'input': it is built from the texts, batched.")
        if "model" in extra_body:
            raise ValueError("extra_body cannot set 'model': pass model=... instead.")
        body.update(extra_body)
    if dimensions is not None:
        body["dimensions"] = _check_dimensions(model, dimensions)
    if encoding_format is not None:
        if encoding_format not in ENCODING_FORMATS:
            raise ValueError(
                f"encoding_format must be 'float' or 'base64', got {encoding_format!r} "
                "(the vectors come back as floats either way)."
            )
        body["encoding_format"] = encoding_format
    return body


# --------------------------------------------------------------------------- batching


def plan_batches(
    texts: Sequence[str],
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
) -> list[range]:
    """Consecutive index ranges of ``texts``: at most ``batch_size`` texts and
    ``max_batch_bytes`` UTF-8 bytes each; a text over the byte budget is alone in its batch.

    Example:
        >>> plan_batches(["aa", "bb", "cccccc", "d"], batch_size=3, max_batch_bytes=5)
        [range(0, 2), range(2, 3), range(3, 4)]
    """
    _positive_int("batch_size", batch_size, MAX_BATCH_SIZE)
    _positive_int("max_batch_bytes", max_batch_bytes)
    batches: list[range] = []
    start, size = 0, 0
    for i, text in enumerate(texts):
        n = len(text) if text.isascii() else len(text.encode())  # isascii() is O(1)
        if i > start and (i - start == batch_size or size + n > max_batch_bytes):
            batches.append(range(start, i))
            start, size = i, 0
        size += n
    if start < len(texts):
        batches.append(range(start, len(texts)))
    return batches


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class EmbeddingsResult:
    """What :func:`embed` returns: one vector per input text, in input order.

    ``usage`` and ``cost`` are summed over the batches (``None`` when no batch reported any);
    ``replies`` are the batches' replies, in input order.

    Example:
        >>> EmbeddingsResult([], "text-embedding-3-small", None, None, []).inference_ids
        []
    """

    vectors: list[list[float]]
    model: str
    usage: Usage | None
    cost: Cost | None
    replies: list[EmbeddingsReply]

    @property
    def inference_ids(self) -> list[str]:
        """AI/ML API's ``x-inference-id`` of each request, in batch order."""
        return [r.inference_id for r in self.replies if r.inference_id is not None]

    @property
    def inference_id(self) -> str | None:
        """The inference id when the texts took one request, else the first batch's."""
        ids = self.inference_ids
        return ids[0] if ids else None


def _sum_usage(usages: Iterable[Usage | None]) -> Usage | None:
    total: Usage | None = None
    for u in usages:
        if u is not None:
            total = u if total is None else total + u
    return total


def _sum_cost(costs: Iterable[Cost | None]) -> Cost | None:
    credits: float | None = None
    usd: float | None = None
    seen = False
    for c in costs:
        if c is None:
            continue
        seen = True
        if c.credits_used is not None:
            credits = c.credits_used if credits is None else credits + c.credits_used
        if c.usd_spent is not None:
            usd = c.usd_spent if usd is None else usd + c.usd_spent
    return Cost(credits, usd) if seen else None


def _result(model: str, batches: list[range], replies: list[EmbeddingsReply]) -> EmbeddingsResult:
    vectors: list[list[float]] = []
    for batch, reply in zip(batches, replies, strict=True):
        vectors.extend(reply.vectors(len(batch)))
    served = next((r.response.model for r in replies if r.response.model), None)
    return EmbeddingsResult(
        vectors,
        served or model,
        _sum_usage(r.usage for r in replies),
        _sum_cost(r.cost for r in replies),
        replies,
    )


# --------------------------------------------------------------------------- calls


@dataclass(frozen=True, slots=True)
class _Plan:
    texts: list[str]
    batches: list[range]
    bodies: list[dict[str, Any]]


def _plan(
    texts: Any,
    model: str,
    dimensions: int | None,
    encoding_format: str | None,
    batch_size: int,
    max_batch_bytes: int,
    extra_body: Mapping[str, Any] | None,
) -> _Plan:
    # Every check runs before the first request, so bad input never costs a call.
    items = check_texts(texts)
    embeddings_body(
        model, [], dimensions=dimensions, encoding_format=encoding_format, extra_body=extra_body
    )
    batches = plan_batches(items, batch_size, max_batch_bytes)
    bodies = [
        embeddings_body(
            model,
            items[b.start : b.stop],
            dimensions=dimensions,
            encoding_format=encoding_format,
            extra_body=extra_body,
        )
        for b in batches
    ]
    return _Plan(items, batches, bodies)


def embed(
    client: EmbeddingsSender,
    texts: Sequence[str],
    model: str = DEFAULT_EMBEDDING_MODEL,
    *,
    dimensions: int | None = None,
    encoding_format: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    extra_body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> EmbeddingsResult:
    """Embed ``texts`` with ``model``: one request per batch, vectors in input order.

    An empty list returns an empty result without a request. Empty strings are sent as they
    are (OpenAI's models refuse them with a 400; other providers may not). ``TypeError`` or
    ``ValueError`` for bad input come before any request; API failures raise the core's typed
    errors after its retries.

    Example:
        >>> from aimlapi_core import Client, Settings
        >>> embed(Client(Settings(api_key="k")), []).vectors  # no request
        []
    """
    plan = _plan(texts, model, dimensions, encoding_format, batch_size, max_batch_bytes, extra_body)
    replies = [
        client.create_embeddings(body, headers=headers, timeout=timeout) for body in plan.bodies
    ]
    return _result(model, plan.batches, replies)


async def aembed(
    client: AsyncEmbeddingsSender,
    texts: Sequence[str],
    model: str = DEFAULT_EMBEDDING_MODEL,
    *,
    dimensions: int | None = None,
    encoding_format: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    extra_body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> EmbeddingsResult:
    """The async :func:`embed`: batches go concurrently, at most ``max_concurrency`` at once.

    Batches may finish in any order; the vectors still come back in input order. When one
    batch fails, the others are cancelled and its error is raised.

    Example:
        >>> import asyncio
        >>> from aimlapi_core import AsyncClient, Settings
        >>> asyncio.run(aembed(AsyncClient(Settings(api_key="k")), [])).vectors
        []
    """
    _positive_int("max_concurrency", max_concurrency)
    plan = _plan(texts, model, dimensions, encoding_format, batch_size, max_batch_bytes, extra_body)
    if not plan.bodies:
        return _result(model, [], [])
    gate = asyncio.Semaphore(max_concurrency)

    async def send(body: dict[str, Any]) -> EmbeddingsReply:
        async with gate:
            return await client.create_embeddings(body, headers=headers, timeout=timeout)

    tasks = [asyncio.ensure_future(send(body)) for body in plan.bodies]
    try:
        replies = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return _result(model, plan.batches, list(replies))
