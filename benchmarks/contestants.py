"""The contestants: one small adapter per integration, with the same four operations.

Each adapter is built on a base URL of the benchmark server and offers ``call()`` (one
non-streamed request, reply decoded), ``acall()`` (the same, awaited), ``stream_text()`` and
``stream_tools()`` (consume a whole streamed reply, return how many items came out). Every
client is built once and reused, so its connection pool stays warm, as in a real app.

The floor, ``raw-httpx``, is what any integration has to do at least: one pooled
``httpx.Client`` POSTing the JSON body and ``json.loads`` of the reply (streams: ``iter_lines``
and ``json.loads`` of each ``data:`` line).

The two "framework alone" contestants do no I/O at all: a minimal chat model of each
framework that turns the already decoded replies into the framework's own objects (LangChain:
``AIMessage``/``AIMessageChunk`` through ``BaseChatModel.invoke``/``stream``; LlamaIndex:
cumulative ``ChatResponse`` s through ``llm_chat_callback``). Their cost is what the framework
charges any integration, so raw + framework alone is the best ratio an integration can reach
on paper.

The two "on raw httpx" contestants are the same minimal models fed live by the raw-httpx floor
(``post`` + ``json.loads``; ``iter_lines`` + ``json.loads``): an integration with no code of
its own, measured like the others. Per streamed chunk the framework's code now runs between
httpx's, as in every real integration, and that costs more than the two measured apart (the
CPU's caches and branch predictors serve two code paths instead of one): this is the floor an
integration is really up against.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import wire
from .wire import MODEL, PROMPT, TOOL_NAME

API_KEY = "sk-bench-not-a-real-key"


def summarize(text: str) -> str:
    """Summarize a text in one sentence."""
    return text[:40]


def _request(stream: bool = False, tools: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    if tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "description": "Summarize a text in one sentence.",
                    "parameters": {
                        "type": "object",
                        "properties": {"text": {"type": "string"}},
                        "required": ["text"],
                    },
                },
            }
        ]
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


class Adapter:
    """One contestant on one server: ``call``, ``acall``, ``stream_text``, ``stream_tools``."""

    name = ""

    def __init__(self, server: str, n_stream: int) -> None:
        self.base = f"{server}/text/{n_stream}/v1"
        self.tools_base = f"{server}/tools/{n_stream}/v1"

    def call(self) -> Any:
        raise NotImplementedError

    async def acall(self) -> Any:
        raise NotImplementedError

    def stream_text(self) -> int:
        raise NotImplementedError

    def stream_tools(self) -> int:
        raise NotImplementedError

    def check(self) -> None:
        """Fail loudly if the adapter does not get the expected answer."""


class RawHttpx(Adapter):
    name = "raw-httpx"

    def __init__(self, server: str, n_stream: int) -> None:
        import httpx

        super().__init__(server, n_stream)
        self.httpx = httpx
        self.headers = {"Authorization": f"Bearer {API_KEY}"}
        self.client = httpx.Client(timeout=120)
        self.aclient: Any = None
        self.url = self.base + "/chat/completions"

    def call(self) -> Any:
        response = self.client.post(self.url, json=_request(), headers=self.headers)
        response.raise_for_status()
        return json.loads(response.content)

    async def acall(self) -> Any:
        if self.aclient is None:
            self.aclient = self.httpx.AsyncClient(timeout=120)
        response = await self.aclient.post(self.url, json=_request(), headers=self.headers)
        response.raise_for_status()
        return json.loads(response.content)

    def _stream(self, base: str, tools: bool) -> int:
        count = 0
        body = _request(stream=True, tools=tools)
        url = base + "/chat/completions"
        with self.client.stream("POST", url, json=body, headers=self.headers) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    def stream_text(self) -> int:
        return self._stream(self.base, tools=False)

    def stream_tools(self) -> int:
        return self._stream(self.tools_base, tools=True)

    def check(self) -> None:
        assert self.call()["choices"][0]["message"]["content"].endswith("Paris.")


class _LangChain(Adapter):
    def _make(self, base: str) -> Any:
        raise NotImplementedError

    def __init__(self, server: str, n_stream: int) -> None:
        super().__init__(server, n_stream)
        self.llm = self._make(self.base)
        self.tools_llm = self._make(self.tools_base).bind_tools([summarize])

    def call(self) -> Any:
        return self.llm.invoke(PROMPT)

    async def acall(self) -> Any:
        return await self.llm.ainvoke(PROMPT)

    def stream_text(self) -> int:
        return sum(1 for _ in self.llm.stream(PROMPT))

    def stream_tools(self) -> int:
        return sum(1 for _ in self.tools_llm.stream(PROMPT))

    def check(self) -> None:
        assert self.call().content.endswith("Paris.")
        last = None
        for chunk in self.tools_llm.stream(PROMPT):
            last = chunk if last is None else last + chunk
        assert last is not None and last.tool_calls[0]["args"]["text"].startswith("In a quiet")


class ChatAIMLAPIAdapter(_LangChain):
    name = "ChatAIMLAPI"

    def _make(self, base: str) -> Any:
        from langchain_aimlapi import ChatAIMLAPI

        return ChatAIMLAPI(model=MODEL, api_key=API_KEY, base_url=base, max_retries=0)


class ChatOpenAIAdapter(_LangChain):
    name = "ChatOpenAI"

    def _make(self, base: str) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=MODEL, api_key=API_KEY, base_url=base, max_retries=0)


class _LlamaIndex(Adapter):
    def _make(self, base: str) -> Any:
        raise NotImplementedError

    def __init__(self, server: str, n_stream: int) -> None:
        from llama_index.core.llms import ChatMessage
        from llama_index.core.tools import FunctionTool

        super().__init__(server, n_stream)
        self.llm = self._make(self.base)
        self.tools_llm = self._make(self.tools_base)
        self.messages = [ChatMessage(role="user", content=PROMPT)]
        self.tools = [FunctionTool.from_defaults(fn=summarize)]

    def call(self) -> Any:
        return self.llm.chat(self.messages)

    async def acall(self) -> Any:
        return await self.llm.achat(self.messages)

    def stream_text(self) -> int:
        return sum(1 for _ in self.llm.stream_chat(self.messages))

    def stream_tools(self) -> int:
        gen = self.tools_llm.stream_chat_with_tools(self.tools, user_msg=PROMPT)
        return sum(1 for _ in gen)

    def check(self) -> None:
        assert self.call().message.content.endswith("Paris.")
        *_, last = self.tools_llm.stream_chat_with_tools(self.tools, user_msg=PROMPT)
        calls = self.tools_llm.get_tool_calls_from_response(last, error_on_no_tool_call=True)
        assert calls[0].tool_kwargs["text"].startswith("In a quiet")


class AIMLAPIAdapter(_LlamaIndex):
    name = "AIMLAPI"

    def _make(self, base: str) -> Any:
        from llama_index_aimlapi import AIMLAPI

        return AIMLAPI(model=MODEL, api_key=API_KEY, api_base=base, max_retries=0)


class LlamaOpenAIAdapter(_LlamaIndex):
    name = "OpenAI (llama-index)"

    def _make(self, base: str) -> Any:
        from llama_index.llms.openai import OpenAI

        return OpenAI(model=MODEL, api_key=API_KEY, api_base=base, max_retries=0)


def _decoded(events: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(e[6:]) for e in events if e != b"data: [DONE]\n\n"]


class _Replies:
    """The decoded replies of one server path: ``completion()`` and ``chunks()``.

    Already decoded in memory (``live=False``, the "alone" contestants), or fetched and
    decoded on every call exactly as :class:`RawHttpx` does (``live=True``).
    """

    def __init__(self, base: str, live: bool) -> None:
        import httpx

        self.live = live
        tools = "/tools/" in base
        n = int(base.rstrip("/").split("/")[-2])
        events = wire.tool_stream_events(n) if tools else wire.text_stream_events(n)
        self.payloads = [] if live else _decoded(events)
        self.decoded = json.loads(json.dumps(wire.CHAT_COMPLETION))
        self.client = httpx.Client(timeout=120)
        self.aclient: httpx.AsyncClient | None = None  # made in the event loop that uses it
        self.url = base + "/chat/completions"
        self.headers = {"Authorization": f"Bearer {API_KEY}"}
        self.body, self.stream_body = _request(), _request(stream=True, tools=tools)

    def completion(self) -> dict[str, Any]:
        if not self.live:
            return self.decoded
        response = self.client.post(self.url, json=self.body, headers=self.headers)
        response.raise_for_status()
        reply: dict[str, Any] = json.loads(response.content)
        return reply

    async def acompletion(self) -> dict[str, Any]:
        if not self.live:
            return self.decoded
        if self.aclient is None:
            import httpx

            self.aclient = httpx.AsyncClient(timeout=120)
        response = await self.aclient.post(self.url, json=self.body, headers=self.headers)
        response.raise_for_status()
        reply: dict[str, Any] = json.loads(response.content)
        return reply

    def chunks(self) -> Iterable[dict[str, Any]]:
        return self._fetch_chunks() if self.live else self.payloads

    def _fetch_chunks(self) -> Iterator[dict[str, Any]]:
        with self.client.stream(
            "POST", self.url, json=self.stream_body, headers=self.headers
        ) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    yield json.loads(line[6:])


class LangChainAlone(_LangChain):
    """A do-nothing ``BaseChatModel`` over pre-decoded replies: LangChain's own cost."""

    name = "LangChain alone (no I/O)"
    live = False

    def _make(self, base: str) -> Any:
        from langchain_core.language_models import BaseChatModel
        from langchain_core.messages import AIMessage, AIMessageChunk
        from langchain_core.messages.tool import tool_call_chunk
        from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
        from langchain_core.utils.function_calling import convert_to_openai_tool

        replies = _Replies(base, self.live)

        def usage(raw: dict[str, Any] | None) -> Any:
            if not raw:
                return None
            return {
                "input_tokens": raw["prompt_tokens"],
                "output_tokens": raw["completion_tokens"],
                "total_tokens": raw["total_tokens"],
            }

        def result(completion: dict[str, Any]) -> ChatResult:
            choice = completion["choices"][0]
            message = AIMessage(
                content=choice["message"]["content"],
                id=completion["id"],
                usage_metadata=usage(completion["usage"]),
                response_metadata={
                    "model_name": completion["model"],
                    "finish_reason": choice["finish_reason"],
                },
            )
            return ChatResult(generations=[ChatGeneration(message=message)])

        class AloneChat(BaseChatModel):
            @property
            def _llm_type(self) -> str:
                return "alone"

            def _generate(
                self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
            ) -> ChatResult:
                return result(replies.completion())

            async def _agenerate(
                self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
            ) -> ChatResult:
                return result(await replies.acompletion())

            def _stream(
                self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
            ) -> Any:
                for payload in replies.chunks():
                    choices = payload["choices"]
                    delta = choices[0]["delta"] if choices else {}
                    calls = [
                        tool_call_chunk(
                            name=tc["function"].get("name"),
                            args=tc["function"].get("arguments"),
                            id=tc.get("id"),
                            index=tc["index"],
                        )
                        for tc in delta.get("tool_calls") or ()
                    ]
                    message = AIMessageChunk(
                        content=delta.get("content") or "",
                        tool_call_chunks=calls,
                        usage_metadata=usage(payload.get("usage")),
                        id=payload["id"],
                    )
                    chunk = ChatGenerationChunk(message=message)
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk

            def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
                return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

        return AloneChat()

    def check(self) -> None:
        assert self.call().content.endswith("Paris.")


class LangChainOnRaw(LangChainAlone):
    """The same model fed live by raw httpx: an integration with no code of its own."""

    name = "LangChain on raw httpx"
    live = True


class LlamaIndexAlone(_LlamaIndex):
    """A do-nothing LlamaIndex LLM over pre-decoded replies: LlamaIndex's own cost."""

    name = "LlamaIndex alone (no I/O)"
    live = False

    def _make(self, base: str) -> Any:
        from llama_index.core.base.llms.types import (
            ChatMessage,
            ChatResponse,
            CompletionResponse,
            LLMMetadata,
            TextBlock,
            ToolCallBlock,
        )
        from llama_index.core.llms.callbacks import llm_chat_callback
        from llama_index.core.llms.custom import CustomLLM

        replies = _Replies(base, self.live)

        def response(completion: dict[str, Any]) -> ChatResponse:
            message = completion["choices"][0]["message"]
            return ChatResponse(
                message=ChatMessage(role="assistant", content=message["content"]),
                raw=completion,
            )

        class AloneLLM(CustomLLM):
            @property
            def metadata(self) -> LLMMetadata:
                return LLMMetadata(model_name=MODEL, is_chat_model=True)

            def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
                return CompletionResponse(text="")

            def stream_complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
                raise NotImplementedError

            @llm_chat_callback()
            def chat(self, messages: Any, **kwargs: Any) -> ChatResponse:
                return response(replies.completion())

            @llm_chat_callback()
            async def achat(self, messages: Any, **kwargs: Any) -> ChatResponse:
                return response(await replies.acompletion())

            @llm_chat_callback()
            def stream_chat(self, messages: Any, **kwargs: Any) -> Any:
                def gen() -> Any:
                    text = ""
                    calls: dict[int, dict[str, Any]] = {}
                    for payload in replies.chunks():
                        choices = payload["choices"]
                        delta = choices[0]["delta"] if choices else {}
                        piece = delta.get("content") or ""
                        text += piece
                        for tc in delta.get("tool_calls") or ():
                            call = calls.setdefault(
                                tc["index"], {"id": None, "name": "", "args": ""}
                            )
                            call["id"] = tc.get("id") or call["id"]
                            call["name"] += tc["function"].get("name") or ""
                            call["args"] += tc["function"].get("arguments") or ""
                        blocks: list[Any] = [TextBlock(text=text)]
                        blocks += [
                            ToolCallBlock(
                                tool_call_id=c["id"], tool_name=c["name"], tool_kwargs=c["args"]
                            )
                            for c in calls.values()
                        ]
                        yield ChatResponse(
                            message=ChatMessage(role="assistant", blocks=blocks),
                            delta=piece,
                            raw=payload,
                        )

                return gen()

        return AloneLLM()

    def stream_tools(self) -> int:
        return sum(1 for _ in self.tools_llm.stream_chat(self.messages))

    def check(self) -> None:
        assert self.call().message.content.endswith("Paris.")


class LlamaIndexOnRaw(LlamaIndexAlone):
    """The same LLM fed live by raw httpx: an integration with no code of its own."""

    name = "LlamaIndex on raw httpx"
    live = True


# What each contestant needs installed (the anchors come with the ``bench`` extra).
REQUIRES = {
    "raw-httpx": "httpx",
    "ChatAIMLAPI": "langchain_aimlapi",
    "ChatOpenAI": "langchain_openai",
    "LangChain alone (no I/O)": "langchain_core",
    "LangChain on raw httpx": "langchain_core",
    "AIMLAPI": "llama_index_aimlapi",
    "OpenAI (llama-index)": "llama_index.llms.openai",
    "LlamaIndex alone (no I/O)": "llama_index.core",
    "LlamaIndex on raw httpx": "llama_index.core",
}


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it, parents aside)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


ADAPTERS: dict[str, Callable[[str, int], Adapter]] = {
    cls.name: cls
    for cls in (
        RawHttpx,
        ChatAIMLAPIAdapter,
        ChatOpenAIAdapter,
        LangChainAlone,
        LangChainOnRaw,
        AIMLAPIAdapter,
        LlamaOpenAIAdapter,
        LlamaIndexAlone,
        LlamaIndexOnRaw,
    )
}
