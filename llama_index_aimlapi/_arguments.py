"""Constructor arguments we cannot honour: refused by name, with what to use instead.

llama-index's ``OpenAI``, ``OpenAIResponses`` and ``OpenAIEmbedding`` take a few arguments
that only mean something for OpenAI's SDK or Azure. A user moving to AI/ML API passes them
out of habit; swallowing them would silently change what the program does, so each is
refused at construction (``None``, or the anchor's own default, is accepted: it asks for
nothing), and so is any other argument the class has no field for.

Example:
    >>> from llama_index_aimlapi import AIMLAPI
    >>> AIMLAPI(api_version="2024-06-01")
    Traceback (most recent call last):
    ...
    llama_index_aimlapi._arguments.UnsupportedArgumentError: AIMLAPI does not take \
api_version: it picks an Azure OpenAI API version, and AI/ML API has none; leave it out \
(api_base sets the URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["UnsupportedArgumentError", "check_arguments"]


class UnsupportedArgumentError(TypeError):
    """A constructor argument the class cannot honour; :attr:`argument` names it.

    A ``TypeError``, as Python's own "unexpected keyword argument" is.

    Example:
        >>> err = UnsupportedArgumentError("AIMLAPI", "colour", "no such setting.")
        >>> err.argument, str(err)
        ('colour', 'AIMLAPI does not take colour: no such setting.')
    """

    def __init__(self, owner: str, argument: str, advice: str) -> None:
        super().__init__(f"{owner} does not take {argument}: {advice}")
        self.owner = owner
        self.argument = argument


_HTTPX_ADVICE = (
    "AI/ML API's classes do not use the openai SDK; pass your own httpx.{cls} as "
    "{param}= instead (proxies, transports, limits)."
)

# name → (values that ask for nothing and are accepted, why the others are refused)
_REFUSED: dict[str, tuple[tuple[Any, ...], str]] = {
    "api_version": (
        (None, ""),
        "it picks an Azure OpenAI API version, and AI/ML API has none; leave it out "
        "(api_base sets the URL).",
    ),
    "openai_client": ((None,), _HTTPX_ADVICE.format(cls="Client", param="http_client")),
    "async_openai_client": (
        (None,),
        _HTTPX_ADVICE.format(cls="AsyncClient", param="async_http_client"),
    ),
    "reuse_client": (
        (True,),
        "each instance always reuses one pooled connection (one per event loop for async); "
        "to drop the connections call close() / await aclose(), or build a new instance.",
    ),
    "mode": (
        ("text_search", None),
        "it picks between OpenAI's retired -001 search and similarity models; AI/ML API's "
        "embedding models embed queries and documents alike, so leave it out.",
    ),
}


def check_arguments(
    owner: type[Any], kwargs: Mapping[str, Any], *, also_refused: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``kwargs`` without the accepted no-op arguments; the first one the class cannot honour
    raises :class:`UnsupportedArgumentError`.

    An argument passes when it is a field of ``owner`` (``model_fields``) and not in
    ``also_refused`` (name → why), or one of the anchors' no-op values (``reuse_client=True``,
    ``api_version=None``...).

    Example:
        >>> from llama_index_aimlapi import AIMLAPI
        >>> check_arguments(AIMLAPI, {"reuse_client": True, "system_prompt": "Be brief."})
        {'system_prompt': 'Be brief.'}
        >>> check_arguments(AIMLAPI, {"top_k": 3})
        Traceback (most recent call last):
        ...
        llama_index_aimlapi._arguments.UnsupportedArgumentError: AIMLAPI does not take top_k: \
it is no setting of AIMLAPI; send request parameters with additional_kwargs={'top_k': ...}.
    """
    out: dict[str, Any] = {}
    fields = owner.model_fields
    for name, value in kwargs.items():
        if also_refused and name in also_refused:
            raise UnsupportedArgumentError(owner.__name__, name, also_refused[name])
        refused = _REFUSED.get(name)
        if refused is not None and name not in fields:
            accepted, advice = refused
            if any(value == ok for ok in accepted):
                continue
            raise UnsupportedArgumentError(owner.__name__, name, advice)
        if name not in fields:
            raise UnsupportedArgumentError(
                owner.__name__,
                name,
                f"it is no setting of {owner.__name__}; send request parameters with "
                f"additional_kwargs={{{name!r}: ...}}.",
            )
        out[name] = value
    return out
