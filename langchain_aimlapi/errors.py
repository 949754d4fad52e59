"""The core's typed errors, re-raised as LangChain's standard model errors too.

Each class subclasses both the ``aimlapi_core`` error and the matching
``langchain_core.exceptions.Model*Error``, so ``except RateLimitError`` and
``except ModelRateLimitError`` both work (as ``ChatOpenAI`` does with the openai SDK's).

Example:
    >>> from aimlapi_core import RateLimitError
    >>> err = as_langchain_error(RateLimitError("slow down", status_code=429))
    >>> isinstance(err, RateLimitError), type(err).__name__
    (True, 'AIMLAPIRateLimitError')
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing, contextmanager
from typing import Any, TypeVar

import aimlapi_core.errors as core

try:  # langchain-core >= 1.3 has standard model errors
    from langchain_core.exceptions import (
        ModelAPIError,
        ModelAuthenticationError,
        ModelConnectionError,
        ModelError,
        ModelInvalidRequestError,
        ModelNotFoundError,
        ModelPermissionDeniedError,
        ModelRateLimitError,
        ModelTimeoutError,
    )
except ImportError:  # pragma: no cover - older langchain-core
    ModelError = ModelAPIError = ModelAuthenticationError = ModelConnectionError = Exception  # type: ignore[misc,assignment]
    ModelInvalidRequestError = ModelNotFoundError = ModelPermissionDeniedError = Exception  # type: ignore[misc,assignment]
    ModelRateLimitError = ModelTimeoutError = Exception  # type: ignore[misc,assignment]

try:  # langchain-core >= 1.7.5
    from langchain_core.exceptions import ModelRefusalError
except ImportError:  # pragma: no cover - older langchain-core

    class ModelRefusalError(ValueError):  # type: ignore[no-redef]
        """Stand-in for ``langchain_core.exceptions.ModelRefusalError`` (langchain-core 1.7.5)."""

        def __init__(self, message: str = "", *, raw_message: Any = None) -> None:
            self.raw_message = raw_message
            super().__init__(message)


class AIMLAPIBadRequestError(core.BadRequestError, ModelInvalidRequestError):
    """400 from AI/ML API."""


class AIMLAPIAuthenticationError(core.AuthenticationError, ModelAuthenticationError):
    """401 from AI/ML API."""


class AIMLAPIPermissionDeniedError(core.PermissionDeniedError, ModelPermissionDeniedError):
    """403 from AI/ML API (out of credits)."""


class AIMLAPINotFoundError(core.NotFoundError, ModelNotFoundError):
    """404 from AI/ML API (unknown model id or wrong base URL)."""


class AIMLAPIRateLimitError(core.RateLimitError, ModelRateLimitError):
    """429 from AI/ML API, after the retries."""


class AIMLAPIServerError(core.ServerError, ModelAPIError):
    """5xx from AI/ML API, after the retries."""


class AIMLAPIConnectionError(core.APIConnectionError, ModelConnectionError):
    """AI/ML API could not be reached."""


class AIMLAPITimeoutError(core.APITimeoutError, ModelTimeoutError):
    """A request to AI/ML API timed out."""


class AIMLAPIStreamError(core.StreamError, ModelAPIError):
    """A stream that carried an error event or ended before its terminal event."""


class AIMLAPIResponseFailedError(core.ResponseFailedError, ModelAPIError):
    """A ``/v1/responses`` call that ended with status ``failed``."""


class AIMLAPIRefusalError(ModelRefusalError):
    """The model refused a structured-output request (its ``refusal`` text is in the message
    and in :attr:`refusal`), or a content filter stopped it; like ``OpenAIRefusalError``.

    Example:
        >>> err = AIMLAPIRefusalError("refused: I can't help with that", refusal="I can't")
        >>> err.refusal, isinstance(err, ModelRefusalError)
        ("I can't", True)
    """

    def __init__(
        self, message: str, *, raw_message: Any = None, refusal: str | None = None
    ) -> None:
        super().__init__(message, raw_message=raw_message)
        self.refusal = refusal


_BY_CORE: dict[type[core.AIMLAPIError], type[core.AIMLAPIError]] = {
    core.StreamError: AIMLAPIStreamError,
    core.ResponseFailedError: AIMLAPIResponseFailedError,
    core.BadRequestError: AIMLAPIBadRequestError,
    core.UnprocessableEntityError: AIMLAPIBadRequestError,
    core.AuthenticationError: AIMLAPIAuthenticationError,
    core.PermissionDeniedError: AIMLAPIPermissionDeniedError,
    core.NotFoundError: AIMLAPINotFoundError,
    core.RateLimitError: AIMLAPIRateLimitError,
    core.ServerError: AIMLAPIServerError,
    core.APIConnectionError: AIMLAPIConnectionError,
    core.APITimeoutError: AIMLAPITimeoutError,
}


def as_langchain_error(error: core.AIMLAPIError) -> core.AIMLAPIError:
    """The same error (message, status, ids, body) as its LangChain-aware subclass."""
    cls = _BY_CORE.get(type(error))
    if cls is None:
        return error
    converted = cls.__new__(cls)
    converted.args = error.args
    converted.__dict__.update(error.__dict__)
    return converted


@contextmanager
def langchain_errors() -> Iterator[None]:
    """Re-raise core errors inside the block as their LangChain-aware subclasses."""
    try:
        yield
    except core.AIMLAPIError as error:
        converted = as_langchain_error(error)
        if converted is error:
            raise
        raise converted.with_traceback(error.__traceback__) from error.__cause__


F = TypeVar("F", bound=Callable[..., Any])

MAPS_ERRORS = "__aimlapi_maps_langchain_errors__"
"""Marker attribute set by :func:`maps_errors` (a test checks every entry point has it)."""


def maps_errors(fn: F) -> F:
    """Run ``fn`` (function, coroutine, generator or async generator) inside
    :func:`langchain_errors`, the whole body and every step of its iteration.

    Every method that reaches the network is decorated, so no path (a stream opened before
    its first chunk, a batch, a fallback) can leak a core-only error.

    Example:
        >>> @maps_errors
        ... def stream():
        ...     yield 1
        ...     raise core.RateLimitError("slow down", status_code=429)
        >>> try:
        ...     list(stream())
        ... except ModelRateLimitError as err:
        ...     type(err).__name__
        'AIMLAPIRateLimitError'
    """
    wrapper: Callable[..., Any]
    if inspect.isasyncgenfunction(fn):

        async def agen_wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            with langchain_errors():
                async with aclosing(fn(*args, **kwargs)) as items:
                    async for item in items:
                        yield item

        wrapper = agen_wrapper
    elif inspect.isgeneratorfunction(fn):

        def gen_wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with langchain_errors():
                yield from fn(*args, **kwargs)

        wrapper = gen_wrapper
    elif inspect.iscoroutinefunction(fn):

        async def coro_wrapper(*args: Any, **kwargs: Any) -> Any:
            with langchain_errors():
                return await fn(*args, **kwargs)

        wrapper = coro_wrapper
    else:

        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            with langchain_errors():
                return fn(*args, **kwargs)

        wrapper = sync_wrapper
    functools.update_wrapper(wrapper, fn)
    setattr(wrapper, MAPS_ERRORS, True)
    return wrapper  # type: ignore[return-value]
