"""AI/ML API for LangChain: ``ChatAIMLAPI``, the text LLM ``AIMLAPILLM``, ``AIMLAPIEmbeddings``.

``ChatAimlapi``, ``AimlapiLLM`` and ``AimlapiEmbeddings`` are aliases for users of the older
``langchain-aimlapi``.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-test").model_name
    'openai/gpt-4o-mini'
"""

from typing import TYPE_CHECKING

from aimlapi_core._lazy import lazy_exports

from .chat_models import ChatAIMLAPI, ChatAimlapi

if TYPE_CHECKING:
    from .embeddings import AIMLAPIEmbeddings, AimlapiEmbeddings
    from .llms import AIMLAPILLM, AimlapiLLM

__all__ = [
    "AIMLAPILLM",
    "AIMLAPIEmbeddings",
    "AimlapiEmbeddings",
    "AimlapiLLM",
    "ChatAIMLAPI",
    "ChatAimlapi",
]

# Exported name → its module, imported on first access: a user of the chat model does not pay
# for the others (the text LLM pulls langchain_core.language_models.llms with yaml and
# tenacity; embeddings pull the core's batching and wire models). To export a new name lazily,
# add it here, to ``__all__`` and to the ``TYPE_CHECKING`` imports above.
_LAZY = {
    "AIMLAPILLM": ".llms",
    "AimlapiLLM": ".llms",
    "AIMLAPIEmbeddings": ".embeddings",
    "AimlapiEmbeddings": ".embeddings",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
