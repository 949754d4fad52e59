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
    from .client import APIResponse, AsyncClient, AsyncEventStream, Client, EventStream
    from .embeddings import EmbeddingsReply, EmbeddingsResult
    from .errors import (  # media jobs
        AIMLAPIError,
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        GenerationCancelledError,
        GenerationFailedError,
        GenerationTimeoutError,
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
    from .replies import (
        AsyncChatStream,
        AsyncResponsesStream,
        ChatReply,
        ChatStream,
        ResponsesReply,
        ResponsesStream,
    )
    from .settings import DEFAULT_BASE_URL, Settings
    from .sse import ServerSentEvent, SSEDecoder
    from .stream import (
        ChatStreamAccumulator,
        ChoiceDelta,
        ResponsesDelta,
        ResponsesStreamAccumulator,
        StreamDelta,
        ToolCallDelta,
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
    "ChatReply",
    "ChatStream",
    "ChatStreamAccumulator",
    "ChoiceDelta",
    "Client",
    "ConflictError",
    "Cost",
    "EmbeddingsReply",
    "EmbeddingsResult",
    "EventStream",
    "GenerationCancelledError",
    "GenerationFailedError",
    "GenerationTimeoutError",
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
    "UnprocessableEntityError",
    "Usage",
    "__version__",
]

# Exported name → its module, imported on first access (PEP 562): ``import aimlapi_core`` or
# ``from aimlapi_core import Settings`` does not load httpx, the wire models or the stream
# machinery until something asks for them, so importing an adapter stays cheap and the first
# client built pays for the transport. Every name in ``__all__`` but ``__version__`` is here.
_LAZY = {
    **dict.fromkeys(
        ("APIResponse", "AsyncClient", "AsyncEventStream", "Client", "EventStream"), ".client"
    ),
    **dict.fromkeys(("EmbeddingsReply", "EmbeddingsResult"), ".embeddings"),
    **dict.fromkeys(
        (
            "AIMLAPIError",
            "APIConnectionError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "ConflictError",
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
    **dict.fromkeys(
        (
            "AsyncChatStream",
            "AsyncResponsesStream",
            "ChatReply",
            "ChatStream",
            "ResponsesReply",
            "ResponsesStream",
        ),
        ".replies",
    ),
    **dict.fromkeys(("DEFAULT_BASE_URL", "Settings"), ".settings"),
    **dict.fromkeys(("ServerSentEvent", "SSEDecoder"), ".sse"),
    **dict.fromkeys(
        (
            "ChatStreamAccumulator",
            "ChoiceDelta",
            "ResponsesDelta",
            "ResponsesStreamAccumulator",
            "StreamDelta",
            "ToolCallDelta",
        ),
        ".stream",
    ),
    **dict.fromkeys(("Cost", "Usage"), ".usage"),
    **dict.fromkeys(
        (
            "GenerationCancelledError",
            "GenerationFailedError",
            "GenerationTimeoutError",
            "MediaParameterError",
        ),
        ".errors",
    ),
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
