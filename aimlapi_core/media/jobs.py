"""Waiting for a long job (video, transcription): poll with backoff under an overall deadline.

A job is submitted once, then fetched until its ``status`` is terminal. Waits grow from
``interval`` by ``backoff`` up to ``max_interval``, and never run past the deadline: the last
fetch happens at the deadline. Then:

* ``completed`` → the last reply is returned;
* ``error`` / ``failed`` → :class:`~aimlapi_core.errors.GenerationFailedError` with the
  provider's reason;
* still ``queued`` / ``generating`` at the deadline →
  :class:`~aimlapi_core.errors.GenerationTimeoutError` carrying the generation id (the job goes
  on at AI/ML API; fetch it later by that id);
* cancelled: async waits are cancelled like any task (``asyncio.CancelledError``); sync waits
  take ``cancel=`` (a :class:`threading.Event` or a callable returning ``True`` to stop) and
  raise :class:`~aimlapi_core.errors.GenerationCancelledError`.

``on_progress`` is called with a :class:`JobProgress` after every fetch. ``clock`` and
``sleep`` are injectable, so tests run the whole schedule on a fake clock.

Example:
    >>> replies = iter([{"status": "queued"}, {"status": "generating"}, {"status": "completed"}])
    >>> waits = []
    >>> done = wait_for_job(lambda: next(replies), "g-1", sleep=waits.append,
    ...                     clock=lambda: 0.0, policy=PollPolicy(interval=1, backoff=2))
    >>> done, waits
    ({'status': 'completed'}, [1.0, 2.0])
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..errors import (
    AIMLAPIError,
    GenerationCancelledError,
    GenerationFailedError,
    GenerationTimeoutError,
)

__all__ = [
    "DONE_STATUSES",
    "FAILED_STATUSES",
    "CancelSignal",
    "JobProgress",
    "PollPolicy",
    "ProgressCallback",
    "await_job",
    "failure_reason",
    "job_status",
    "wait_for_job",
]

DONE_STATUSES = frozenset({"completed", "succeeded", "success", "done", "finished"})
FAILED_STATUSES = frozenset(
    {"error", "failed", "failure", "cancelled", "canceled", "expired", "rejected"}
)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How long to wait for a job and how often to look.

    Example:
        >>> PollPolicy(timeout=600, interval=2, max_interval=20, backoff=1.5).timeout
        600
        >>> PollPolicy(timeout=0)
        Traceback (most recent call last):
        ...
        ValueError: timeout must be a positive number of seconds, got 0.
    """

    timeout: float = 600.0
    """Overall deadline in seconds, from the first fetch."""
    interval: float = 2.0
    """First wait between fetches, in seconds."""
    max_interval: float = 20.0
    """Longest wait between fetches."""
    backoff: float = 1.5
    """Each wait is the previous one times this (at least 1)."""

    def __post_init__(self) -> None:
        for name in ("timeout", "interval", "max_interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}.")
        if isinstance(self.backoff, bool) or not isinstance(self.backoff, (int, float)):
            raise ValueError(f"backoff must be a number >= 1, got {self.backoff!r}.")
        if self.backoff < 1:
            raise ValueError(f"backoff must be a number >= 1, got {self.backoff!r}.")

    def with_waits(self, timeout: float, interval: float) -> PollPolicy:
        """This policy with a caller's deadline and first wait; the longest wait stays this
        policy's unless the first one is longer.

        Example:
            >>> PollPolicy(interval=5, max_interval=30).with_waits(60, 1).max_interval
            30
            >>> PollPolicy(interval=5, max_interval=30).with_waits(60, 45).max_interval
            45
        """
        return replace(
            self, timeout=timeout, interval=interval, max_interval=max(interval, self.max_interval)
        )


@dataclass(frozen=True, slots=True)
class JobProgress:
    """What ``on_progress`` receives after each fetch.

    Example:
        >>> JobProgress("g-1", "generating", polls=2, elapsed=3.0, data={}).status
        'generating'
    """

    generation_id: str
    status: str
    polls: int
    elapsed: float
    data: Mapping[str, Any]


ProgressCallback = Callable[[JobProgress], object]


CancelSignal = threading.Event | Callable[[], bool]
_Reply = TypeVar("_Reply")


def _data_of(reply: object) -> Mapping[str, Any]:
    data = getattr(reply, "data", reply)
    return data if isinstance(data, Mapping) else {}


def job_status(data: Mapping[str, Any]) -> str:
    """The job's status, lower-cased (``""`` when the reply has none).

    Example:
        >>> job_status({"status": "Completed"})
        'completed'
    """
    status = data.get("status")
    return str(status).strip().lower() if status is not None else ""


def failure_reason(data: Mapping[str, Any]) -> str | None:
    """The provider's reason for a failed job: ``error.message`` (with ``error.name``), an
    error inside ``output``/``result``, or ``None``.

    Example:
        >>> failure_reason({"status": "error", "error": {"name": "Safety", "message": "NSFW"}})
        'Safety: NSFW'
    """
    for holder in (data, data.get("output"), data.get("result")):
        if not isinstance(holder, Mapping):
            continue
        err = holder.get("error")
        if isinstance(err, Mapping):
            message, name = err.get("message"), err.get("name")
            if message and name and str(name) not in str(message):
                return f"{name}: {message}"
            if message or name:
                return str(message or name)
        elif isinstance(err, str) and err:
            return err
    message = data.get("message")
    return str(message) if message else None


class _Poller:
    """The schedule and the decisions both waits share (no I/O here)."""

    def __init__(
        self,
        generation_id: str,
        policy: PollPolicy | None,
        on_progress: ProgressCallback | None,
        clock: Callable[[], float],
    ) -> None:
        self.generation_id = generation_id
        self.policy = policy or PollPolicy()
        self.on_progress = on_progress
        self.clock = clock
        self.started = clock()
        self.deadline = self.started + self.policy.timeout
        self.delay = float(self.policy.interval)
        self.polls = 0
        self.status = ""

    def after_fetch(self, reply: object) -> tuple[float | None, object]:
        """``(None, callback result)`` when done, else ``(seconds to wait, callback result)``."""
        data = _data_of(reply)
        self.polls += 1
        self.status = job_status(data)
        now = self.clock()
        result: object = None
        if self.on_progress is not None:
            result = self.on_progress(
                JobProgress(self.generation_id, self.status, self.polls, now - self.started, data)
            )
        if self.status in DONE_STATUSES:
            return None, result
        if self.status in FAILED_STATUSES:
            raise self.failed(data)
        remaining = self.deadline - now
        if remaining <= 0:
            raise GenerationTimeoutError(
                f"Generation {self.generation_id} was still {self.status or 'running'} after "
                f"{self.policy.timeout:g} s ({self.polls} checks). It goes on at AI/ML API: "
                "fetch it later by its generation_id, or raise the timeout.",
                generation_id=self.generation_id,
                last_status=self.status or None,
            )
        wait = min(self.delay, remaining)
        self.delay = min(self.delay * self.policy.backoff, float(self.policy.max_interval))
        return wait, result

    def failed(self, data: Mapping[str, Any]) -> GenerationFailedError:
        reason = failure_reason(data)
        return GenerationFailedError(
            f"Generation {self.generation_id} ended with status {self.status!r}"
            + (f": {reason}" if reason else " (the provider gave no reason)")
            + ". Change the prompt or parameters and try again.",
            generation_id=self.generation_id,
            reason=reason,
            status=self.status,
            body=json.dumps(dict(data), default=str)[:4000],
        )

    def cancelled(self) -> GenerationCancelledError:
        return GenerationCancelledError(
            f"Stopped waiting for generation {self.generation_id} (cancelled after "
            f"{self.polls} checks); the job may still finish at AI/ML API.",
            generation_id=self.generation_id,
        )


def _is_cancelled(cancel: CancelSignal | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def wait_for_job(
    fetch: Callable[[], _Reply],
    generation_id: str,
    *,
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelSignal | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
) -> _Reply:
    """Call ``fetch`` until the job is done and return its last reply; see the module docs.

    ``cancel`` is checked before every fetch and while waiting: with a
    :class:`threading.Event` (and the default ``sleep``) a wait ends as soon as it is set.
    """
    poller = _Poller(generation_id, policy, on_progress, clock)
    while True:
        if _is_cancelled(cancel):
            raise poller.cancelled()
        reply = fetch()
        wait, _ = poller.after_fetch(reply)
        if wait is None:
            return reply
        if sleep is not None:
            sleep(wait)
        elif isinstance(cancel, threading.Event):
            cancel.wait(wait)
        else:
            time.sleep(wait)


async def await_job(
    fetch: Callable[[], Awaitable[_Reply]],
    generation_id: str,
    *,
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> _Reply:
    """The async :func:`wait_for_job`: cancel the task to stop waiting. ``on_progress`` may be
    a plain function or a coroutine function.

    Example:
        >>> async def fetch():
        ...     return {"status": "error", "error": {"name": "Error", "message": "no credits"}}
        >>> asyncio.run(await_job(fetch, "g-2"))
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.GenerationFailedError: Generation g-2 ended with status 'error': \
Error: no credits. Change the prompt or parameters and try again.
    """
    poller = _Poller(generation_id, policy, on_progress, clock)
    while True:
        reply = await fetch()
        wait, result = poller.after_fetch(reply)
        if inspect.isawaitable(result):
            await result
        if wait is None:
            return reply
        await sleep(wait)


def require(value: Any, what: str, data: Mapping[str, Any], generation_id: str | None) -> Any:
    """``value`` if present, else an error saying the finished job's reply lacks ``what``."""
    if value:
        return value
    raise AIMLAPIError(
        f"The job {generation_id or ''} finished but its reply has no {what}: "
        f"{json.dumps(dict(data), default=str)[:300]}",
        status_code=200,
        request_id=generation_id,
        body=json.dumps(dict(data), default=str)[:4000],
    )
