"""AI/ML API for LlamaIndex at LlamaIndex's own import path, ``llama_index.llms.aimlapi``.

The same classes as :mod:`llama_index_aimlapi` (this package only re-exports them), found
where LlamaIndex's integrations live (``llama_index.llms.openai``, ...). ``llama_index`` and
``llama_index.llms`` stay namespace packages: ``llama_index.core`` is untouched.

Example:
    >>> from llama_index.llms.aimlapi import AIMLAPI, AIMLAPIResponses
    >>> import llama_index_aimlapi as same
    >>> AIMLAPI is same.AIMLAPI, AIMLAPIResponses is same.AIMLAPIResponses
    (True, True)
    >>> AIMLAPI(model="openai/gpt-4o").metadata.model_name
    'openai/gpt-4o'
"""

from typing import TYPE_CHECKING

from aimlapi_core._lazy import lazy_exports
from llama_index_aimlapi.base import AIMLAPI

if TYPE_CHECKING:
    from llama_index_aimlapi.responses import AIMLAPIResponses

__all__ = ["AIMLAPI", "AIMLAPIResponses"]

# AIMLAPIResponses (and the core's Responses bridge) load on first access, as in
# llama_index_aimlapi.
_LAZY = {"AIMLAPIResponses": "llama_index_aimlapi.responses"}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
