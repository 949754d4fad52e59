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

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import Generation, GenerationChunk, LLMResult

from aimlapi_core import ChatReply, StreamDelta, Usage

from ._params import AIMLAPIRequestParams
from .errors import langchain_errors


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


class AIMLAPILLM(AIMLAPIRequestParams, BaseLLM):
    """AI/ML API as a string-in, string-out LangChain LLM (``PromptTemplate | llm | parser``).

    Same settings as ``ChatAIMLAPI``; ``generation_info`` carries the finish reason, usage
    (input, output, total, cached and reasoning tokens), cost and inference id; ``llm_output``
    sums token usage over prompts.

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

    @property
    def _llm_type(self) -> str:
        return "aimlapi"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_aimlapi", "llms"]

    def _result(self, replies: list[ChatReply]) -> LLMResult:
        return LLMResult(
            generations=[_generations(r) for r in replies],
            llm_output={
                "token_usage": _token_usage([r.usage for r in replies]),
                "model_name": self.model_name,
            },
        )

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        if self.streaming:
            generations = []
            for prompt in prompts:
                full: GenerationChunk | None = None
                for chunk in self._stream(prompt, stop, run_manager, **kwargs):
                    full = chunk if full is None else full + chunk
                generations.append([full or GenerationChunk(text="")])
            return LLMResult(generations=generations, llm_output={"model_name": self.model_name})  # type: ignore[arg-type]
        replies = []
        with langchain_errors():
            for prompt in prompts:
                body = self._request_body(_prompt_messages(prompt), stop, stream=False, **kwargs)
                replies.append(self.client.chat_completion(body))
        return self._result(replies)

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        if self.streaming:
            generations = []
            for prompt in prompts:
                full: GenerationChunk | None = None
                async for chunk in self._astream(prompt, stop, run_manager, **kwargs):
                    full = chunk if full is None else full + chunk
                generations.append([full or GenerationChunk(text="")])
            return LLMResult(generations=generations, llm_output={"model_name": self.model_name})  # type: ignore[arg-type]
        replies = []
        with langchain_errors():
            for prompt in prompts:
                body = self._request_body(_prompt_messages(prompt), stop, stream=False, **kwargs)
                replies.append(await self.async_client.chat_completion(body))
        return self._result(replies)

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        body = self._request_body(_prompt_messages(prompt), stop, stream=True, **kwargs)
        with langchain_errors(), self.client.stream_chat_completion(body) as stream:
            for delta in stream:
                chunk = _chunk(delta, stream.inference_id)
                if chunk is None:
                    continue
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        body = self._request_body(_prompt_messages(prompt), stop, stream=True, **kwargs)
        with langchain_errors():
            stream = await self.async_client.stream_chat_completion(body)
            async with stream:
                async for delta in stream:
                    chunk = _chunk(delta, stream.inference_id)
                    if chunk is None:
                        continue
                    if run_manager:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk


AimlapiLLM = AIMLAPILLM
"""Alias for users of the older ``langchain-aimlapi`` package."""
