"""``AIMLAPILLM``: LangChain's text-in, text-out ``BaseLLM`` over AI/ML API chat completions.

AI/ML API serves no legacy ``/completions`` endpoint, so each prompt is sent as one user message
to ``/chat/completions``, with the same parameters, per-model shaping, retries and typed errors
as ``ChatAIMLAPI``.

Example:
    >>> from langchain_aimlapi import AIMLAPILLM
    >>> llm = AIMLAPILLM(model="gpt-4o-mini", max_tokens=64)  # doctest: +SKIP
    >>> llm.invoke("Write a haiku about rain")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
from pydantic import Field

from aimlapi_core import ChatReply, StreamDelta, Usage

from ._openai_compat import LLM_NAMES, ClientOptions, Refuse, Rename, split_call_options
from ._params import AIMLAPIRequestParams
from ._tokens import TokenCounting
from .errors import maps_errors


def _prompt_messages(prompt: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": prompt}]


def _usage_info(usage: Usage | None) -> dict[str, Any]:
    if usage is None:
        return {}
    info: dict[str, Any] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_input_tokens is not None:
        info["cached_input_tokens"] = usage.cached_input_tokens
    if usage.reasoning_tokens is not None:
        info["reasoning_tokens"] = usage.reasoning_tokens
    return {"usage": info}


def _generations(reply: ChatReply) -> list[Generation]:
    completion = reply.completion
    shared: dict[str, Any] = {"model_name": completion.model, **_usage_info(reply.usage)}
    if reply.cost is not None:
        shared["cost"] = reply.cost.as_dict()
    if reply.inference_id:
        shared["inference_id"] = reply.inference_id
    return [
        Generation(
            text=choice.message.text,
            generation_info={"finish_reason": choice.finish_reason, **shared}
            | ({"logprobs": choice.logprobs} if choice.logprobs is not None else {}),
        )
        for choice in completion.choices
    ]


def _token_usage(usages: list[Usage | None]) -> dict[str, int]:
    total = sum((u for u in usages if u is not None), Usage())
    return {
        "prompt_tokens": total.input_tokens,
        "completion_tokens": total.output_tokens,
        "total_tokens": total.total_tokens,
    }


def _chunk(delta: StreamDelta, inference_id: str | None) -> GenerationChunk | None:
    choice = next((c for c in delta.choices if c.index == 0), None)
    info: dict[str, Any] = {}
    if choice is not None and choice.finish_reason:
        info["finish_reason"] = choice.finish_reason
        if inference_id:
            info["inference_id"] = inference_id
    info.update(_usage_info(delta.usage))
    if delta.cost is not None:
        info["cost"] = delta.cost.as_dict()
    text = choice.content or "" if choice is not None else ""
    if not text and not info:
        return None
    return GenerationChunk(text=text, generation_info=info or None)


class _Lookahead:
    """Holds back one text chunk so that what follows it without text (finish reason, usage,
    cost) joins it instead of going out as trailing empty chunks.

    Example:
        >>> held = _Lookahead()
        >>> held.push(GenerationChunk(text="Hi")), held.push(GenerationChunk(text="!"))
        (None, GenerationChunk(text='Hi'))
        >>> held.push(GenerationChunk(text="", generation_info={"finish_reason": "stop"}))
        >>> held.flush()
        GenerationChunk(text='!', generation_info={'finish_reason': 'stop'})
    """

    def __init__(self) -> None:
        self._held: GenerationChunk | None = None

    def push(self, chunk: GenerationChunk) -> GenerationChunk | None:
        """Take a chunk; return the one to send now, if any."""
        if self._held is None or not chunk.text:
            self._held = chunk if self._held is None else self._held + chunk
            return None
        out, self._held = self._held, chunk
        return out

    def flush(self) -> GenerationChunk | None:
        """The chunk still held at the end of the stream."""
        out, self._held = self._held, None
        return out


def _usage_of(generation: Generation) -> Usage | None:
    info = (generation.generation_info or {}).get("usage")
    if not isinstance(info, dict):
        return None
    return Usage(
        input_tokens=info.get("input_tokens", 0),
        output_tokens=info.get("output_tokens", 0),
        total_tokens=info.get("total_tokens", 0),
    )


class AIMLAPILLM(TokenCounting, ClientOptions, AIMLAPIRequestParams, BaseLLM):
    """AI/ML API as a string-in, string-out LangChain LLM (``PromptTemplate | llm | parser``).

    Same settings as ``ChatAIMLAPI``; ``generation_info`` carries the finish reason, usage
    (input, output, total, cached and reasoning tokens), cost and inference id; ``llm_output``
    sums token usage over prompts (streamed or not). ``generate`` with several prompts sends
    up to :attr:`batch_size` of them at once (one request each: AI/ML API has no batch
    completions endpoint). ``stream`` yields text chunks only: the finish reason, usage and
    cost ride on the last one.

    Example:
        .. code-block:: python

            from langchain_core.output_parsers import StrOutputParser
            from langchain_core.prompts import PromptTemplate
            from langchain_aimlapi import AIMLAPILLM

            prompt = PromptTemplate.from_template("Name a {thing}.")
            chain = prompt | AIMLAPILLM() | StrOutputParser()
            chain.invoke({"thing": "colour"})
    """

    _ls_model_type: ClassVar[Literal["chat", "llm"]] = "llm"

    batch_size: int = Field(default=20, ge=1)
    """Most prompts of one ``generate``/``agenerate`` call in flight at once (``OpenAI``'s
    name: there it is prompts per request; here each prompt is its own request)."""

    _openai_names: ClassVar[Mapping[str, Rename | Refuse]] = LLM_NAMES

    def _call_request(
        self, messages: list[dict[str, Any]], stop: list[str] | None, *, stream: bool, **kwargs: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The body and the request options (``extra_headers``, ``timeout``) of one call."""
        options = split_call_options(kwargs)
        return self._request_body(messages, stop, stream=stream, **kwargs), options

    @property
    def _llm_type(self) -> str:
        return "aimlapi"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_aimlapi", "llms"]

    def _result(self, generations: list[list[Generation]]) -> LLMResult:
        return LLMResult(
            generations=generations,
            llm_output={
                "token_usage": _token_usage([_usage_of(g[0]) for g in generations if g]),
                "model_name": self.model_name,
            },
        )

    @maps_errors
    def _one(
        self,
        prompt: str,
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        kwargs: dict[str, Any],
    ) -> list[Generation]:
        if self.streaming:
            full: GenerationChunk | None = None
            for chunk in self._stream(prompt, stop, run_manager, **kwargs):
                full = chunk if full is None else full + chunk
            return [full or GenerationChunk(text="")]
        body, options = self._call_request(_prompt_messages(prompt), stop, stream=False, **kwargs)
        return _generations(self.client.chat_completion(body, **options))

    @maps_errors
    async def _aone(
        self,
        prompt: str,
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        kwargs: dict[str, Any],
    ) -> list[Generation]:
        if self.streaming:
            full: GenerationChunk | None = None
            async for chunk in self._astream(prompt, stop, run_manager, **kwargs):
                full = chunk if full is None else full + chunk
            return [full or GenerationChunk(text="")]
        body, options = self._call_request(_prompt_messages(prompt), stop, stream=False, **kwargs)
        return _generations(await self.async_client.chat_completion(body, **options))

    @maps_errors
    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        if len(prompts) <= 1:
            return self._result([self._one(p, stop, run_manager, kwargs) for p in prompts])
        # One request per prompt, up to batch_size at once (the sync client is thread-safe).
        # The first body is built here too: a worker thread's stack holds no user frame, so a
        # shaping warning (once per rule and model) must be raised in the caller's thread.
        with contextlib.suppress(Exception):  # a bad prompt fails in its own call, as before
            self._call_request(_prompt_messages(prompts[0]), stop, stream=False, **kwargs)
        workers = min(self.batch_size, len(prompts))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aimlapi") as pool:
            futures = [pool.submit(self._one, p, stop, run_manager, kwargs) for p in prompts]
            return self._result([f.result() for f in futures])

    @maps_errors
    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        gate = asyncio.Semaphore(self.batch_size)

        async def one(prompt: str) -> list[Generation]:
            async with gate:
                return await self._aone(prompt, stop, run_manager, kwargs)

        return self._result(list(await asyncio.gather(*(one(p) for p in prompts))))

    @maps_errors
    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        body, options = self._call_request(_prompt_messages(prompt), stop, stream=True, **kwargs)
        held = _Lookahead()
        with self.client.stream_chat_completion(body, **options) as stream:
            for delta in stream:
                chunk = _chunk(delta, stream.inference_id)
                ready = held.push(chunk) if chunk is not None else None
                if ready is not None:
                    if run_manager:
                        run_manager.on_llm_new_token(ready.text, chunk=ready)
                    yield ready
        last = held.flush()
        if last is not None:
            if run_manager:
                run_manager.on_llm_new_token(last.text, chunk=last)
            yield last

    @maps_errors
    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        body, options = self._call_request(_prompt_messages(prompt), stop, stream=True, **kwargs)
        held = _Lookahead()
        stream = await self.async_client.stream_chat_completion(body, **options)
        async with stream:
            async for delta in stream:
                chunk = _chunk(delta, stream.inference_id)
                ready = held.push(chunk) if chunk is not None else None
                if ready is not None:
                    if run_manager:
                        await run_manager.on_llm_new_token(ready.text, chunk=ready)
                    yield ready
        last = held.flush()
        if last is not None:
            if run_manager:
                await run_manager.on_llm_new_token(last.text, chunk=last)
            yield last


AimlapiLLM = AIMLAPILLM
"""Alias for users of the older ``langchain-aimlapi`` package."""
