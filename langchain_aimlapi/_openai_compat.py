"""What ``langchain-openai``'s constructor names mean here: each one works or is refused.

A user switching from ``ChatOpenAI``, ``OpenAI`` or ``OpenAIEmbeddings`` keeps their keyword
arguments. Every name those classes declare is one of:

* one of our own fields (same name, same meaning), or
* :class:`Rename` d to ours (``openai_api_key`` → ``api_key``, ``openai_proxy`` → ``proxy``), or
* :class:`Refuse` d at construction with an :class:`UnsupportedParameterError` that names it and
  says what to use instead, unless its value means what we do anyway (``None``,
  ``check_embedding_ctx_length=False`` ...), in which case it is dropped.

None of them ever reaches ``model_kwargs`` (and so the request body): a test generated from the
installed anchors' ``model_fields`` keeps the tables here complete. ``model_kwargs`` itself may
not hold a declared name or anything that looks like a secret.

Example:
    >>> from langchain_aimlapi import ChatAIMLAPI
    >>> llm = ChatAIMLAPI(openai_api_key="sk-test", openai_api_base="http://127.0.0.1:9/v1")
    >>> llm.base_url, llm.model_kwargs
    ('http://127.0.0.1:9/v1', {})
    >>> ChatAIMLAPI(api_key="k", organization="org-1")
    Traceback (most recent call last):
    ...
    langchain_aimlapi._openai_compat.UnsupportedParameterError: organization='org-1' ...
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr, model_validator

from ._connection import AIMLAPIConnection

if TYPE_CHECKING:
    from aimlapi_core.settings import Settings

__all__ = [
    "CHAT_NAMES",
    "EMBEDDINGS_NAMES",
    "LLM_NAMES",
    "ClientOptions",
    "Refuse",
    "Rename",
    "UnsupportedParameterError",
    "apply_openai_names",
    "check_model_kwargs",
]


class UnsupportedParameterError(TypeError):
    """A constructor or call keyword this package does not take; the message says what to use.

    A ``TypeError`` (an unexpected keyword argument), so pydantic raises it as it is.
    """


@dataclass(frozen=True)
class Rename:
    """The name is ours under another name: ``target``."""

    target: str


@dataclass(frozen=True)
class Refuse:
    """The name has no counterpart here: refused unless its value is one of ``harmless``."""

    hint: str
    harmless: tuple[Any, ...] = (None,)


_SDK_CLIENT = Refuse(
    "these are openai SDK clients, and there is no openai SDK here: pass an httpx client as "
    "http_client= (sync) / http_async_client= (async) to control the connection."
)
_NO_ORG = Refuse(
    "AI/ML API has no organizations (a key belongs to one account): drop it; to send the "
    "header anyway, use default_headers={'OpenAI-Organization': ...}."
)
_AZURE = Refuse("it is for Azure OpenAI deployments: AI/ML API takes the model id as model=...")
_WHOLE_TEXTS = (
    "AIMLAPIEmbeddings sends each text whole (no tiktoken splitting and averaging): split long "
    "texts before embedding them (e.g. with a text splitter)."
)

# Names every class shares (connection).
_CONNECTION: dict[str, Rename | Refuse] = {
    "openai_api_key": Rename("api_key"),
    "openai_api_base": Rename("base_url"),
    "openai_proxy": Rename("proxy"),
    "openai_organization": _NO_ORG,
    "organization": _NO_ORG,
    "client": _SDK_CLIENT,
    "async_client": _SDK_CLIENT,
}

CHAT_NAMES: Mapping[str, Rename | Refuse] = {
    **_CONNECTION,
    "root_client": _SDK_CLIENT,
    "root_async_client": _SDK_CLIENT,
    "http_socket_options": Refuse(
        "pass http_client=httpx.Client(transport=httpx.HTTPTransport(socket_options=[...])) "
        "(and http_async_client=... for async) instead."
    ),
    "stream_chunk_timeout": Refuse(
        "timeout= bounds the wait for every chunk of a stream too (it is the read timeout)."
    ),
    "context_management": Refuse(
        "AI/ML API does not document it; if your model takes it, send it with "
        "extra_body={'context_management': ...}."
    ),
    "prompt_cache_options": Refuse(
        "AI/ML API does not document it; if your model takes it, send it with "
        "extra_body={'prompt_cache_options': ...}."
    ),
}
"""``ChatOpenAI`` names that are not ``ChatAIMLAPI`` fields."""

LLM_NAMES: Mapping[str, Rename | Refuse] = {
    **_CONNECTION,
    "best_of": Refuse(
        "AI/ML API serves chat completions only, which have no best_of: use n=... and choose.",
        harmless=(None, 1),
    ),
    "allowed_special": Refuse(
        "get_num_tokens counts special-token text as plain text; call tiktoken yourself to "
        "count special tokens.",
        harmless=(None, set(), frozenset()),
    ),
    "disallowed_special": Refuse(
        "get_num_tokens counts special-token text as plain text; call tiktoken yourself to "
        "count special tokens.",
        harmless=(None, "all"),
    ),
}
"""``langchain_openai.OpenAI`` names that are not ``AIMLAPILLM`` fields."""

EMBEDDINGS_NAMES: Mapping[str, Rename | Refuse] = {
    **_CONNECTION,
    "headers": Rename("default_headers"),
    "deployment": _AZURE,
    "openai_api_version": _AZURE,
    "api_version": _AZURE,
    "openai_api_type": _AZURE,
    "embedding_ctx_length": Refuse(_WHOLE_TEXTS),
    "check_embedding_ctx_length": Refuse(_WHOLE_TEXTS, harmless=(None, False)),
    "tiktoken_enabled": Refuse(_WHOLE_TEXTS, harmless=(None, False)),
    "tiktoken_model_name": Refuse(_WHOLE_TEXTS),
    "allowed_special": Refuse(_WHOLE_TEXTS),
    "disallowed_special": Refuse(_WHOLE_TEXTS),
    "skip_empty": Refuse(
        "texts are sent as they are, and OpenAI's embedding models answer 400 to an empty "
        "one: leave empty strings out before embedding.",
        harmless=(None, False),
    ),
    "retry_min_seconds": Refuse(
        "retries wait for the server's Retry-After, else back off from 0.5 s to 8 s: "
        "set max_retries= to wait longer or not at all."
    ),
    "retry_max_seconds": Refuse(
        "retries wait for the server's Retry-After, else back off from 0.5 s to 8 s: "
        "set max_retries= to wait longer or not at all."
    ),
}
"""``OpenAIEmbeddings`` names that are not ``AIMLAPIEmbeddings`` fields."""

# Keys of model_kwargs that look like credentials: they would land in the request body.
_SECRET_KEY = re.compile(
    r"(^|_)(api_?key|secret|password|passwd|access_token|auth_token)$|^authorization$", re.I
)


def _declared(cls: type[BaseModel]) -> set[str]:
    return set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}


def apply_openai_names(
    cls: type[BaseModel], values: dict[str, Any], names: Mapping[str, Rename | Refuse]
) -> dict[str, Any]:
    """Rename or refuse the anchor's names among the constructor ``values`` (a new dict).

    Example:
        >>> from langchain_aimlapi import AIMLAPIEmbeddings
        >>> apply_openai_names(AIMLAPIEmbeddings, {"headers": {"a": "1"}}, EMBEDDINGS_NAMES)
        {'default_headers': {'a': '1'}}
    """
    declared = _declared(cls)
    out = dict(values)
    for name, rule in names.items():
        if name in declared or name not in out:
            continue
        value = out.pop(name)
        if isinstance(rule, Rename):
            if out.get(rule.target) is not None and value is not None:
                raise UnsupportedParameterError(
                    f"{name} and {rule.target} are the same setting: pass only {rule.target}=..."
                )
            if value is not None:
                out[rule.target] = value
        elif not any(value is h or value == h for h in rule.harmless):
            shown = "'**********'" if isinstance(value, SecretStr) else repr(value)
            raise UnsupportedParameterError(
                f"{name}={shown[:80]} is a langchain-openai parameter that {cls.__name__} "
                f"does not take: {rule.hint}"
            )
    return out


def check_model_kwargs(
    cls: type[BaseModel], model_kwargs: Mapping[str, Any], names: Mapping[str, Rename | Refuse]
) -> None:
    """Refuse ``model_kwargs`` keys that are declared names (ours or the anchor's) or secrets.

    Example:
        >>> from langchain_aimlapi import ChatAIMLAPI
        >>> check_model_kwargs(ChatAIMLAPI, {"api_key": "sk-1"}, CHAT_NAMES)
        Traceback (most recent call last):
        ...
        langchain_aimlapi._openai_compat.UnsupportedParameterError: model_kwargs['api_key'] ...
    """
    declared = _declared(cls) | set(names)
    for key, value in model_kwargs.items():
        if _SECRET_KEY.search(key) or isinstance(value, SecretStr):
            raise UnsupportedParameterError(
                f"model_kwargs[{key!r}] looks like a credential, and model_kwargs goes into the "
                "request body: pass the key as api_key=... (or AIMLAPI_API_KEY), other "
                "credentials as default_headers=..."
            )
        if key in declared:
            rule = names.get(key)
            target = rule.target if isinstance(rule, Rename) else key
            raise UnsupportedParameterError(
                f"model_kwargs[{key!r}] is a constructor parameter, not a body field: "
                f"pass {target}=... to {cls.__name__} instead."
            )


class ClientOptions(AIMLAPIConnection):
    """Connection options ``langchain-openai`` has and the core client does not: a proxy and
    query parameters for every request, carried by the core client's own connection pool.

    Example:
        >>> opts = ClientOptions(api_key="k", proxy="http://127.0.0.1:3128")
        >>> opts.proxy
        'http://127.0.0.1:3128'
    """

    proxy: str | None = None
    """Proxy URL for every request (``ChatOpenAI``'s ``openai_proxy``, accepted as that name)."""
    default_query: dict[str, Any] | None = None
    """Query parameters added to every request URL."""

    @model_validator(mode="after")
    def _check_client_options(self) -> ClientOptions:
        if (self.proxy or self.default_query) and (self.http_client or self.http_async_client):
            raise UnsupportedParameterError(
                "proxy/default_query cannot be applied to an http_client you pass in: set them "
                "on that client (httpx.Client(proxy=..., params=...)) instead."
            )
        return self

    def _settings(self) -> Settings:
        # The core client builds (and closes) its own pool with these.
        query = {k: str(v) for k, v in (self.default_query or {}).items()}
        return replace(super()._settings(), proxy=self.proxy, default_query=query)


def _openai_names_of(cls: type[BaseModel]) -> Mapping[str, Rename | Refuse]:
    names = getattr(cls, "_openai_names", None)
    return names if isinstance(names, Mapping) else {}


def before_build(cls: type[BaseModel], values: Any) -> Any:
    """Hook for :class:`~langchain_aimlapi._model_kwargs.ModelKwargsMixin`: apply the class's
    anchor names before unknown keywords are collected into ``model_kwargs``."""
    if not isinstance(values, dict):
        return values
    return apply_openai_names(cls, values, _openai_names_of(cls))


def after_build(cls: type[BaseModel], model_kwargs: Mapping[str, Any]) -> None:
    """Hook for :class:`~langchain_aimlapi._model_kwargs.ModelKwargsMixin`: check the result."""
    check_model_kwargs(cls, model_kwargs, _openai_names_of(cls))


def split_call_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the per-call *request* options out of a call's keywords (which are otherwise body
    fields): ``extra_headers`` become HTTP headers and ``timeout`` the request's timeout, as
    the openai SDK does for ``ChatOpenAI``. ``extra_query`` is refused (use ``default_query``).

    Example:
        >>> kwargs = {"temperature": 0, "extra_headers": {"X-Trace": "1"}}
        >>> split_call_options(kwargs), kwargs
        ({'headers': {'X-Trace': '1'}}, {'temperature': 0})
    """
    options: dict[str, Any] = {}
    headers = kwargs.pop("extra_headers", None)
    if headers:
        if not isinstance(headers, Mapping):
            raise TypeError(
                f"extra_headers must be a dict of header names to values, got {headers!r}."
            )
        options["headers"] = {str(k): str(v) for k, v in headers.items()}
    timeout = kwargs.pop("timeout", None)
    if timeout is not None:
        options["timeout"] = float(timeout)
    if kwargs.get("extra_query"):
        raise UnsupportedParameterError(
            "extra_query is not taken per call: set default_query={...} on the model "
            "(e.g. model.model_copy(update={'default_query': {...}}))."
        )
    kwargs.pop("extra_query", None)
    return options
