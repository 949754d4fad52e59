"""AI/ML API for LangChain: ``ChatAIMLAPI``, the text LLM ``AIMLAPILLM``, ``AIMLAPIEmbeddings``.

``ChatAimlapi`` and ``AimlapiLLM`` are aliases for users of the older ``langchain-aimlapi``.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-test").model_name
    'openai/gpt-4o-mini'
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .chat_models import ChatAIMLAPI, ChatAimlapi

if TYPE_CHECKING:
    from .embeddings import AIMLAPIEmbeddings
    from .llms import AIMLAPILLM, AimlapiLLM

__all__ = ["AIMLAPILLM", "AIMLAPIEmbeddings", "AimlapiLLM", "ChatAIMLAPI", "ChatAimlapi"]

# Exported name → its module, imported on first access: a user of the chat model does not pay
# for the others (the text LLM pulls langchain_core.language_models.llms with yaml and
# tenacity; embeddings pull the core's batching and wire models). To export a new name lazily,
# add it here, to ``__all__`` and to the ``TYPE_CHECKING`` imports above.
_LAZY = {
    "AIMLAPILLM": ".llms",
    "AimlapiLLM": ".llms",
    "AIMLAPIEmbeddings": ".embeddings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
