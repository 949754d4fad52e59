"""``ChatAIMLAPI``: AI/ML API as a LangChain chat model, on ``aimlapi_core``.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> llm = ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-...")  # doctest: +SKIP
    >>> llm.invoke("Say hi").content  # doctest: +SKIP
    'Hi!'
"""

from __future__ import annotations

import contextlib
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput, ModelProfile
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.v1 import BaseModel as BaseModelV1

from aimlapi_core import ChatReply, StreamDelta
from aimlapi_core.models import RESPONSES, capabilities_for, get_capabilities
from aimlapi_core.responses_bridge import achat_deltas, chat_deltas, chat_reply_from_responses
from aimlapi_core.tools import tool_choice_to_wire

from ._convert import (
    ai_message_from_reply,
    chunk_from_delta,
    message_to_wire,
    messages_to_wire,
)
from ._openai_compat import (
    CHAT_NAMES,
    ClientOptions,
    Refuse,
    Rename,
    UnsupportedParameterError,
    split_call_options,
)
from ._params import AIMLAPIRequestParams
from ._profile import profile_for
from ._structured import (
    acheck_refusal,
    as_openai_tool,
    check_refusal,
    is_pydantic_class,
    parse_into,
    response_format_for,
)
from ._tokens import TokenCounting
from .errors import maps_errors

if TYPE_CHECKING:  # only in a signature: the tools package is not loaded for it
    from langchain_core.tools import BaseTool

StructuredMethod = Literal["function_calling", "json_mode", "json_schema"]


def _format_tool(tool: Any, strict: bool | None) -> dict[str, Any]:
    """One tool in its wire form. A custom (free-form) tool, as a dict ``{"type": "custom",
    "name", ...}`` or made with ``langchain_openai.custom_tool``, stays a custom tool (its call's
    one argument is the model's text); it goes to ``/v1/responses``."""
    if isinstance(tool, Mapping) and tool.get("type") == "custom":
        if not tool.get("name"):
            raise ValueError(f"Custom tool {dict(tool)!r} has no name: give every tool a name.")
        return dict(tool)
    return convert_to_openai_tool(as_openai_tool(tool), strict=strict)


def _tool_names(tools: list[dict[str, Any]]) -> list[str]:
    return [t["function"]["name"] for t in tools if "function" in t]


# Parameters only /v1/responses understands: a call that has one goes there (as ChatOpenAI).
_RESPONSES_ONLY_PARAMS = frozenset(
    {"previous_response_id", "include", "truncation", "background", "instructions", "text"}
)


def _wants_responses(params: dict[str, Any]) -> bool:
    """Whether the call's parameters only make sense on ``/v1/responses``."""
    if _RESPONSES_ONLY_PARAMS.intersection(k for k, v in params.items() if v is not None):
        return True
    reasoning = params.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("summary"):
        return True  # reasoning summaries exist only on Responses
    return any(t.get("type") not in (None, "function") for t in params.get("tools") or ())


def _after_last_response(messages: list[BaseMessage]) -> tuple[list[BaseMessage], str | None]:
    """The messages after the last AI message that came from ``/v1/responses``, and its id."""
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        if isinstance(message, AIMessage):
            response_id = message.response_metadata.get("id")
            if isinstance(response_id, str) and response_id.startswith("resp_"):
                return messages[i + 1 :], response_id
    return messages, None


def _parsed_chunk(schema: type[BaseModel], texts: list[str]) -> ChatGenerationChunk | None:
    """A last, empty chunk carrying the streamed answer parsed into ``schema`` (as
    ``ChatOpenAI`` ends a stream with ``response_format=Model``); ``None`` if it does not parse."""
    try:
        parsed = schema.model_validate_json("".join(texts))
    except ValueError:
        return None
    return ChatGenerationChunk(
        message=AIMessageChunk(content="", additional_kwargs={"parsed": parsed})
    )


class ChatAIMLAPI(TokenCounting, ClientOptions, AIMLAPIRequestParams, BaseChatModel):
    """AI/ML API chat model: hundreds of models behind one OpenAI-compatible API.

    A drop-in for ``ChatOpenAI`` (same parameter names, same message, tool-call, usage and
    streaming behaviour), with no ``openai`` SDK underneath. Requests are shaped per model:
    reasoning models get ``max_completion_tokens`` and lose unsupported sampling parameters
    (with one warning); roles a model does not take are mapped. ``response_metadata`` also
    carries AI/ML API's ``inference_id`` and ``cost`` (credits and USD).

    Setup:
        ``pip install "aimlapi-integrations[langchain]"`` and set ``AIMLAPI_API_KEY``.

    Example:
        .. code-block:: python

            from langchain_aimlapi import ChatAIMLAPI

            llm = ChatAIMLAPI(model="openai/gpt-4o-mini", temperature=0)
            msg = llm.invoke("What is 2 + 2?")
            msg.content, msg.usage_metadata, msg.response_metadata["cost"]

            for chunk in llm.stream("Tell me a joke"):
                print(chunk.content, end="")
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    use_responses_api: bool | None = None
    """Call ``POST /v1/responses`` instead of chat completions. ``None`` (default) decides per
    call: Responses for models AI/ML API serves only there, and for calls with a parameter
    only Responses has (``previous_response_id``, ``include``, ``instructions``, ``text``,
    ``truncation``, ``reasoning={"summary": ...}``, built-in tools)."""
    use_previous_response_id: bool = False
    """On Responses, send only the messages after the last AI message that has a response id,
    with ``previous_response_id`` set to that id (the server keeps the earlier turns)."""
    store: bool | None = None
    """Responses ``store``: whether the server keeps the response (needed for chaining)."""
    include: list[str] | None = None
    """Responses ``include``, e.g. ``["reasoning.encrypted_content"]``."""
    truncation: str | None = None
    """Responses ``truncation`` (``"auto"`` or ``"disabled"``); setting it selects Responses."""
    service_tier: str | None = None
    """Latency tier (``"auto"``, ``"default"``, ``"flex"``, ``"priority"``), for models whose
    schema takes it; refused at construction for a model known not to."""
    verbosity: str | None = None
    """Answer length hint (``"low"``, ``"medium"``, ``"high"``; GPT-5 family), for models whose
    schema takes it; refused at construction for a model known not to."""
    disabled_params: dict[str, Any] | None = None
    """Parameters this class adds on its own that the model must not get, as in
    ``ChatOpenAI``: ``{"parallel_tool_calls": None}`` never sends it; ``{"name": [v1, v2]}``
    drops only those values. Values you pass yourself are still sent."""
    include_response_headers: bool = False
    """Put the reply's HTTP headers in ``response_metadata["headers"]`` (first chunk of a
    stream)."""

    _openai_names: ClassVar[Mapping[str, Rename | Refuse]] = CHAT_NAMES

    @property
    def _llm_type(self) -> str:
        return "aimlapi-chat"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_aimlapi", "chat_models"]

    def _resolve_model_profile(self) -> ModelProfile | None:
        return profile_for(self.model_name)

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return {**super()._get_invocation_params(stop=stop), **self._default_params, **kwargs}

    @property
    def _default_params(self) -> dict[str, Any]:
        params = super()._default_params
        for name in ("store", "include", "truncation", "service_tier", "verbosity"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        return params

    @model_validator(mode="after")
    def _check_model_takes(self) -> ChatAIMLAPI:
        caps = get_capabilities(self.model_name)
        for name in ("service_tier", "verbosity"):
            if getattr(self, name) is None or caps is None:
                continue
            # On /v1/responses verbosity is text.verbosity.
            on_responses = "text" if name == "verbosity" else name
            takes = (caps.spec().accepts(name), caps.spec(RESPONSES).accepts(on_responses))
            if False in takes and True not in takes:
                raise UnsupportedParameterError(
                    f"{name}={getattr(self, name)!r}: model {self.model_name!r} does not take "
                    f"{name} (its AI/ML API schema has no such parameter); leave it out."
                )
        return self

    def _drop_disabled(self, body: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
        """Remove what :attr:`disabled_params` disables, unless the caller passed it."""
        for name, values in (self.disabled_params or {}).items():
            if name in body and name not in given and (values is None or body[name] in values):
                del body[name]
        return body

    @staticmethod
    def _take_response_format(kwargs: dict[str, Any]) -> type[BaseModel] | None:
        """Turn a call's ``response_format`` (any schema form) into its wire form, in place;
        return the pydantic class the answer is to be parsed into, if it is one."""
        strict = kwargs.pop("_response_format_strict", None)
        given = kwargs.get("response_format")
        if given is None or (
            isinstance(given, Mapping) and given.get("type") in ("json_object", "text")
        ):
            return None  # absent, json_object or text: sent as they are
        kwargs["response_format"] = response_format_for(given, strict=strict)
        return given if is_pydantic_class(given) else None

    @staticmethod
    def _with_parsed(result: ChatResult, schema: type[BaseModel] | None) -> ChatResult:
        """Put the answer parsed into ``schema`` in ``additional_kwargs["parsed"]`` (as
        ``ChatOpenAI`` does for ``bind_tools(..., response_format=Model)``)."""
        if schema is None:
            return result
        for generation in result.generations:
            message = generation.message
            if message.additional_kwargs.get("refusal") or getattr(message, "tool_calls", None):
                continue
            try:
                message.additional_kwargs["parsed"] = schema.model_validate_json(message.text)
            except ValueError:
                continue  # not the promised JSON: left unparsed, the text is still there
        return result

    def _with_headers(self, message: BaseMessage, headers: Mapping[str, str]) -> None:
        if self.include_response_headers:
            message.response_metadata["headers"] = dict(headers)

    def _uses_responses_api(self, kwargs: dict[str, Any]) -> bool:
        """Whether this call goes to ``/v1/responses`` (see :attr:`use_responses_api`).

        Example:
            >>> ChatAIMLAPI(model="openai/gpt-5-pro", api_key="k")._uses_responses_api({})
            True
            >>> ChatAIMLAPI(model="gpt-4o", api_key="k")._uses_responses_api({})
            False
        """
        if self.use_responses_api is not None:
            return self.use_responses_api
        caps = get_capabilities(self.model_name)
        if caps is not None and caps.serves_responses_only:
            return True
        if (
            self.verbosity is not None
            and caps is not None
            and not caps.may_send("verbosity")
            and caps.spec(RESPONSES).accepts("text")
        ):
            return True  # the model takes verbosity only as Responses' text.verbosity
        return self.use_previous_response_id or _wants_responses({**self._default_params, **kwargs})

    def _responses_body(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        *,
        stream: bool,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if self.use_previous_response_id and "previous_response_id" not in kwargs:
            messages, response_id = _after_last_response(messages)
            if response_id is not None:
                kwargs["previous_response_id"] = response_id
        wire = [message_to_wire(m) for m in messages]
        if not wire and "previous_response_id" not in kwargs:
            messages_to_wire(messages)  # raises the empty-conversation error
        kwargs.pop("stream_usage", None)  # Responses streams always carry usage
        body = self._request_body(wire, stop, stream=stream, responses=True, **kwargs)
        verbosity = body.pop("verbosity", None)
        if verbosity is not None:  # Responses has it under text
            body["text"] = {**(body.get("text") or {}), "verbosity": verbosity}
        return body

    # -- results ---------------------------------------------------------------------------

    def _chat_result(self, reply: ChatReply) -> ChatResult:
        completion = reply.completion
        generations = [
            ChatGeneration(
                message=ai_message_from_reply(reply, i),
                generation_info={"finish_reason": choice.finish_reason}
                | ({"logprobs": choice.logprobs} if choice.logprobs is not None else {}),
            )
            for i, choice in enumerate(completion.choices)
        ]
        llm_output = {
            "token_usage": completion.usage or {},
            "model_name": completion.model or self.model_name,
            "system_fingerprint": completion.system_fingerprint,
            "id": completion.id,
        }
        for generation in generations:
            self._with_headers(generation.message, reply.headers)
        return ChatResult(generations=generations, llm_output=llm_output)

    def _combine_llm_outputs(self, llm_outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        total: dict[str, int] = {}
        for output in llm_outputs:
            for key, value in ((output or {}).get("token_usage") or {}).items():
                if isinstance(value, int):
                    total[key] = total.get(key, 0) + value
        return {"token_usage": total, "model_name": self.model_name}

    # -- calls -----------------------------------------------------------------------------

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """As LangChain's ``batch`` (each input in a worker thread); the first request is also
        built in the caller's thread, so a shaping warning points at the caller's line (a
        worker's stack holds none).

        Example:
            >>> ChatAIMLAPI(model="gpt-4o-mini", api_key="k").batch([])
            []
        """
        if len(inputs) > 1:
            with contextlib.suppress(Exception):  # a bad input fails in its own call, as before
                self._build_request(inputs[0], dict(kwargs))
        return super().batch(inputs, config, return_exceptions=return_exceptions, **kwargs)

    def _build_request(self, input_: LanguageModelInput, kwargs: dict[str, Any]) -> None:
        """Build (not send) the body of one call, shaping warnings included."""
        self._take_response_format(kwargs)
        split_call_options(kwargs)
        stop = kwargs.pop("stop", None)
        messages = self._convert_input(input_).to_messages()
        if self._uses_responses_api(kwargs):
            self._responses_body(messages, stop, stream=self.streaming, **kwargs)
        else:
            self._request_body(messages_to_wire(messages), stop, stream=self.streaming, **kwargs)

    @maps_errors
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            schema = self._take_response_format(dict(kwargs))
            result = generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
            return self._with_parsed(result, schema)
        schema = self._take_response_format(kwargs)
        options = split_call_options(kwargs)
        if self._uses_responses_api(kwargs):
            body = self._responses_body(messages, stop, stream=False, **kwargs)
            reply = chat_reply_from_responses(self.client.create_response(body, **options))
            return self._with_parsed(self._chat_result(reply), schema)
        body = self._request_body(messages_to_wire(messages), stop, stream=False, **kwargs)
        reply = self.client.chat_completion(self._drop_disabled(body, kwargs), **options)
        return self._with_parsed(self._chat_result(reply), schema)

    @maps_errors
    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            schema = self._take_response_format(dict(kwargs))
            stream = self._astream(messages, stop, run_manager, **kwargs)
            return self._with_parsed(await agenerate_from_stream(stream), schema)
        schema = self._take_response_format(kwargs)
        options = split_call_options(kwargs)
        if self._uses_responses_api(kwargs):
            body = self._responses_body(messages, stop, stream=False, **kwargs)
            reply = chat_reply_from_responses(
                await self.async_client.create_response(body, **options)
            )
            return self._with_parsed(self._chat_result(reply), schema)
        body = self._request_body(messages_to_wire(messages), stop, stream=False, **kwargs)
        body = self._drop_disabled(body, kwargs)
        reply = await self.async_client.chat_completion(body, **options)
        return self._with_parsed(self._chat_result(reply), schema)

    @maps_errors
    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        schema = self._take_response_format(kwargs)
        texts: list[str] = []
        options = split_call_options(kwargs)
        responses = self._uses_responses_api(kwargs)
        if responses:
            body = self._responses_body(messages, stop, stream=True, **kwargs)
            stream: Any = self.client.stream_response(body, **options)
            deltas: Iterable[StreamDelta] = chat_deltas(stream)
        else:
            body = self._request_body(
                messages_to_wire(messages), stop, stream=True, stream_usage=stream_usage, **kwargs
            )
            body = self._drop_disabled(body, kwargs)
            stream = deltas = self.client.stream_chat_completion(body, **options)
        with stream:
            inference_id = stream.inference_id  # a header lookup: once, not per chunk
            first = True
            for delta in deltas:
                converted = chunk_from_delta(
                    delta, inference_id=inference_id, first=first, blocks=responses
                )
                if converted is None:
                    continue
                message, logprobs = converted
                if first:
                    self._with_headers(message, stream.headers)
                first = False
                chunk = ChatGenerationChunk(message=message)
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk, logprobs=logprobs)
                if schema is not None:
                    texts.append(chunk.text)
                yield chunk
        if schema is not None and (parsed := _parsed_chunk(schema, texts)) is not None:
            yield parsed

    @maps_errors
    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        schema = self._take_response_format(kwargs)
        texts: list[str] = []
        options = split_call_options(kwargs)
        responses = self._uses_responses_api(kwargs)
        if responses:
            body = self._responses_body(messages, stop, stream=True, **kwargs)
        else:
            body = self._request_body(
                messages_to_wire(messages), stop, stream=True, stream_usage=stream_usage, **kwargs
            )
            body = self._drop_disabled(body, kwargs)
        stream: Any = await (
            self.async_client.stream_response(body, **options)
            if responses
            else self.async_client.stream_chat_completion(body, **options)
        )
        deltas: AsyncIterable[StreamDelta] = achat_deltas(stream) if responses else stream
        async with stream:
            inference_id = stream.inference_id
            first = True
            async for delta in deltas:
                converted = chunk_from_delta(
                    delta, inference_id=inference_id, first=first, blocks=responses
                )
                if converted is None:
                    continue
                message, logprobs = converted
                if first:
                    self._with_headers(message, stream.headers)
                first = False
                chunk = ChatGenerationChunk(message=message)
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk, logprobs=logprobs)
                if schema is not None:
                    texts.append(chunk.text)
                yield chunk
        if schema is not None and (parsed := _parsed_chunk(schema, texts)) is not None:
            yield parsed

    # -- tools and structured output -------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        response_format: dict[str, Any] | type | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (anything ``convert_to_openai_tool`` accepts) to the model.

        Args:
            tools: Pydantic models, functions, ``BaseTool``s, OpenAI tool dicts, built-in tools
                (``{"type": "web_search_preview"}``) or custom (free-form) tools
                (``{"type": "custom", "name": ..., "description": ...}`` or
                ``langchain_openai.custom_tool``); the last two go to ``/v1/responses``.
            tool_choice: ``"auto"``, ``"none"``, ``"required"``/``"any"``/``True``, or a
                tool's name to force it.
            strict: Ask for schema-exact arguments (OpenAI structured outputs).
            parallel_tool_calls: ``False`` to allow at most one call per turn.
            response_format: A schema (any form :meth:`with_structured_output` takes) for the
                answer when the model calls no tool; tools are then strict unless
                ``strict=False`` (as in ``ChatOpenAI``). A pydantic class also puts the
                parsed answer in ``additional_kwargs["parsed"]``.

        Example:
            >>> from pydantic import BaseModel
            >>> class GetWeather(BaseModel):
            ...     '''Weather in a city.'''
            ...     city: str
            >>> llm = ChatAIMLAPI(api_key="sk-test").bind_tools([GetWeather], tool_choice="any")
            >>> llm.kwargs["tool_choice"], llm.kwargs["tools"][0]["function"]["name"]
            ('required', 'GetWeather')
        """
        if response_format is not None and strict is not False and not self.use_responses_api:
            strict = True  # chat completions want every tool strict beside a response format
        formatted = [_format_tool(t, strict) for t in tools]
        if (
            isinstance(response_format, Mapping)
            and response_format.get("type") == "json_schema"
            and "schema" in (response_format.get("json_schema") or {})
        ):
            # As ChatOpenAI (and langchain's create_agent): the inner schema, its own strict.
            strict = response_format["json_schema"].get("strict")
            response_format = response_format["json_schema"]["schema"]
        for tool in formatted:
            if "function" in tool and not tool["function"].get("name"):
                raise ValueError(f"Tool {tool!r} has no name: give every tool a name.")
        choice = tool_choice_to_wire(tool_choice, _tool_names(formatted))
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        if response_format is not None:
            # Kept as given (a class stays a class): it is turned into the wire form per call,
            # and a class is also what the answer is parsed into.
            response_format_for(response_format, strict=strict)  # refuse a bad one now
            kwargs["response_format"] = response_format
            kwargs.setdefault("_response_format_strict", strict)
        return super().bind(tools=formatted, **kwargs)

    def _structured_method(self) -> StructuredMethod:
        """The default ``with_structured_output`` method for this model: the one its schema
        takes (``json_schema``, ``json_mode`` where only ``json_object`` is taken, else
        ``function_calling``); ``json_schema`` for ids the data does not know."""
        return capabilities_for(self.model_name).structured_output_method()

    _default_structured_method = _structured_method  # the older name

    def _filter_disabled(self, **kwargs: Any) -> dict[str, Any]:
        disabled = self.disabled_params or {}
        return {
            k: v
            for k, v in kwargs.items()
            if not (k in disabled and (disabled[k] is None or v in disabled[k]))
        }

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        tools: list[Any] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Return a runnable whose output matches ``schema``.

        ``schema`` takes every form ``ChatOpenAI`` does: a pydantic class, a TypedDict, a JSON
        schema, an OpenAI tool dict, OpenAI's json_schema dict ``{"name", "schema",
        "strict"}``. ``method`` defaults to ``"json_schema"`` for models that take
        ``response_format`` (a pydantic schema is then sent strict, as ``ChatOpenAI`` does),
        else ``"function_calling"``; ``"json_mode"`` asks for any JSON object. ``tools`` are
        bound beside a json_schema answer (the parsed output is ``None`` when the model calls
        one instead). A refusal raises :class:`~langchain_aimlapi.errors.AIMLAPIRefusalError`
        with its text. Other keywords are bound to the model, as in ``ChatOpenAI``.

        Example:
            >>> from pydantic import BaseModel
            >>> class Joke(BaseModel):
            ...     setup: str
            ...     punchline: str
            >>> runnable = ChatAIMLAPI(api_key="sk-test").with_structured_output(Joke)
            >>> type(runnable).__name__
            'RunnableSequence'
        """
        # Imported here: the parsers are only needed by structured output, not at import.
        from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
        from langchain_core.output_parsers.openai_tools import (
            JsonOutputKeyToolsParser,
            PydanticToolsParser,
        )
        from langchain_core.runnables import RunnableGenerator, RunnableLambda

        method = method or self._structured_method()
        if method == "json_schema" and isinstance(schema, type) and issubclass(schema, BaseModelV1):
            method = "function_calling"  # a pydantic v1 class has no JSON schema to send strict
        if method not in ("json_schema", "function_calling", "json_mode"):
            raise ValueError(
                f"Unknown method {method!r}: use 'json_schema', 'function_calling' or 'json_mode'."
            )
        if strict is not None and method == "json_mode":
            raise ValueError("strict is not supported with method='json_mode'.")
        if schema is None and method != "json_mode":
            raise ValueError(f"schema is required for method={method!r}.")
        is_pydantic = is_pydantic_class(schema)
        llm: Runnable[LanguageModelInput, Any]
        parser: Runnable[Any, Any]
        if method == "json_mode":
            llm = self.bind(
                response_format={"type": "json_object"},
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
                **kwargs,
            )
            parser = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if is_pydantic
                else JsonOutputParser()
            )
        elif method == "function_calling":
            tool_schema = as_openai_tool(schema, strict=strict)
            name = convert_to_openai_tool(tool_schema)["function"]["name"]
            takes_parallel = capabilities_for(self.model_name).may_send("parallel_tool_calls")
            bind_kwargs = self._filter_disabled(
                tool_choice=name,
                parallel_tool_calls=False if takes_parallel else None,
                strict=strict,
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": convert_to_openai_tool(tool_schema, strict=strict),
                },
                **kwargs,
            )
            llm = self.bind_tools([tool_schema], **bind_kwargs)
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        else:
            bind: dict[str, Any] = {
                "response_format": response_format_for(schema, strict=strict),
                "ls_structured_output_format": {
                    "kwargs": {"method": method, "strict": strict},
                    "schema": convert_to_openai_tool(as_openai_tool(schema)),
                },
                **kwargs,
            }
            if tools:
                bind["tools"] = [
                    convert_to_openai_tool(as_openai_tool(t), strict=strict) for t in tools
                ]
            llm = self.bind(**bind)
            if is_pydantic:
                target = cast("type[BaseModel]", schema)
                parse: Callable[[Any], Any] = partial(parse_into, target)
                parser = RunnableLambda(parse).with_types(
                    output_type=schema  # type: ignore[arg-type]
                )
            else:
                parser = JsonOutputParser()
        # Checked per chunk, so streamed structured output still streams.
        checked = RunnableGenerator(check_refusal, acheck_refusal) | parser
        if not include_raw:
            return llm | checked
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | checked, parsing_error=lambda _: None
        )
        fallback = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parsed.with_fallbacks(
            [fallback], exception_key="parsing_error"
        )


ChatAimlapi = ChatAIMLAPI
"""Alias for users of the older ``langchain-aimlapi`` package."""
