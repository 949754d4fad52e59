"""The base of every wire model: lenient, so unknown fields survive and optional ones may lack."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A pydantic model that keeps fields it does not know (``extra="allow"``).

    Example:
        >>> WireModel.model_validate({"x_groq": {"id": "req_1"}}).model_extra
        {'x_groq': {'id': 'req_1'}}
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())
