"""AI/ML API request core: settings, clients, SSE, wire models, stream accumulation, usage.

Framework-free: both ``langchain_aimlapi`` and ``llama_index_aimlapi`` stand on it.

Example:
    >>> from aimlapi_core import Client, Settings
    >>> client = Client(Settings(api_key="sk-..."))  # or AIMLAPI_API_KEY in the environment
    >>> client.close()
"""

__version__ = "0.1.0"

from .client import APIResponse, AsyncClient, AsyncEventStream, Client, EventStream
from .embeddings import EmbeddingsReply, EmbeddingsResult
from .errors import (
    AIMLAPIError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
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
