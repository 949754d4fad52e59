"""AI/ML API for LangChain: ``ChatAIMLAPI``, the text LLM ``AIMLAPILLM``, ``AIMLAPIEmbeddings``;
media tools for agents (``AIMLAPIImageTool``, ``AIMLAPIVideoTool``, ``AIMLAPITextToSpeechTool``,
``AIMLAPISpeechToTextTool``), ``AIMLAPIAudioParser`` and the older package's
``AimlapiImageModel`` / ``AimlapiVideoModel``.

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
    from .audio_parser import AIMLAPIAudioParser
    from .embeddings import AIMLAPIEmbeddings, AimlapiEmbeddings
    from .llms import AIMLAPILLM, AimlapiLLM
    from .media_models import AimlapiImageModel, AimlapiVideoModel
    from .media_tools import (
        AIMLAPIImageTool,
        AIMLAPISpeechToTextTool,
        AIMLAPITextToSpeechTool,
        AIMLAPIVideoTool,
    )

__all__ = [
    "AIMLAPILLM",
    "AIMLAPIAudioParser",
    "AIMLAPIEmbeddings",
    "AIMLAPIImageTool",
    "AIMLAPISpeechToTextTool",
    "AIMLAPITextToSpeechTool",
    "AIMLAPIVideoTool",
    "AimlapiEmbeddings",
    "AimlapiImageModel",
    "AimlapiLLM",
    "AimlapiVideoModel",
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
    "AIMLAPIAudioParser": ".audio_parser",
    "AimlapiImageModel": ".media_models",
    "AimlapiVideoModel": ".media_models",
    "AIMLAPIImageTool": ".media_tools",
    "AIMLAPISpeechToTextTool": ".media_tools",
    "AIMLAPITextToSpeechTool": ".media_tools",
    "AIMLAPIVideoTool": ".media_tools",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
