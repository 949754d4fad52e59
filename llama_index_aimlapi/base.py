"""``AIMLAPI``: AI/ML API as a LlamaIndex ``FunctionCallingLLM``, on ``aimlapi_core``.

Requests go to ``POST /v1/chat/completions`` through the core's pooled httpx clients (retries,
typed errors, SSE and tool-call accumulation live there, once for both adapters). This class
only maps LlamaIndex objects to request dicts and replies back (:mod:`.convert`,
:mod:`.stream`, :mod:`.structured`).

Example:
    >>> llm = AIMLAPI(model="openai/gpt-4o", api_key="sk-...")
    >>> llm.metadata.context_window, llm.metadata.is_function_calling_model
    (128000, True)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Generator, Sequence
from json import JSONDecodeError
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import Field, SecretStr
from llama_index.core.callbacks import CallbackManager
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import BaseOutputParser, Model, PydanticProgramMode
from llama_index_instrumentation import get_dispatcher  # what llama_index.core re-exports

from aimlapi_core import ResponsesReply, Settings
from aimlapi_core.models import (
    CHAT_COMPLETIONS,
    RESPONSES,
    ModelCapabilities,
    capabilities_for,
    get_capabilities,
)
from aimlapi_core.responses_bridge import (
    achat_deltas,
    chat_deltas,
    chat_reply_from_responses,
    responses_request_from_chat,
)
from aimlapi_core.settings import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from aimlapi_core.shaping import shape_chat_request, shape_responses_request, with_stream_usage
from aimlapi_core.tools import tool_choice_to_wire

from ._arguments import check_arguments
from ._connection import AIMLAPIConnection
from .convert import chat_response_from_reply, messages_to_wire, tool_specs
from .stream import achat_responses, chat_responses
from .structured import parse_json_output, response_format_for

if TYPE_CHECKING:
    import httpx
    from llama_index.core.program.utils import FlexibleModel
    from llama_index.core.tools.types import BaseTool

__all__ = ["AIMLAPI", "DEFAULT_CONTEXT_WINDOW", "DEFAULT_MODEL", "ReasoningEffort"]

logger = logging.getLogger(__name__)
dispatcher = get_dispatcher(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
"""The model used when none is named."""

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
"""The ``reasoning_effort`` values llama-index ``OpenAI`` takes; others fail at construction."""

DEFAULT_CONTEXT_WINDOW = 128_000
"""Context window (tokens) assumed when neither ``context_window=`` nor the model's
capabilities say (AI/ML API's model table, or the live catalogue after
:func:`aimlapi_core.models.refresh_models`): most chat models on AI/ML API take at least 128k.
Set ``context_window=`` for a smaller model so LlamaIndex's prompt packing stays inside it."""


_NO_AUDIO_STREAM = (
    "Streams carry no audio here (as with llama-index OpenAI): with modalities=['audio'] use "
    "chat() / achat(), whose message holds the answer as an AudioBlock."
)


class AIMLAPI(AIMLAPIConnection, FunctionCallingLLM):
    """AI/ML API chat models (OpenAI-compatible, 400+ models) for LlamaIndex.

    The key comes from ``api_key=``, else ``AIMLAPI_API_KEY``, else ``AIML_API_KEY``; it is read
    at the first request (a missing key raises :class:`aimlapi_core.MissingAPIKeyError` then,
    naming both variables) and never appears in ``repr``, ``str``, ``model_dump`` or
    ``to_dict``. Requests are shaped to what the model accepts (``max_tokens`` becomes
    ``max_completion_tokens`` for reasoning models, unsupported parameters are dropped with
    one warning) from the capabilities ``aimlapi_core.models`` has for it.

    Args:
        model: AI/ML API model id, e.g. ``"openai/gpt-4o"`` or ``"openai/o3-2025-04-16"``.
        temperature: Sampling temperature; ``None`` (default) leaves the model's default.
        max_tokens: Most tokens to generate (sent as ``max_completion_tokens`` where needed).
        reasoning_effort: ``"none"``, ``"minimal"``, ``"low"``, ``"medium"``, ``"high"`` or
            ``"xhigh"`` for reasoning models (anything else fails at construction).
        logprobs / top_logprobs: Return per-token log-probs (``ChatResponse.logprobs``) with
            up to ``top_logprobs`` alternatives each (0-20), as llama-index ``OpenAI``.
        modalities / audio_config: Output modalities, e.g. ``["text", "audio"]``, and the
            ``audio`` request parameter (``{"voice": "alloy", "format": "wav"}``); the spoken
            answer comes back as an ``AudioBlock`` (not in streams or ``complete``).
        additional_kwargs: Extra request parameters sent with every call.
        api_key: AI/ML API key (else the environment).
        api_base: Base URL (else ``AIMLAPI_BASE_URL``, else ``https://api.aimlapi.com/v1``).
        timeout: Seconds per request; ``max_retries``: retries of failed requests (in the core).
        default_headers: Headers sent with every request.
        client_request_id: ``X-Client-Request-Id`` for every request (to trace it on AI/ML API).
        max_connections / max_keepalive_connections: Pool bounds per client (httpx ``Limits``).
        context_window / is_function_calling_model: Override what the capabilities say.
        strict: Send tool schemas in OpenAI's strict mode.
        http_client / async_http_client: Your own ``httpx`` clients (proxies, transports).

    Every argument of llama-index ``OpenAI`` either works with the same meaning here
    (``max_new_tokens`` as the old name of ``max_tokens``, ``reuse_client=True``) or fails
    at construction with :class:`~llama_index_aimlapi.UnsupportedArgumentError` saying what to
    use instead (``api_version``, ``openai_client``, ``reuse_client=False``); so does any
    argument this class has no setting for.

    Example:
        >>> from llama_index_aimlapi import AIMLAPI
        >>> llm = AIMLAPI(model="openai/gpt-4o", api_key="sk-...", max_tokens=256)
        >>> "sk-..." in repr(llm)
        False

        Then ``llm.complete("Say hi")``, ``llm.chat([...])``, ``llm.stream_chat([...])``,
        ``FunctionAgent(tools=[...], llm=llm)`` or ``index.as_query_engine(llm=llm)``.
    """

    model: str = Field(default=DEFAULT_MODEL, description="The AI/ML API model id.")
    temperature: float | None = Field(
        default=None,
        ge=0.0,
        le=2.0,
        description="Sampling temperature; None leaves the model's default.",
    )
    max_tokens: int | None = Field(
        default=None, gt=0, description="The maximum number of tokens to generate."
    )
    reasoning_effort: ReasoningEffort | None = Field(
        default=None,
        description="Reasoning effort for reasoning models: none, minimal, low, medium, high, "
        "xhigh.",
    )
    logprobs: bool | None = Field(
        default=None, description="Whether to return log-probs per token (ChatResponse.logprobs)."
    )
    top_logprobs: int = Field(
        default=0, ge=0, le=20, description="Alternatives returned with each token's log-prob."
    )
    modalities: list[str] | None = Field(
        default=None, description='Output modalities, e.g. ["text", "audio"].'
    )
    audio_config: dict[str, Any] | None = Field(
        default=None, description='The audio request parameter, e.g. {"voice": "alloy"}.'
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra parameters for every request body."
    )
    context_window: int | None = Field(
        default=None,
        gt=0,
        description="Context window override; else the model's capabilities, else 128000.",
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description="Tool-calling override; else the model's capabilities (unknown: True).",
    )
    strict: bool = Field(
        default=False, description="Send tool schemas in strict mode (OpenAI's strict: true)."
    )

    _on_responses_api: ClassVar[bool] = False  # AIMLAPIResponses calls /v1/responses

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        temperature: float | None = None,
        max_tokens: int | None = None,
        reasoning_effort: ReasoningEffort | None = None,
        additional_kwargs: dict[str, Any] | None = None,
        logprobs: bool | None = None,
        top_logprobs: int = 0,
        modalities: list[str] | None = None,
        audio_config: dict[str, Any] | None = None,
        api_key: str | SecretStr | None = None,
        api_base: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: dict[str, str] | None = None,
        client_request_id: str | None = None,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections: int | None = DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
        context_window: int | None = None,
        is_function_calling_model: bool | None = None,
        strict: bool = False,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        callback_manager: CallbackManager | None = None,
        system_prompt: str | None = None,
        messages_to_prompt: Any = None,
        completion_to_prompt: Any = None,
        pydantic_program_mode: PydanticProgramMode = PydanticProgramMode.DEFAULT,
        output_parser: BaseOutputParser | None = None,
        **kwargs: Any,
    ) -> None:
        if "max_new_tokens" in kwargs:  # llama-index OpenAI's older name of max_tokens
            max_tokens = kwargs.pop("max_new_tokens")
        kwargs = check_arguments(type(self), kwargs)
        # Resolve and check the base URL now (a bad URL is a construction error); the key is
        # left for the first request, so building an AIMLAPI never needs one.
        resolved_base = Settings(base_url=api_base or None).url
        # Passed as one dict: the bases' synthesised __init__ (for type checkers) each name
        # only their own fields.
        fields: dict[str, Any] = {
            "model": model,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "reasoning_effort": reasoning_effort,
            "additional_kwargs": additional_kwargs or {},
            "logprobs": logprobs,
            "top_logprobs": top_logprobs,
            "modalities": modalities,
            "audio_config": audio_config,
            "api_key": api_key or None,
            "api_base": resolved_base,
            "timeout": timeout,
            "max_retries": max_retries,
            "default_headers": default_headers,
            "client_request_id": client_request_id,
            "max_connections": max_connections,
            "max_keepalive_connections": max_keepalive_connections,
            "context_window": context_window,
            "is_function_calling_model": is_function_calling_model,
            "strict": strict,
            "callback_manager": callback_manager,
            "system_prompt": system_prompt,
            "messages_to_prompt": messages_to_prompt,
            "completion_to_prompt": completion_to_prompt,
            "pydantic_program_mode": pydantic_program_mode,
            "output_parser": output_parser,
        }
        super().__init__(**fields, **kwargs)
        self._use_http_clients(http_client, async_http_client)

    @classmethod
    def class_name(cls) -> str:
        """Name used by LlamaIndex serialisation (``to_dict()["class_name"]``): the class's
        own name, as for :class:`AIMLAPIResponses` and :class:`AIMLAPIEmbedding`.

        Example:
            >>> AIMLAPI.class_name()
            'AIMLAPI'
        """
        return "AIMLAPI"

    # -- metadata ----------------------------------------------------------------------------

    @property
    def capabilities(self) -> ModelCapabilities | None:
        """What AI/ML API documents for :attr:`model`; ``None`` for an id it does not list.

        Example:
            >>> AIMLAPI(model="openai/o3-2025-04-16").capabilities.reasoning
            True
        """
        return get_capabilities(self.model)

    @property
    def metadata(self) -> LLMMetadata:
        """Model name, context window, output size and tool support, from the capabilities.

        ``context_window`` comes from AI/ML API's model table (or the live catalogue after
        :func:`aimlapi_core.models.refresh_models`), ``num_output`` from ``max_tokens``, else the
        model's documented output limit, else LlamaIndex's default (256);
        ``is_function_calling_model`` from the model's request schema (``tools``), or family
        rules for ids not in the data. Unknown ids never raise: 128000-token window
        (:data:`DEFAULT_CONTEXT_WINDOW`), 256 output tokens, tool calling on.

        Example:
            >>> AIMLAPI(model="vendor/brand-new").metadata.context_window
            128000
            >>> AIMLAPI(model="google/gemini-2.5-flash").metadata.context_window
            1000000
        """
        caps = capabilities_for(self.model)
        context_window = self.context_window or caps.context_window
        num_output = self.max_tokens or caps.max_output_tokens or DEFAULT_NUM_OUTPUTS
        if self.is_function_calling_model is not None:
            function_calling = self.is_function_calling_model
        else:
            function_calling = caps.tools
        takes_instructions = caps.takes_system_role or caps.takes_developer_role
        return LLMMetadata(
            context_window=context_window or DEFAULT_CONTEXT_WINDOW,
            num_output=num_output,
            is_chat_model=True,
            is_function_calling_model=function_calling,
            model_name=self.model,
            system_role=MessageRole.SYSTEM if takes_instructions else MessageRole.USER,
        )

    # -- request building --------------------------------------------------------------------

    def _uses_responses_api(self) -> bool:
        """Whether calls go to ``POST /v1/responses``: always for :class:`AIMLAPIResponses`,
        and for a model AI/ML API serves only there (``openai/gpt-5-pro``, the codex models…),
        through the core's Responses bridge, as ``ChatAIMLAPI`` does.

        Example:
            >>> AIMLAPI(model="openai/gpt-5-pro")._uses_responses_api()
            True
            >>> AIMLAPI(model="gpt-4o")._uses_responses_api()
            False
        """
        if self._on_responses_api:
            return True
        caps = self.capabilities
        return caps is not None and caps.serves_responses_only

    def _unshaped_body(self, messages: Sequence[ChatMessage], **kwargs: Any) -> dict[str, Any]:
        """Model, wire messages, fields, ``additional_kwargs`` and call kwargs, in that order."""
        body: dict[str, Any] = {"model": self.model, "messages": messages_to_wire(messages)}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.reasoning_effort is not None:
            body["reasoning_effort"] = self.reasoning_effort
        if self.logprobs:  # as llama-index OpenAI: both, or neither
            body["logprobs"] = True
            body["top_logprobs"] = self.top_logprobs
        if self.modalities is not None:
            body["modalities"] = self.modalities
        if self.audio_config is not None:
            body["audio"] = self.audio_config
        body.update(self.additional_kwargs)
        body.update((k, v) for k, v in kwargs.items() if v is not None)
        return body

    def _chat_body(
        self, messages: Sequence[ChatMessage], *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The request body: fields, ``additional_kwargs``, call kwargs, shaped to the model."""
        if not messages:
            raise ValueError(
                "No messages to send: pass at least one ChatMessage (e.g. role='user')."
            )
        body = self._unshaped_body(messages, **kwargs)
        caps = self.capabilities
        if stream and "audio" in (body.get("modalities") or ()):
            raise ValueError(_NO_AUDIO_STREAM)
        if self._uses_responses_api():
            return shape_responses_request(responses_request_from_chat(body), caps)
        with_stream_usage(body, caps, include_usage=stream)
        return shape_chat_request(body, caps)

    # -- chat / complete ---------------------------------------------------------------------

    def _audio_format(self) -> str | None:
        value = (self.audio_config or {}).get("format")
        return value if isinstance(value, str) else None

    def _refuse_audio_completion(self) -> None:
        if "audio" in (self.modalities or ()):
            raise ValueError(
                "complete() returns text only, so the spoken answer of modalities=['audio'] "
                "would be lost: use chat() / achat(), whose message holds an AudioBlock."
            )

    def _remember(self, response_id: str | None) -> None:
        """Called with each Responses answer's id (``AIMLAPIResponses`` chains them)."""

    def _from_responses(self, reply: ResponsesReply) -> ChatResponse:
        """A ``/v1/responses`` answer as a :class:`ChatResponse`; ``raw`` is the Responses
        object as it came (``id``, ``status``, ``incomplete_details``, every output item)."""
        response = chat_response_from_reply(chat_reply_from_responses(reply), responses=True)
        response.raw = reply.response.model_dump(mode="json", exclude_unset=True)
        self._remember(reply.response.id)
        return response

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._chat_body(messages, stream=False, **kwargs)
        if self._uses_responses_api():
            return self._from_responses(self._client().create_response(body))
        reply = self._client().chat_completion(body)
        return chat_response_from_reply(reply, audio_format=self._audio_format())

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._chat_body(messages, stream=False, **kwargs)
        if self._uses_responses_api():
            return self._from_responses(await self._aclient().create_response(body))
        reply = await self._aclient().chat_completion(body)
        return chat_response_from_reply(reply, audio_format=self._audio_format())

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body = self._chat_body(messages, stream=True, **kwargs)
        client = self._client()
        if self._uses_responses_api():

            def responses_gen() -> ChatResponseGen:
                with client.stream_response(body) as stream:
                    yield from chat_responses(stream, chat_deltas(stream), responses=True)
                self._remember(stream.result().response.id)

            return responses_gen()

        def gen() -> ChatResponseGen:
            with client.stream_chat_completion(body) as stream:
                yield from chat_responses(stream, stream)

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        body = self._chat_body(messages, stream=True, **kwargs)
        if self._uses_responses_api():

            async def responses_gen() -> ChatResponseAsyncGen:
                client = self._aclient()
                async with await client.stream_response(body) as stream:
                    deltas = achat_deltas(stream)
                    async for response in achat_responses(stream, deltas, responses=True):
                        yield response
                self._remember(stream.result().response.id)

            return responses_gen()

        async def gen() -> ChatResponseAsyncGen:
            client = self._aclient()
            async with await client.stream_chat_completion(body) as stream:
                async for response in achat_responses(stream, stream):
                    yield response

        return gen()

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """One chat completion.

        Example:
            ``llm.chat([ChatMessage(role="user", content="Hi")]).message.content``
        """
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """A streamed chat completion: each item holds the message so far and its ``delta``.

        Example:
            ``for r in llm.stream_chat(messages): print(r.delta, end="")``
        """
        return self._stream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete ``prompt`` (sent as one user message: AI/ML API has no completions route).

        Example:
            ``llm.complete("Paris is the capital of").text``
        """
        self._refuse_audio_completion()
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Streamed :meth:`complete`.

        Example:
            ``for r in llm.stream_complete("Count to 3"): print(r.delta, end="")``
        """
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`.

        Example:
            ``(await llm.achat(messages)).message.content``
        """
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`.

        Example:
            ``async for r in await llm.astream_chat(messages): print(r.delta, end="")``
        """
        return await self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async :meth:`complete`.

        Example:
            ``(await llm.acomplete("Hi")).text``
        """
        self._refuse_audio_completion()
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`.

        Example:
            ``async for r in await llm.astream_complete("Hi"): print(r.delta, end="")``
        """
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # -- tools -------------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` kwargs for a call with ``tools``.

        ``tool_choice`` is a function name, ``"auto"``/``"required"``/``"none"`` or a wire
        dict (default: ``required`` if ``tool_required`` else ``auto``).
        ``parallel_tool_calls`` is sent only to models whose schema has it. ``chat_history`` is
        not modified.
        """
        specs = tool_specs(tools, strict=self.strict if strict is None else strict)
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        out: dict[str, Any] = {"messages": messages}
        if specs:
            out["tools"] = specs
            # None (LlamaIndex's default) sends "auto", or "required" with tool_required
            choice = tool_choice_to_wire(tool_choice)
            out["tool_choice"] = choice or ("required" if tool_required else "auto")
            if capabilities_for(self.model).may_send("parallel_tool_calls"):
                out["parallel_tool_calls"] = allow_parallel_tool_calls
        out.update(kwargs)
        return out

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if not allow_parallel_tool_calls:
            message = response.message
            calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
            if len(calls) > 1:
                message.blocks = [b for b in message.blocks if not isinstance(b, ToolCallBlock)] + [
                    calls[0]
                ]
                wire_calls = message.additional_kwargs.get("tool_calls")
                if isinstance(wire_calls, list) and wire_calls:
                    message.additional_kwargs["tool_calls"] = wire_calls[:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls of ``response``, arguments parsed (partial JSON of a stream too).

        Raises ``ValueError`` when there is none and ``error_on_no_tool_call`` is true.

        Example:
            ``[(t.tool_name, t.tool_kwargs) for t in llm.get_tool_calls_from_response(r)]``
        """
        blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
        if not blocks:
            for call in response.message.additional_kwargs.get("tool_calls") or ():
                function = call.get("function") if isinstance(call, dict) else None
                if function:
                    blocks.append(
                        ToolCallBlock(
                            tool_call_id=call.get("id"),
                            tool_name=function.get("name") or "",
                            tool_kwargs=function.get("arguments") or "",
                        )
                    )
        if not blocks:
            if error_on_no_tool_call:
                raise ValueError("Expected at least one tool call, but got 0 tool calls.")
            return []
        return [
            ToolSelection(
                tool_id=block.tool_call_id or "",
                tool_name=block.tool_name,
                tool_kwargs=_parse_arguments(block.tool_kwargs),
            )
            for block in blocks
        ]

    # -- structured output -------------------------------------------------------------------

    def _uses_json_schema(self) -> bool:
        """JSON-schema ``response_format`` where the model takes it (unknown ids: yes); on
        ``/v1/responses`` (``text.format``) unless the model's Responses schema lacks ``text``."""
        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT:
            return False
        endpoint = RESPONSES if self._uses_responses_api() else CHAT_COMPLETIONS
        return capabilities_for(self.model).structured_output_method(endpoint) == "json_schema"

    def _json_schema_kwargs(
        self, llm_kwargs: dict[str, Any] | None, output_cls: type[Model]
    ) -> dict[str, Any]:
        out = dict(llm_kwargs or {})
        for key in ("tool_choice", "tool_required", "allow_parallel_tool_calls"):
            out.pop(key, None)
        out["response_format"] = response_format_for(output_cls)
        return out

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Fill ``output_cls`` from ``prompt``: JSON schema where possible, else a tool call.

        Example:
            ``llm.structured_predict(City, PromptTemplate("Capital of {country}?"),
            country="France")``
        """
        if not self._uses_json_schema():
            result: Model = super().structured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return result
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        response = self.chat(messages, **self._json_schema_kwargs(llm_kwargs, output_cls))
        result = parse_json_output(output_cls, response.message.content)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`."""
        if not self._uses_json_schema():
            result: Model = await super().astructured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return result
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        response = await self.achat(messages, **self._json_schema_kwargs(llm_kwargs, output_cls))
        result = parse_json_output(output_cls, response.message.content)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None, None]:
        from llama_index.core.program.function_program import get_function_tool
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )
        from llama_index.core.program.utils import process_streaming_objects

        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT:
            yield from super()._structured_stream_call(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        if self._uses_json_schema():
            kwargs = self._json_schema_kwargs(llm_kwargs, output_cls)
            current: Any = None
            for response in self.stream_chat(messages, **kwargs):
                current = process_streaming_content_incremental(response, output_cls, current)
                yield current
            return
        if not self.metadata.is_function_calling_model:
            yield from super()._structured_stream_call(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return
        # Tool path. LlamaIndex's FunctionCallingProgram.stream_call does not force the tool
        # (tool_choice "auto"), so a model may answer in prose; we require the call.
        tool_kwargs = self._json_schema_kwargs(llm_kwargs, output_cls)
        del tool_kwargs["response_format"]
        stream = self.stream_chat_with_tools(
            [get_function_tool(output_cls)],
            chat_history=messages,
            tool_required=True,
            **tool_kwargs,
        )
        objects: Any = None
        for response in stream:
            try:
                objects = process_streaming_objects(
                    response, output_cls, cur_objects=objects, flexible_mode=True, llm=self
                )
            except Exception as exc:  # a partial object that cannot be shown yet
                logger.debug("Skipping a partial structured object: %s", exc)
                continue
            yield objects
            objects = objects if isinstance(objects, list) else [objects]

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None]:
        from llama_index.core.program.function_program import get_function_tool
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )
        from llama_index.core.program.utils import process_streaming_objects

        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT or (
            not self._uses_json_schema() and not self.metadata.is_function_calling_model
        ):
            return await super()._structured_astream_call(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        kwargs = self._json_schema_kwargs(llm_kwargs, output_cls)

        if self._uses_json_schema():

            async def json_gen() -> AsyncGenerator[Any, None]:
                current: Any = None
                async for response in await self.astream_chat(messages, **kwargs):
                    current = process_streaming_content_incremental(response, output_cls, current)
                    yield current

            return json_gen()

        del kwargs["response_format"]

        async def tool_gen() -> AsyncGenerator[Any, None]:
            stream = await self.astream_chat_with_tools(
                [get_function_tool(output_cls)],
                chat_history=messages,
                tool_required=True,
                **kwargs,
            )
            objects: Any = None
            async for response in stream:
                try:
                    objects = process_streaming_objects(
                        response, output_cls, cur_objects=objects, flexible_mode=True, llm=self
                    )
                except Exception as exc:
                    logger.debug("Skipping a partial structured object: %s", exc)
                    continue
                yield objects
                objects = objects if isinstance(objects, list) else [objects]

        return tool_gen()


def _parse_arguments(arguments: dict[str, Any] | str) -> dict[str, Any]:
    """Tool-call arguments as a dict: complete or partial JSON; ``{}`` when unreadable."""
    if isinstance(arguments, dict):
        return arguments
    if not arguments.strip():
        return {}
    try:
        parsed = parse_partial_json(arguments)
    except (ValueError, TypeError, JSONDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
