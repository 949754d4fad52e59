"""The base of every wire model: lenient, so unknown fields survive and optional ones may lack."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A pydantic model that keeps fields it does not know (``extra="allow"``).

    Example:
        >>> WireModel.model_validate({"x_groq": {"id": "req_1"}}).model_extra
        {'x_groq': {'id': 'req_1'}}
    """

    # defer_build: a model's validator is built when it first validates, not at import, so
    # importing the core costs little and models a program never uses (Responses items for a
    # chat-only user, embeddings) cost nothing.
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True
    )
