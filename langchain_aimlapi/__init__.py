"""AI/ML API for LangChain: ``ChatAIMLAPI`` (alias ``ChatAimlapi``).

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-test").model_name
    'openai/gpt-4o-mini'
"""

from .chat_models import ChatAIMLAPI, ChatAimlapi

__all__ = ["ChatAIMLAPI", "ChatAimlapi"]
