"""AI/ML API for LangChain: ``ChatAIMLAPI`` and the text LLM ``AIMLAPILLM``.

``ChatAimlapi`` and ``AimlapiLLM`` are aliases for users of the older ``langchain-aimlapi``.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-test").model_name
    'openai/gpt-4o-mini'
"""

from typing import TYPE_CHECKING, Any

from .chat_models import ChatAIMLAPI, ChatAimlapi

if TYPE_CHECKING:
    from .llms import AIMLAPILLM, AimlapiLLM

__all__ = ["AIMLAPILLM", "AimlapiLLM", "ChatAIMLAPI", "ChatAimlapi"]


def __getattr__(name: str) -> Any:
    # The text LLM pulls langchain_core.language_models.llms (and with it yaml and tenacity):
    # load it only when asked for.
    if name in ("AIMLAPILLM", "AimlapiLLM"):
        from . import llms

        return getattr(llms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
