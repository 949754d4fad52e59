"""AI/ML API request core: settings, clients, SSE, wire models, stream accumulation, usage.

Framework-free: both ``langchain_aimlapi`` and ``llama_index_aimlapi`` stand on it.

Example:
    >>> from aimlapi_core import Client, Settings
    >>> client = Client(Settings(api_key="sk-..."))  # or AIMLAPI_API_KEY in the environment
    >>> client.close()
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .client import APIResponse, AsyncClient, BytesResponse, Client
    from .embeddings import EmbeddingsResult, aembed, embed
    from .errors import (
        AIMLAPIError,
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        EmptyReplyError,
        GenerationCancelledError,
        GenerationFailedError,
        GenerationTimeoutError,
        InvalidAPIKeyError,
        InvalidHeaderError,
        InvalidParameterError,
        MediaParameterError,
        MissingAPIKeyError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ResponseFailedError,
        ServerError,
        StreamError,
        UnprocessableEntityError,
    )
    from .replies import ChatReply, EmbeddingsReply, ResponsesReply
    from .settings import DEFAULT_BASE_URL, Settings
    from .sse import ServerSentEvent, SSEDecoder
    from .stream import (
        ChatStreamAccumulator,
        ChoiceDelta,
        ChoiceState,
        ResponsesDelta,
        ResponsesStreamAccumulator,
        StreamDelta,
        ToolCallDelta,
        ToolCallState,
        synthetic_call_id,
    )
    from .streaming import (
        AsyncChatStream,
        AsyncEventStream,
        AsyncResponsesStream,
        ChatStream,
        EventStream,
        ResponsesStream,
    )
    from .usage import Cost, Usage

__all__ = [
    "DEFAULT_BASE_URL",
    "AIMLAPIError",
    "APIConnectionError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatStream",
    "AsyncClient",
    "AsyncEventStream",
    "AsyncResponsesStream",
    "AuthenticationError",
    "BadRequestError",
    "BytesResponse",
    "ChatReply",
    "ChatStream",
    "ChatStreamAccumulator",
    "ChoiceDelta",
    "ChoiceState",
    "Client",
    "ConflictError",
    "Cost",
    "EmbeddingsReply",
    "EmbeddingsResult",
    "EmptyReplyError",
    "EventStream",
    "GenerationCancelledError",
    "GenerationFailedError",
    "GenerationTimeoutError",
    "InvalidAPIKeyError",
    "InvalidHeaderError",
    "InvalidParameterError",
    "MediaParameterError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ResponsesDelta",
    "ResponsesReply",
    "ResponsesStream",
    "ResponsesStreamAccumulator",
    "SSEDecoder",
    "ServerError",
    "ServerSentEvent",
    "Settings",
    "StreamDelta",
    "StreamError",
    "ToolCallDelta",
    "ToolCallState",
    "UnprocessableEntityError",
    "Usage",
    "__version__",
    "aembed",
    "embed",
    "synthetic_call_id",
]

# Exported name → its module, imported on first access (PEP 562): ``import aimlapi_core`` or
# ``from aimlapi_core import Settings`` does not load httpx, the wire models or the stream
# machinery until something asks for them, so importing an adapter stays cheap and the first
# client built pays for the transport. Every name in ``__all__`` but ``__version__`` is here.
_LAZY = {
    **dict.fromkeys(("APIResponse", "AsyncClient", "BytesResponse", "Client"), ".client"),
    **dict.fromkeys(("EmbeddingsResult", "aembed", "embed"), ".embeddings"),
    **dict.fromkeys(
        (
            "AIMLAPIError",
            "APIConnectionError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "ConflictError",
            "EmptyReplyError",
            "InvalidAPIKeyError",
            "InvalidHeaderError",
            "InvalidParameterError",
            "GenerationCancelledError",
            "GenerationFailedError",
            "GenerationTimeoutError",
            "MediaParameterError",
            "MissingAPIKeyError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "ResponseFailedError",
            "ServerError",
            "StreamError",
            "UnprocessableEntityError",
        ),
        ".errors",
    ),
    **dict.fromkeys(("ChatReply", "EmbeddingsReply", "ResponsesReply"), ".replies"),
    **dict.fromkeys(
        (
            "AsyncChatStream",
            "AsyncEventStream",
            "AsyncResponsesStream",
            "ChatStream",
            "EventStream",
            "ResponsesStream",
        ),
        ".streaming",
    ),
    **dict.fromkeys(("DEFAULT_BASE_URL", "Settings"), ".settings"),
    **dict.fromkeys(("ServerSentEvent", "SSEDecoder"), ".sse"),
    **dict.fromkeys(
        (
            "ChatStreamAccumulator",
            "ChoiceDelta",
            "ChoiceState",
            "ResponsesDelta",
            "ResponsesStreamAccumulator",
            "StreamDelta",
            "ToolCallDelta",
            "ToolCallState",
            "synthetic_call_id",
        ),
        ".stream",
    ),
    **dict.fromkeys(("Cost", "Usage"), ".usage"),
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
