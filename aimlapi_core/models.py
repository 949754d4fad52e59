"""What each AI/ML API model accepts: endpoints, request parameters, roles, limits.

The packaged table ``aimlapi_core/data/model_capabilities.json`` is generated from AI/ML API's
own OpenAPI specs and capability pages by ``scripts/generate_model_capabilities.py``. It is
parsed on the first lookup, not at import. A live ``GET /v1/models`` body can be laid over it
with :func:`register_models_listing` (or :func:`capabilities_from_models_listing` plus
:func:`register_capabilities`).

Unknown ids give ``None``: new models appear weekly, and a request to one of them is sent as
the caller wrote it.

Example:
    >>> caps = get_capabilities("openai/o3-2025-04-16")
    >>> caps.reasoning, caps.temperature, sorted(caps.endpoints)
    (True, False, ['chat.completions', 'responses'])
    >>> get_capabilities("o3-2025-04-16").model_id  # the response's `model` has no prefix
    'openai/o3-2025-04-16'
    >>> get_capabilities("no-such/model") is None
    True
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "CHAT_COMPLETIONS",
    "MESSAGES",
    "RESPONSES",
    "ModelCapabilities",
    "aliases_from_models_listing",
    "capabilities_from_models_listing",
    "get_capabilities",
    "known_model_ids",
    "register_capabilities",
    "register_models_listing",
    "reset_registered_capabilities",
]

CHAT_COMPLETIONS = "chat.completions"
"""Endpoint name of ``POST /v1/chat/completions``."""
RESPONSES = "responses"
"""Endpoint name of ``POST /v1/responses``."""
MESSAGES = "messages"
"""Endpoint name of ``POST /v1/messages`` (Anthropic's Messages API, served for Claude models)."""

_DATA_PACKAGE = "aimlapi_core"
_DATA_FILE = "model_capabilities.json"
# o1/o3/o4/gpt-5 ids (after the vendor prefix); the ``*-chat*`` variants are non-reasoning.
_REASONING_FAMILY = re.compile(r"^(?:o1|o3|o4)(?:-|$)|^gpt-5(?:$|[-.])")
# `GET /v1/models` item `type` suffix -> endpoint name.
_LISTING_TYPES = {
    "chat-completions": CHAT_COMPLETIONS,
    "chat/completions": CHAT_COMPLETIONS,
    "responses": RESPONSES,
    "messages": MESSAGES,
}


@dataclass(frozen=True, slots=True)
class ModelCapabilities:
    """What one model accepts, as documented by AI/ML API.

    The booleans say whether the model's chat-completions request schema has that parameter.
    For a model served only by ``/v1/responses`` they describe the Responses schema instead:
    ``temperature``, ``tools`` and ``parallel_tool_calls`` by name, ``reasoning_effort`` as
    ``reasoning.effort`` and ``response_format`` as ``text.format``.

    ``roles`` is ``None`` when the spec does not say (Anthropic's specs). ``chat_params`` and
    ``responses_params`` are empty when that schema is unknown; shaping then drops nothing.
    ``context_window`` and ``max_output_tokens`` are ``None`` unless a doc or the live catalogue
    states them.

    Example:
        >>> caps = get_capabilities("o1-mini")
        >>> caps.takes_system_role, caps.serves_chat, caps.accepts_chat_param("temperature")
        (False, True, False)
    """

    model_id: str
    endpoints: frozenset[str]
    temperature: bool
    tools: bool
    response_format: bool
    reasoning_effort: bool
    max_completion_tokens: bool
    max_tokens: bool
    stream_options: bool
    parallel_tool_calls: bool
    roles: frozenset[str] | None
    chat_params: frozenset[str]
    responses_params: frozenset[str]
    reasoning: bool
    vision: bool
    context_window: int | None
    max_output_tokens: int | None

    @property
    def serves_chat(self) -> bool:
        """Whether ``POST /v1/chat/completions`` serves the model.

        Example:
            >>> get_capabilities("gpt-4o").serves_chat
            True
        """
        return CHAT_COMPLETIONS in self.endpoints

    @property
    def serves_responses(self) -> bool:
        """Whether ``POST /v1/responses`` serves the model.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").serves_responses
            True
        """
        return RESPONSES in self.endpoints

    @property
    def serves_responses_only(self) -> bool:
        """Whether the model needs ``/v1/responses`` (no chat-completions endpoint).

        Example:
            >>> get_capabilities("openai/gpt-5-pro").serves_responses_only
            True
        """
        return self.serves_responses and not self.serves_chat

    @property
    def chat_schema_known(self) -> bool:
        """Whether the chat request parameters are known (so absence means "not accepted").

        Example:
            >>> get_capabilities("gpt-4o").chat_schema_known
            True
        """
        return bool(self.chat_params)

    @property
    def responses_schema_known(self) -> bool:
        """Whether the Responses request parameters are known.

        Example:
            >>> get_capabilities("gpt-4o").responses_schema_known
            True
        """
        return bool(self.responses_params)

    def takes_role(self, role: str) -> bool | None:
        """Whether chat messages may carry ``role``; ``None`` when the spec does not say.

        Example:
            >>> get_capabilities("o1-mini").takes_role("system")
            False
        """
        return None if self.roles is None else role in self.roles

    @property
    def takes_system_role(self) -> bool:
        """``False`` only when the spec lists roles and ``system`` is not among them.

        Example:
            >>> get_capabilities("gpt-4o").takes_system_role
            True
        """
        return self.takes_role("system") is not False

    @property
    def takes_developer_role(self) -> bool:
        """``False`` only when the spec lists roles and ``developer`` is not among them.

        Example:
            >>> get_capabilities("o1-mini").takes_developer_role
            False
        """
        return self.takes_role("developer") is not False

    def accepts_chat_param(self, name: str) -> bool | None:
        """Whether the chat schema has ``name``; ``None`` when the schema is unknown.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").accepts_chat_param("top_p")
            False
        """
        return (name in self.chat_params) if self.chat_params else None

    def accepts_responses_param(self, name: str) -> bool | None:
        """Whether the Responses schema has ``name``; ``None`` when the schema is unknown.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").accepts_responses_param("reasoning")
            True
        """
        return (name in self.responses_params) if self.responses_params else None


@dataclass(frozen=True, slots=True)
class _Table:
    models: Mapping[str, ModelCapabilities]
    aliases: Mapping[str, str]


_EMPTY = _Table(models={}, aliases={})
_lock = threading.Lock()
# Copy-on-write: writers swap in new tables under the lock, readers take a reference.
_registered: _Table = _EMPTY


def _tail(model_id: str) -> str:
    """The id without its vendor prefix."""
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def _is_reasoning_family(model_id: str) -> bool:
    tail = _tail(model_id).lower()
    return bool(_REASONING_FAMILY.search(tail)) and "chat" not in tail


def _strs(value: Any) -> frozenset[str]:
    if not isinstance(value, (list, tuple, set, frozenset)):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str))


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _from_record(model_id: str, rec: Mapping[str, Any]) -> ModelCapabilities:
    """One model record of the packaged JSON -> :class:`ModelCapabilities`."""
    chat = rec.get("chat")
    responses = rec.get("responses")
    responses_params = _strs(responses.get("params")) if isinstance(responses, Mapping) else None
    if isinstance(chat, Mapping):
        flags = {
            key: bool(chat.get(key, False))
            for key in (
                "temperature",
                "tools",
                "response_format",
                "reasoning_effort",
                "max_completion_tokens",
                "max_tokens",
                "stream_options",
                "parallel_tool_calls",
            )
        }
        roles = chat.get("roles")
        chat_roles = _strs(roles) if roles is not None else None
        chat_params = _strs(chat.get("params"))
    else:
        rp = responses_params or frozenset()
        flags = {
            "temperature": "temperature" in rp,
            "tools": "tools" in rp,
            "response_format": "text" in rp,
            "reasoning_effort": "reasoning" in rp,
            "max_completion_tokens": False,
            "max_tokens": False,
            "stream_options": False,
            "parallel_tool_calls": "parallel_tool_calls" in rp,
        }
        chat_roles = None
        chat_params = frozenset()
    return ModelCapabilities(
        model_id=model_id,
        endpoints=_strs(rec.get("endpoints")),
        roles=chat_roles,
        chat_params=chat_params,
        responses_params=responses_params or frozenset(),
        reasoning=bool(rec.get("reasoning", False)),
        vision=bool(rec.get("vision", False)),
        context_window=_opt_int(rec.get("context_window")),
        max_output_tokens=_opt_int(rec.get("max_output_tokens")),
        **flags,
    )


@cache
def _packaged() -> _Table:
    """The packaged table, parsed once on first use."""
    try:
        ref = resources.files(_DATA_PACKAGE) / "data" / _DATA_FILE
        document = json.loads(ref.read_text(encoding="utf-8"))
        records: Mapping[str, Any] = document["models"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        warnings.warn(
            f"aimlapi_core: cannot read packaged {_DATA_FILE} ({exc}); model capabilities "
            "are unknown and requests are sent unshaped. Reinstall the package.",
            RuntimeWarning,
            stacklevel=3,
        )
        return _EMPTY
    models: dict[str, ModelCapabilities] = {}
    alias_targets: dict[str, set[str]] = {}
    for model_id, rec in records.items():
        if not isinstance(rec, Mapping):
            continue
        models[model_id] = _from_record(model_id, rec)
        for alias in _strs(rec.get("aliases")):
            alias_targets.setdefault(alias, set()).add(model_id)
    # An alias that is also an id, or names two models, is not an alias.
    aliases = {
        alias: next(iter(targets))
        for alias, targets in alias_targets.items()
        if len(targets) == 1 and alias not in models
    }
    return _Table(models=models, aliases=aliases)


@cache
def _packaged_index() -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]]:
    """Unprefixed name -> prefixed ids, and lower-cased name -> ids, of the packaged table."""
    table = _packaged()
    tails: dict[str, list[str]] = {}
    lower: dict[str, list[str]] = {}
    for model_id in table.models:
        if "/" in model_id:
            tails.setdefault(_tail(model_id), []).append(model_id)
        lower.setdefault(model_id.lower(), []).append(model_id)
    for alias, model_id in table.aliases.items():
        lower.setdefault(alias.lower(), []).append(model_id)
    return (
        {k: tuple(v) for k, v in tails.items()},
        {k: tuple(sorted(set(v))) for k, v in lower.items()},
    )


def _exact(name: str, reg: _Table, pkg: _Table) -> ModelCapabilities | None:
    found = reg.models.get(name)
    return found if found is not None else pkg.models.get(name)


def _by_alias(name: str, reg: _Table, pkg: _Table) -> ModelCapabilities | None:
    for table in (reg, pkg):
        target = table.aliases.get(name)
        if target is not None:
            found = _exact(target, reg, pkg)
            if found is not None:
                return found
    return None


def _unique(candidates: Iterable[str], reg: _Table, pkg: _Table) -> ModelCapabilities | None:
    found = set(candidates)
    if len(found) != 1:
        return None
    return _exact(found.pop(), reg, pkg)


def get_capabilities(model_id: str) -> ModelCapabilities | None:
    """Capabilities of ``model_id``, or ``None`` when it is unknown. Never raises.

    Looks up, in order: the exact id (registered ones first, then the packaged table); a known
    alias; the id without its vendor prefix (``openai/gpt-4o-mini`` -> ``gpt-4o-mini``), or with
    one (``o3-2025-04-16`` -> ``openai/o3-2025-04-16``) when exactly one id fits; the same,
    ignoring case. The result's ``model_id`` is the matched canonical id.

    Example:
        >>> get_capabilities("openai/o3-2025-04-16").max_completion_tokens
        True
        >>> get_capabilities("o3-2025-04-16").model_id
        'openai/o3-2025-04-16'
        >>> get_capabilities("some-vendor/brand-new-model") is None
        True
    """
    if not isinstance(model_id, str) or not model_id.strip():
        return None
    name = model_id.strip()
    reg, pkg = _registered, _packaged()
    found = _exact(name, reg, pkg) or _by_alias(name, reg, pkg)
    if found is not None:
        return found
    tails, lower = _packaged_index()
    if "/" in name:
        bare = _tail(name)
        found = _exact(bare, reg, pkg) or _by_alias(bare, reg, pkg)
    else:
        registered = [k for k in reg.models if "/" in k and _tail(k) == name]
        found = _unique([*tails.get(name, ()), *registered], reg, pkg)
    if found is not None:
        return found
    folded = name.lower()
    candidates: list[str] = []
    for key in (folded, _tail(folded)) if "/" in folded else (folded,):
        registered_names = (*reg.models, *reg.aliases)
        candidates = [
            *lower.get(key, ()),
            *(reg.aliases.get(k, k) for k in registered_names if k.lower() == key),
        ]
        if candidates:
            break
    return _unique(candidates, reg, pkg)


def known_model_ids() -> frozenset[str]:
    """Every model id in the packaged table and the registered overlay.

    Example:
        >>> "openai/o3-2025-04-16" in known_model_ids()
        True
    """
    return frozenset(_packaged().models) | frozenset(_registered.models)


def register_capabilities(
    mapping: Mapping[str, ModelCapabilities], *, aliases: Mapping[str, str] | None = None
) -> None:
    """Lay ``mapping`` (lookup name -> capabilities) over the packaged table.

    Registered entries win over packaged ones of the same name; ``aliases`` maps extra names to
    ids. Thread-safe; readers see the old or the new table, never half of one.

    Example:
        >>> base = get_capabilities("gpt-4o")
        >>> register_capabilities({"acme/gpt-4o-ft": replace(base, model_id="acme/gpt-4o-ft")})
        >>> get_capabilities("acme/gpt-4o-ft").temperature
        True
        >>> reset_registered_capabilities()
    """
    global _registered
    for name, caps in mapping.items():
        if not isinstance(name, str) or not isinstance(caps, ModelCapabilities):
            raise TypeError(
                "register_capabilities() takes a mapping of model id (str) to "
                f"ModelCapabilities, got {type(name).__name__} -> {type(caps).__name__}"
            )
    with _lock:
        models = {**_registered.models, **mapping}
        new_aliases = {**_registered.aliases, **(aliases or {})}
        _registered = _Table(models=models, aliases=new_aliases)


def reset_registered_capabilities() -> None:
    """Forget everything registered; lookups see the packaged table only.

    Example:
        >>> reset_registered_capabilities()
    """
    global _registered
    with _lock:
        _registered = _EMPTY


def _listing_items(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if isinstance(data, Mapping):  # `GET /model/{id}` wraps one item
        data = [data]
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, Mapping) and isinstance(item.get("id"), str)]


def _listing_endpoint(kind: Any) -> str | None:
    if not isinstance(kind, str):
        return None
    for suffix, endpoint in _LISTING_TYPES.items():
        if kind.endswith(suffix):
            return endpoint
    return None


def _lowered(value: Any) -> frozenset[str]:
    return frozenset(v.lower() for v in _strs(value))


def capabilities_from_models_listing(payload: Mapping[str, Any]) -> dict[str, ModelCapabilities]:
    """Capabilities of the text models in a ``GET /v1/models`` (or ``/model/{id}``) body.

    Reads each item's ``type`` (``openai/chat-completions``, ``openai/responses``), ``info``
    (``contextLength``, ``outputMax``), ``capabilities`` (or ``features``) and ``modalities``.
    A model already known keeps its documented schema and gains what the listing adds; a new
    one gets an empty schema (so shaping leaves its requests alone) and flags read from
    ``capabilities``. Items of other types (image, video, audio) are skipped. Keyed by id.

    Example:
        >>> body = {"object": "list", "data": [{"id": "acme/new-chat", "type":
        ...     "openai/chat-completions", "aliases": [], "tags": [], "info": {"name": "New",
        ...     "developer": "Acme", "contextLength": 32000}, "capabilities": ["tools"]}]}
        >>> caps = capabilities_from_models_listing(body)["acme/new-chat"]
        >>> caps.context_window, caps.tools, caps.serves_chat, caps.chat_params
        (32000, True, True, frozenset())
    """
    out: dict[str, ModelCapabilities] = {}
    for item in _listing_items(payload):
        model_id: str = item["id"]
        endpoint = _listing_endpoint(item.get("type"))
        base = get_capabilities(model_id)
        if base is None:
            for alias in _strs(item.get("aliases")):
                base = get_capabilities(alias)
                if base is not None:
                    break
        if base is None and endpoint is None:
            continue
        info = item.get("info")
        info = info if isinstance(info, Mapping) else {}
        context = _opt_int(info.get("contextLength"))
        output_max = _opt_int(info.get("outputMax"))
        has_caps = "capabilities" in item or "features" in item
        declared = _lowered(item.get("capabilities")) | _lowered(item.get("features"))
        modalities = item.get("modalities")
        inputs = _lowered(modalities.get("input")) if isinstance(modalities, Mapping) else None
        vision = "vision" in declared or (inputs is not None and "image" in inputs)
        reasoning = bool(declared & {"reasoning", "thinking"}) or _is_reasoning_family(model_id)
        tools = bool(declared & {"tools", "function_calling", "function-calling"})
        structured = bool(declared & {"structured_output", "response_format", "json_mode"})
        endpoints = frozenset({endpoint}) if endpoint else frozenset()
        if base is not None:
            out[model_id] = replace(
                base,
                model_id=model_id,
                endpoints=base.endpoints | endpoints,
                context_window=context if context is not None else base.context_window,
                max_output_tokens=output_max if output_max is not None else base.max_output_tokens,
                vision=base.vision or vision,
                reasoning=base.reasoning or reasoning,
                tools=base.tools or tools,
                response_format=base.response_format or structured,
                parallel_tool_calls=base.parallel_tool_calls or "parallel_tool_calls" in declared,
            )
            continue
        out[model_id] = ModelCapabilities(
            model_id=model_id,
            endpoints=endpoints,
            temperature=not reasoning,
            tools=tools,
            response_format=structured,
            reasoning_effort=reasoning,
            max_completion_tokens=reasoning,
            max_tokens=True,
            stream_options="streaming" in declared or not has_caps,
            parallel_tool_calls="parallel_tool_calls" in declared,
            roles=None,
            chat_params=frozenset(),
            responses_params=frozenset(),
            reasoning=reasoning,
            vision=vision,
            context_window=context,
            max_output_tokens=output_max,
        )
    return out


def aliases_from_models_listing(payload: Mapping[str, Any]) -> dict[str, str]:
    """Alias -> id of the items in a ``GET /v1/models`` body (an alias naming two ids is left out).

    Example:
        >>> aliases_from_models_listing({"data": [{"id": "openai/gpt-4o", "aliases": ["gpt-4o"]}]})
        {'gpt-4o': 'openai/gpt-4o'}
    """
    targets: dict[str, set[str]] = {}
    for item in _listing_items(payload):
        for alias in _strs(item.get("aliases")):
            if alias != item["id"]:
                targets.setdefault(alias, set()).add(item["id"])
    return {alias: next(iter(ids)) for alias, ids in sorted(targets.items()) if len(ids) == 1}


def register_models_listing(payload: Mapping[str, Any]) -> int:
    """Register the models and aliases of a ``GET /v1/models`` body; returns how many models.

    Example:
        >>> register_models_listing({"data": [{"id": "acme/x", "type": "openai/chat-completions",
        ...     "aliases": ["x-latest"], "info": {"contextLength": 8192}}]})
        1
        >>> get_capabilities("x-latest").context_window
        8192
        >>> reset_registered_capabilities()
    """
    caps = capabilities_from_models_listing(payload)
    aliases = {a: i for a, i in aliases_from_models_listing(payload).items() if i in caps}
    register_capabilities(caps, aliases=aliases)
    return len(caps)
