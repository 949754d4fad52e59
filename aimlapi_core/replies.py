"""Typed replies of the three endpoints, and the one builder that makes them.

A :class:`ChatReply` (or :class:`ResponsesReply`) is the same object whether the call was
streamed or not (a stream's ``result()`` folds its chunks into one, see
:mod:`aimlapi_core.streaming`); :class:`EmbeddingsReply` is one ``POST /embeddings`` reply.
Each is its body plus what AI/ML API says outside it: the inference id and the cost, looked up
in one place, :func:`build_reply`.

A chat reply must hold an answer: a 200 body with no usable choice (``{}``,
``{"choices": []}``, ``choices: null``, a choice whose ``message`` is null) raises
:class:`~aimlapi_core.errors.EmptyReplyError` here, before any adapter sees it.

Example:
    >>> reply = chat_reply_from({"choices": [{"message": {"content": "hi"}}]},
    ...                         {"x-inference-id": "inf-1", "x-aimlapi-usd-spent": "0.5"})
    >>> reply.completion.choices[0].message.content, reply.inference_id, reply.cost.usd_spent
    ('hi', 'inf-1', 0.5)
    >>> chat_reply_from({"choices": []}, {})
    Traceback (most recent call last):
    ...
    aimlapi_core.errors.EmptyReplyError: AI/ML API answered with no usable choice (`choices` \
is empty): there is no answer to return. Retry, or check the model id and the request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import ValidationError

from .errors import AIMLAPIError, EmptyReplyError, stream_error_from_event
from .usage import Cost, Usage, cost_from_headers, inference_id_from
from .wire.chat import ChatCompletion
from .wire.embeddings import EmbeddingsResponse
from .wire.responses import Response

__all__ = [
    "ChatReply",
    "EmbeddingsReply",
    "ResponsesReply",
    "build_reply",
    "chat_reply_from",
    "check_chat_choices",
    "embeddings_reply_from",
    "raise_if_failed",
    "responses_reply_from",
]


@dataclass(slots=True)
class ChatReply:
    """A chat completion plus what AI/ML API says about it outside the body."""

    completion: ChatCompletion
    inference_id: str | None
    cost: Cost | None
    headers: Mapping[str, str]

    @property
    def usage(self) -> Usage | None:
        """Normalised token usage."""
        return self.completion.normalised_usage


@dataclass(slots=True)
class ResponsesReply:
    """A Responses API result plus inference id and cost."""

    response: Response
    inference_id: str | None
    cost: Cost | None
    headers: Mapping[str, str]

    @property
    def usage(self) -> Usage | None:
        """Normalised token usage."""
        return self.response.normalised_usage


@dataclass(slots=True)
class EmbeddingsReply:
    """One ``POST /v1/embeddings`` reply plus what AI/ML API says about it outside the body.

    Example:
        >>> reply = embeddings_reply_from({"data": [{"index": 1, "embedding": [2.0]},
        ...     {"index": 0, "embedding": [1.0]}]}, {"x-inference-id": "inf-1"})
        >>> reply.vectors(2), reply.inference_id
        ([[1.0], [2.0]], 'inf-1')
    """

    response: EmbeddingsResponse
    inference_id: str | None
    cost: Cost | None
    headers: Mapping[str, str]

    @property
    def usage(self) -> Usage | None:
        """Normalised token usage; every token of an embedding is input, so a reply with only
        ``total_tokens`` (Voyage) counts them as input too."""
        usage = self.response.normalised_usage
        if usage is not None and not usage.input_tokens and not usage.output_tokens:
            usage = replace(usage, input_tokens=usage.total_tokens)
        return usage

    def vectors(self, expected: int | None = None) -> list[list[float]]:
        """The vectors ordered by ``index`` (by position when the server sends no index).

        With ``expected``, an :class:`~aimlapi_core.errors.AIMLAPIError` is raised unless there
        is exactly one vector for each of that many inputs.
        """
        items = self.response.data
        indices = [item.index for item in items if item.index is not None]
        if not indices:
            ordered = list(items)
        elif sorted(indices) == list(range(len(items))):
            ordered = sorted(items, key=lambda item: item.index or 0)
        else:
            raise self._mismatch(expected, f"indices {[item.index for item in items]}")
        if expected is not None and len(ordered) != expected:
            raise self._mismatch(expected, f"{len(ordered)} embeddings")
        try:
            return [item.vector() for item in ordered]
        except AIMLAPIError as exc:  # undecodable base64: say which reply it was
            exc.inference_id = exc.request_id = self.inference_id
            exc.status_code = 200
            raise

    def _mismatch(self, expected: int | None, got: str) -> AIMLAPIError:
        wanted = f"{expected} inputs" if expected is not None else "its inputs"
        return AIMLAPIError(
            f"The embeddings reply does not match {wanted}: it carries {got}.",
            status_code=200,
            inference_id=self.inference_id,
            request_id=self.inference_id,
        )


ReplyT = TypeVar("ReplyT", ChatReply, ResponsesReply, EmbeddingsReply)


def build_reply(cls: type[ReplyT], body: Any, headers: Mapping[str, str]) -> ReplyT:
    """``cls`` around a validated ``body``, with the inference id and the cost (the body's
    ``meta.usage``, else the ``x-aimlapi-*`` headers): the one place every reply gets them.

    Example:
        >>> build_reply(ChatReply, ChatCompletion(), {"x-inference-id": "i"}).inference_id
        'i'
    """
    return cls(body, inference_id_from(headers), body.cost or cost_from_headers(headers), headers)


def check_chat_choices(data: Mapping[str, Any], headers: Mapping[str, str]) -> None:
    """Raise :class:`EmptyReplyError` unless the chat completion ``data`` has a usable choice
    (a choice whose ``message`` is an object).

    Example:
        >>> check_chat_choices({"choices": [{"message": {"content": ""}}]}, {})
        >>> check_chat_choices({"choices": [{"message": None}]}, {})
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.EmptyReplyError: AI/ML API answered with no usable choice (no \
choice has a `message`): there is no answer to return. Retry, or check the model id and the \
request.
    """
    choices = data.get("choices")
    if isinstance(choices, list) and any(
        isinstance(c, Mapping) and isinstance(c.get("message"), Mapping) for c in choices
    ):
        return
    if "choices" not in data:
        why = "no `choices`"
    elif choices is None:
        why = "`choices` is null"
    elif not isinstance(choices, list):
        why = f"`choices` is {type(choices).__name__}, not a list"
    elif not choices:
        why = "`choices` is empty"
    else:
        why = "no choice has a `message`"
    inference_id = inference_id_from(headers)
    raise EmptyReplyError(
        f"AI/ML API answered with no usable choice ({why}): there is no answer to return. "
        "Retry, or check the model id and the request."
        + (f" (request id {inference_id})" if inference_id else ""),
        status_code=200,
        request_id=inference_id,
        inference_id=inference_id,
        body=json.dumps(data, default=str)[:2000],
    )


def chat_reply_from(data: dict[str, Any], headers: Mapping[str, str]) -> ChatReply:
    """A non-streamed chat completion body and its headers → :class:`ChatReply`; a body with
    no usable choice raises :class:`EmptyReplyError`."""
    check_chat_choices(data, headers)
    return build_reply(ChatReply, ChatCompletion.model_validate(data), headers)


def raise_if_failed(response: Response, inference_id: str | None) -> None:
    """Raise :class:`ResponseFailedError` for a ``failed`` response, with its error and id.

    Example:
        >>> raise_if_failed(Response(status="failed", error={"code": "server_error",
        ...     "message": "The model crashed"}), "inf-1")
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.ResponseFailedError: The response failed: The model crashed
    """
    if response.status != "failed":
        return
    raise stream_error_from_event(
        {"error": response.error or {"message": "the response failed without an error"}},
        inference_id=inference_id,
        failed=True,
    )


def responses_reply_from(data: dict[str, Any], headers: Mapping[str, str]) -> ResponsesReply:
    """A non-streamed Responses body and its headers → :class:`ResponsesReply`.

    A body whose ``status`` is ``failed`` raises :class:`ResponseFailedError`, as the
    ``response.failed`` event of a stream does.
    """
    response = Response.model_validate(data)
    raise_if_failed(response, inference_id_from(headers))
    return build_reply(ResponsesReply, response, headers)


def embeddings_reply_from(data: dict[str, Any], headers: Mapping[str, str]) -> EmbeddingsReply:
    """A ``POST /v1/embeddings`` body and its headers → :class:`EmbeddingsReply`."""
    try:
        response = EmbeddingsResponse.model_validate(data)
    except ValidationError as exc:
        raise AIMLAPIError(
            f"The embeddings reply has an unexpected shape: {exc.errors()[0]['msg']} at "
            f"{'.'.join(map(str, exc.errors()[0]['loc']))}.",
            status_code=200,
            inference_id=inference_id_from(headers),
            body=json.dumps(data)[:2000],
        ) from exc
    return build_reply(EmbeddingsReply, response, headers)


_MOVED = {
    "AsyncChatStream",
    "AsyncResponsesStream",
    "ChatStream",
    "ResponsesStream",
}


def __getattr__(name: str) -> Any:
    # The stream wrappers moved to aimlapi_core.streaming; old imports keep working.
    if name in _MOVED:
        from . import streaming

        return getattr(streaming, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
