"""AI/ML API for LangChain: ``ChatAIMLAPI`` and the text LLM ``AIMLAPILLM``.

``ChatAimlapi`` and ``AimlapiLLM`` are aliases for users of the older ``langchain-aimlapi``.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-test").model_name
    'openai/gpt-4o-mini'
"""

from .chat_models import ChatAIMLAPI, ChatAimlapi
from .llms import AIMLAPILLM, AimlapiLLM

__all__ = ["AIMLAPILLM", "AimlapiLLM", "ChatAIMLAPI", "ChatAimlapi"]
