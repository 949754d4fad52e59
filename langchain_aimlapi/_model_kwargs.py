"""``model_kwargs``: request parameters a class has no field for, collected from the keywords."""

from __future__ import annotations

from typing import Any

from langchain_core.utils.utils import build_extra_kwargs
from pydantic import BaseModel, Field, model_validator

from ._openai_compat import after_build, before_build


class ModelKwargsMixin(BaseModel):
    """Unknown constructor keywords go to ``model_kwargs`` (with a warning), as in
    ``ChatOpenAI`` and ``OpenAIEmbeddings``; a field passed there too is an error.

    Example:
        >>> class Params(ModelKwargsMixin):
        ...     model: str = "m"
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     Params(user="ann").model_kwargs
        {'user': 'ann'}
    """

    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Any other request parameter, sent as is."""

    @model_validator(mode="before")
    @classmethod
    def _build_extra(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        # langchain-openai's names first: renamed to ours or refused, never model_kwargs.
        values = before_build(cls, values)
        extra = values.get("model_kwargs", {})
        all_fields = {f.alias or name for name, f in cls.model_fields.items()} | set(
            cls.model_fields
        )
        values["model_kwargs"] = build_extra_kwargs(extra, values, all_fields)
        after_build(cls, values["model_kwargs"])
        return values
