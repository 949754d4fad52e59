"""What each AI/ML API model accepts: endpoints, request parameters, roles, limits.

The packaged table ``aimlapi_core/data/model_capabilities.json`` is generated from AI/ML API's
own request schemas (every text-model OpenAPI file) and its model table by
``scripts/generate_model_capabilities.py``. It is parsed on the first lookup, not at import.

Ids the table does not know (AI/ML API adds models weekly; users write ``o3`` or
``openai/gpt-5-mini``) are answered by **family rules**: the vendor prefix is optional and a
date suffix (or ``-latest``) is ignored, so ``openai/o3-2099-01-01`` gets the capabilities
of the documented ``openai/o3-2025-04-16``; an o1/o3/o4/gpt-5 id with no documented sibling
still gets reasoning shaping (``max_completion_tokens``, no sampling parameters).
:func:`refresh_models` (and :func:`arefresh_models`) reads the live catalogue
(``GET /v1/models``, no key needed) when you call it, never by itself, and adds the ids it
lists for the rest of the process.

Example:
    >>> caps = get_capabilities("openai/o3-2025-04-16")
    >>> caps.reasoning, caps.temperature, sorted(caps.endpoints)
    (True, False, ['chat.completions', 'responses'])
    >>> get_capabilities("o3-2025-04-16").model_id  # the response's `model` has no prefix
    'openai/o3-2025-04-16'
    >>> get_capabilities("openai/o3-2099-01-01").source  # a family rule
    'family'
    >>> get_capabilities("no-such/model") is None
    True
    >>> capabilities_for("no-such/model").may_send("temperature")  # unknown: nothing refused
    True
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CHAT_COMPLETIONS",
    "DEFAULT_REFRESH_TIMEOUT",
    "MESSAGES",
    "RESPONSES",
    "EndpointSpec",
    "ModelCapabilities",
    "aliases_from_models_listing",
    "arefresh_models",
    "capabilities_for",
    "capabilities_from_models_listing",
    "get_capabilities",
    "known_model_ids",
    "refresh_models",
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

DEFAULT_REFRESH_TIMEOUT = 10.0
"""Seconds :func:`refresh_models` waits at most per phase (connect, read) by default."""

Source = Literal["data", "catalogue", "family", "unknown"]
AssistantContent = Literal["nullable", "optional", "required"]

_DATA_PACKAGE = "aimlapi_core"
_DATA_FILE = "model_capabilities.json"
# o1/o3/o4/gpt-5 ids (after the vendor prefix); the ``*-chat*`` variants are non-reasoning.
_REASONING_FAMILY = re.compile(r"^(?:o1|o3|o4)(?:-|$)|^gpt-5(?:$|[-.])")
# A release date (-2025-04-16, -20250416) or "-latest" at the end of an id.
_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$")
# What reasoning models (o-series, gpt-5) refuse on chat completions, per their schemas.
_REASONING_REFUSED_CHAT = frozenset(
    {
        "temperature",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "parallel_tool_calls",
        "stop",
    }
)
_REASONING_REFUSED_RESPONSES = frozenset({"temperature", "top_p"})
# `GET /v1/models` item `type` suffix -> endpoint name.
_LISTING_TYPES = {
    "chat-completions": CHAT_COMPLETIONS,
    "chat/completions": CHAT_COMPLETIONS,
    "responses": RESPONSES,
    "messages": MESSAGES,
}


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """What one endpoint's request schema accepts for one model.

    ``params`` is ``None`` when the schema is unknown: then nothing is refused except the names
    in ``refused`` (a family rule's). ``roles``, ``response_formats`` and ``tool_choice`` are
    ``None`` when unknown. ``assistant_content`` says how an assistant message with tool calls
    and no text must carry ``content``: ``"nullable"`` (``null`` is fine), ``"optional"``
    (leave it out) or ``"required"`` (send ``""``). ``strict_tools``: Responses function tools
    must carry ``strict``. ``tool_types`` and ``input_types`` (Responses only; ``None`` when
    unknown) are the tool and input-item types the schema takes.

    Example:
        >>> spec = get_capabilities("openai/o3-2025-04-16").chat
        >>> spec.accepts("top_p"), spec.token_limit, spec.reasoning_param
        (False, 'max_completion_tokens', 'reasoning_effort')
        >>> EndpointSpec().may_send("top_p")  # unknown schema
        True
    """

    params: frozenset[str] | None = None
    refused: frozenset[str] = frozenset()
    roles: frozenset[str] | None = None
    token_limit: str | None = None
    response_formats: frozenset[str] | None = None
    reasoning_param: str | None = None
    efforts: tuple[str, ...] = ()
    tool_choice: frozenset[str] | None = None
    assistant_content: AssistantContent = "nullable"
    strict_tools: bool = False
    vision: bool | None = None
    tool_types: frozenset[str] | None = None
    input_types: frozenset[str] | None = None

    def accepts(self, name: str) -> bool | None:
        """Whether the schema has ``name``; ``None`` when the schema is unknown.

        Example:
            >>> get_capabilities("gpt-4o").chat.accepts("temperature")
            True
        """
        if name in self.refused:
            return False
        if self.params is None:
            return None
        return name in self.params

    def may_send(self, name: str) -> bool:
        """Whether ``name`` may go in a request: the schema has it, or nothing says it does not.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").chat.may_send("temperature")
            False
        """
        return self.accepts(name) is not False


_UNKNOWN_SPEC = EndpointSpec()


@dataclass(frozen=True, slots=True)
class ModelCapabilities:
    """What one model accepts, as documented by AI/ML API (or inferred for an unknown id).

    ``chat`` and ``responses`` hold each endpoint's :class:`EndpointSpec` (``None`` when the
    model is not documented on it). The eight boolean properties (``temperature``, ``tools``,
    ``response_format``, ``reasoning_effort``, ``max_completion_tokens``, ``max_tokens``,
    ``stream_options``, ``parallel_tool_calls``) are read from the parameter lists: the
    chat-completions schema's, or for a model served only by ``/v1/responses`` the Responses
    schema's (``reasoning_effort`` as ``reasoning.effort``, ``response_format`` as
    ``text.format``). ``source`` says where the record comes from: ``"data"`` (the packaged
    table), ``"catalogue"`` (a live ``GET /v1/models``), ``"family"`` (a family rule) or
    ``"unknown"`` (:func:`capabilities_for` of an id nothing knows).

    ``context_window`` and ``max_output_tokens`` are ``None`` unless a doc or the catalogue
    states them. ``disagreements`` names what the spec files documenting the model disagree
    on (``"chat.completions: anthropic_native_schema"``, ...).

    Example:
        >>> caps = get_capabilities("o1-mini")
        >>> caps.takes_system_role, caps.serves_chat, caps.may_send("temperature")
        (False, True, False)
    """

    model_id: str
    endpoints: frozenset[str]
    chat: EndpointSpec | None = None
    responses: EndpointSpec | None = None
    reasoning: bool = False
    vision: bool = False
    context_window: int | None = None
    max_output_tokens: int | None = None
    source: Source = "data"
    disagreements: tuple[str, ...] = field(default=())

    # -- endpoints -----------------------------------------------------------------------------

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

    def spec(self, endpoint: str = CHAT_COMPLETIONS) -> EndpointSpec:
        """The :class:`EndpointSpec` of ``endpoint``; an all-unknown one when not documented.

        Example:
            >>> get_capabilities("openai/gpt-5-pro").spec("chat.completions").params is None
            True
        """
        found = self.responses if endpoint == RESPONSES else self.chat
        return found if found is not None else _UNKNOWN_SPEC

    def may_send(self, name: str, endpoint: str = CHAT_COMPLETIONS) -> bool:
        """Whether a request to ``endpoint`` may carry ``name``: the one capability question.

        ``True`` when the model's schema has the parameter or when nothing says it lacks it
        (an unknown schema; an unknown id through :func:`capabilities_for`); ``False`` only
        when the schema or a family rule says the model does not take it.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").may_send("top_p")
            False
            >>> capabilities_for("acme/brand-new").may_send("top_p")
            True
        """
        return self.spec(endpoint).may_send(name)

    # -- parameter lists -----------------------------------------------------------------------

    @property
    def chat_params(self) -> frozenset[str]:
        """Parameters of the chat-completions schema; empty when it is unknown.

        Example:
            >>> "reasoning_effort" in get_capabilities("openai/o3-2025-04-16").chat_params
            True
        """
        return self.spec(CHAT_COMPLETIONS).params or frozenset()

    @property
    def responses_params(self) -> frozenset[str]:
        """Parameters of the Responses schema; empty when it is unknown.

        Example:
            >>> "reasoning" in get_capabilities("openai/o3-2025-04-16").responses_params
            True
        """
        return self.spec(RESPONSES).params or frozenset()

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

    def _flag(self, chat_name: str, responses_name: str | None = None) -> bool:
        """One boolean capability, read from the primary endpoint's parameter list."""
        if self.chat is None and self.responses is not None:
            return responses_name is not None and self.responses.may_send(responses_name)
        return self.spec(CHAT_COMPLETIONS).may_send(chat_name)

    @property
    def temperature(self) -> bool:
        """Whether the model takes ``temperature``.

        Example:
            >>> get_capabilities("gpt-4o").temperature
            True
        """
        return self._flag("temperature", "temperature")

    @property
    def tools(self) -> bool:
        """Whether the model takes ``tools`` (function calling).

        Example:
            >>> get_capabilities("deepseek/deepseek-chat").tools
            True
        """
        return self._flag("tools", "tools")

    @property
    def response_format(self) -> bool:
        """Whether the model takes a structured-output format (``response_format``/``text``).

        Example:
            >>> get_capabilities("gpt-4o").response_format
            True
        """
        return self._flag("response_format", "text")

    @property
    def reasoning_effort(self) -> bool:
        """Whether the model takes a reasoning effort (``reasoning_effort`` or ``reasoning``).

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").reasoning_effort
            True
        """
        spec = self.chat if self.chat is not None else self.responses
        if spec is None or (spec.params is None and spec.reasoning_param is None):
            return self.reasoning
        return spec.reasoning_param is not None

    @property
    def max_completion_tokens(self) -> bool:
        """Whether the chat schema takes ``max_completion_tokens``.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").max_completion_tokens
            True
        """
        return self._flag("max_completion_tokens")

    @property
    def max_tokens(self) -> bool:
        """Whether the chat schema takes ``max_tokens``.

        Example:
            >>> get_capabilities("gpt-4o").max_tokens
            True
        """
        return self._flag("max_tokens")

    @property
    def stream_options(self) -> bool:
        """Whether the chat schema takes ``stream_options``.

        Example:
            >>> get_capabilities("gpt-4o").stream_options
            True
        """
        return self._flag("stream_options")

    @property
    def parallel_tool_calls(self) -> bool:
        """Whether the model takes ``parallel_tool_calls``.

        Example:
            >>> get_capabilities("openai/o3-2025-04-16").parallel_tool_calls
            False
        """
        return self._flag("parallel_tool_calls", "parallel_tool_calls")

    # -- messages ------------------------------------------------------------------------------

    @property
    def roles(self) -> frozenset[str] | None:
        """Roles the chat schema lists; ``None`` when it does not say.

        Example:
            >>> sorted(get_capabilities("o1-mini").roles)
            ['assistant', 'user']
        """
        return self.spec(CHAT_COMPLETIONS).roles

    def takes_role(self, role: str) -> bool | None:
        """Whether chat messages may carry ``role``; ``None`` when the spec does not say.

        Example:
            >>> get_capabilities("o1-mini").takes_role("system")
            False
        """
        roles = self.roles
        return None if roles is None else role in roles

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

    def response_formats(self, endpoint: str = CHAT_COMPLETIONS) -> frozenset[str] | None:
        """``response_format`` types (``text``, ``json_object``, ``json_schema``) the model takes.

        ``None`` when unknown.

        Example:
            >>> sorted(get_capabilities("gpt-4o").response_formats())
            ['json_object', 'json_schema', 'text']
        """
        return self.spec(endpoint).response_formats

    def structured_output_method(
        self, endpoint: str = CHAT_COMPLETIONS
    ) -> Literal["json_schema", "json_mode", "function_calling"]:
        """The structured-output method this model takes, best first.

        ``json_schema`` where its ``response_format`` takes a JSON schema (or nothing says it
        does not), else ``json_mode`` where it takes ``json_object``, else
        ``function_calling``.

        Example:
            >>> get_capabilities("gpt-4o").structured_output_method()
            'json_schema'
        """
        spec = self.spec(endpoint)
        name = "text" if endpoint == RESPONSES else "response_format"
        formats = spec.response_formats
        if spec.may_send(name):
            if not formats or "json_schema" in formats:
                return "json_schema"
            if "json_object" in formats:
                return "json_mode"
        # No format to ask for: tools, where the model has them (else shaping says it cannot).
        return "function_calling" if spec.may_send("tools") else "json_schema"


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


def _spec_from_record(rec: Any) -> EndpointSpec | None:
    if not isinstance(rec, Mapping):
        return None
    reasoning = rec.get("reasoning")
    roles = rec.get("roles")
    content = rec.get("assistant_content")
    return EndpointSpec(
        params=_strs(rec.get("params")),
        roles=_strs(roles) if roles is not None else None,
        token_limit=rec.get("token_limit") if isinstance(rec.get("token_limit"), str) else None,
        response_formats=_strs(rec.get("response_format")),
        reasoning_param=reasoning.get("param") if isinstance(reasoning, Mapping) else None,
        efforts=tuple(sorted(_strs(reasoning.get("efforts"))))
        if isinstance(reasoning, Mapping)
        else (),
        tool_choice=_strs(rec.get("tool_choice")),
        assistant_content=content
        if content in ("nullable", "optional", "required")
        else "nullable",
        strict_tools=bool(rec.get("strict_tools", False)),
        vision=bool(rec.get("vision", False)),
        tool_types=_strs(rec["tool_types"]) if "tool_types" in rec else None,
        input_types=_strs(rec["input_types"]) if "input_types" in rec else None,
    )


def _disagreements(value: Any) -> tuple[str, ...]:
    if not isinstance(value, Mapping):
        return ()
    out: list[str] = []
    for endpoint, what in sorted(value.items()):
        if not isinstance(what, Mapping):
            continue
        if what.get("anthropic_native_schema"):
            out.append(f"{endpoint}: anthropic_native_schema")
        if isinstance(what.get("override"), str):
            out.append(f"{endpoint}: override: {what['override']}")
        out.extend(f"{endpoint}: {name}" for name in sorted(_strs(what.get("fields"))))
    return tuple(out)


def _from_record(model_id: str, rec: Mapping[str, Any]) -> ModelCapabilities:
    """One model record of the packaged JSON -> :class:`ModelCapabilities`."""
    endpoints = rec.get("endpoints")
    endpoints = endpoints if isinstance(endpoints, Mapping) else {}
    return ModelCapabilities(
        model_id=model_id,
        endpoints=frozenset(k for k in endpoints if isinstance(k, str)),
        chat=_spec_from_record(endpoints.get(CHAT_COMPLETIONS)),
        responses=_spec_from_record(endpoints.get(RESPONSES)),
        reasoning=bool(rec.get("reasoning", False)),
        vision=bool(rec.get("vision", False)),
        context_window=_opt_int(rec.get("context_window")),
        max_output_tokens=_opt_int(rec.get("max_output_tokens")),
        source="data",
        disagreements=_disagreements(rec.get("disagreements")),
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


def _family_key(model_id: str) -> str:
    """An id reduced to its family: no vendor prefix, no date suffix, lower case."""
    return _DATE_SUFFIX.sub("", _tail(model_id).lower())


@cache
def _packaged_families() -> Mapping[str, tuple[str, ...]]:
    """Family key -> documented ids of that family, sorted."""
    families: dict[str, list[str]] = {}
    for model_id in _packaged().models:
        families.setdefault(_family_key(model_id), []).append(model_id)
    return {k: tuple(sorted(v)) for k, v in families.items()}


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


def _lookup(name: str) -> ModelCapabilities | None:
    """The documented (or registered) record of ``name``, by id, alias, prefix and case."""
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


def _reasoning_family_caps(model_id: str) -> ModelCapabilities:
    """Reasoning shaping for an o1/o3/o4/gpt-5 id that no documented sibling describes."""
    return ModelCapabilities(
        model_id=model_id,
        endpoints=frozenset({CHAT_COMPLETIONS, RESPONSES}),
        chat=EndpointSpec(
            refused=_REASONING_REFUSED_CHAT,
            token_limit="max_completion_tokens",
            reasoning_param="reasoning_effort",
            efforts=("high", "low", "medium"),
        ),
        responses=EndpointSpec(
            refused=_REASONING_REFUSED_RESPONSES,
            token_limit="max_output_tokens",
            reasoning_param="reasoning",
            efforts=("high", "low", "medium"),
        ),
        reasoning=True,
        source="family",
    )


def _by_family(name: str) -> ModelCapabilities | None:
    """Family rules for an id the table does not know (see the module docs)."""
    key = _family_key(name)
    vendor = name.split("/", 1)[0].lower() if "/" in name else None
    siblings = _packaged_families().get(key, ())
    if siblings:
        # Same vendor first, then the newest (ids sort by their date suffix).
        def rank(model_id: str) -> tuple[bool, str]:
            same = vendor is not None and model_id.lower().startswith(vendor + "/")
            return (same or "/" in model_id, model_id)

        base = _packaged().models[max(siblings, key=rank)]
        return replace(base, model_id=name, source="family")
    if _is_reasoning_family(key):
        return _reasoning_family_caps(name)
    return None


def get_capabilities(model_id: str) -> ModelCapabilities | None:
    """Capabilities of ``model_id``, or ``None`` when neither the data nor a family rule knows it.

    Looks up, in order: the exact id (registered ones first, then the packaged table); a known
    alias; the id without its vendor prefix (``openai/gpt-4o-mini`` -> ``gpt-4o-mini``), or with
    one (``o3-2025-04-16`` -> ``openai/o3-2025-04-16``) when exactly one id fits; the same,
    ignoring case; then the family rules (``source == "family"``). The result's ``model_id`` is
    the matched canonical id (the id as written, for a family rule). Never raises.

    Example:
        >>> get_capabilities("openai/o3-2025-04-16").max_completion_tokens
        True
        >>> get_capabilities("o3-2025-04-16").model_id
        'openai/o3-2025-04-16'
        >>> get_capabilities("gpt-5-mini").spec().token_limit
        'max_completion_tokens'
        >>> get_capabilities("some-vendor/brand-new-model") is None
        True
    """
    if not isinstance(model_id, str) or not model_id.strip():
        return None
    name = model_id.strip()
    return _lookup(name) or _by_family(name)


def capabilities_for(model_id: str) -> ModelCapabilities:
    """Like :func:`get_capabilities`, but an unknown id gives an all-unknown record.

    Its ``source`` is ``"unknown"``: every :meth:`~ModelCapabilities.may_send` is ``True`` and
    shaping leaves its requests as written.

    Example:
        >>> caps = capabilities_for("acme/brand-new")
        >>> caps.source, caps.context_window, caps.tools
        ('unknown', None, True)
    """
    found = get_capabilities(model_id)
    if found is not None:
        return found
    name = model_id.strip() if isinstance(model_id, str) else str(model_id)
    return ModelCapabilities(model_id=name, endpoints=frozenset(), source="unknown")


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
    A model already known (documented, or by a family rule) keeps its schema and gains what the
    listing adds; a new one gets an unknown schema (so shaping leaves its requests alone), with
    the parameters its ``capabilities`` rule out refused. Items of other types (image, video,
    audio) are skipped. Keyed by id.

    Example:
        >>> body = {"object": "list", "data": [{"id": "acme/new-chat", "type":
        ...     "openai/chat-completions", "aliases": [], "tags": [], "info": {"name": "New",
        ...     "developer": "Acme", "contextLength": 32000}, "capabilities": ["streaming"]}]}
        >>> caps = capabilities_from_models_listing(body)["acme/new-chat"]
        >>> caps.context_window, caps.tools, caps.serves_chat, caps.chat_params
        (32000, False, True, frozenset())
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
        endpoints = frozenset({endpoint}) if endpoint else frozenset()
        if base is not None:
            guessed = base.source == "family" and bool(endpoints)  # the catalogue knows better
            out[model_id] = replace(
                base,
                model_id=model_id,
                endpoints=endpoints if guessed else base.endpoints | endpoints,
                chat=None if guessed and endpoint != CHAT_COMPLETIONS else base.chat,
                responses=None if guessed and endpoint != RESPONSES else base.responses,
                context_window=context if context is not None else base.context_window,
                max_output_tokens=output_max if output_max is not None else base.max_output_tokens,
                vision=base.vision or vision,
                source="catalogue" if base.source == "family" else base.source,
            )
            continue
        reasoning = bool(declared & {"reasoning", "thinking"})
        refused: set[str] = set()
        if has_caps:
            if not declared & {"tools", "function_calling", "function-calling"}:
                refused |= {"tools", "tool_choice", "parallel_tool_calls"}
            if not declared & {"structured_output", "response_format", "json_mode"}:
                refused.add("response_format")
            if "parallel_tool_calls" not in declared:
                refused.add("parallel_tool_calls")
            if "streaming" not in declared:
                refused.add("stream_options")
        spec = EndpointSpec(
            refused=frozenset(refused),
            vision=vision if inputs is not None or has_caps else None,
        )
        out[model_id] = ModelCapabilities(
            model_id=model_id,
            endpoints=endpoints,
            chat=spec if endpoint == CHAT_COMPLETIONS else None,
            responses=spec if endpoint == RESPONSES else None,
            reasoning=reasoning,
            vision=vision,
            context_window=context,
            max_output_tokens=output_max,
            source="catalogue",
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


# -- live refresh -------------------------------------------------------------------------------


def _models_url(base_url: str | None) -> str:
    from .settings import Settings  # the base URL rules (env vars, default) live there

    return Settings(base_url=base_url).url + "/models"


def _register_reply(response: httpx.Response) -> int:
    from .errors import error_from_response

    if response.status_code >= 400:
        raise error_from_response(response.status_code, response.content, response.headers)
    try:
        payload = response.json()
    except ValueError as exc:
        raise ValueError(
            f"GET {response.request.url} answered something other than JSON: {exc}"
        ) from exc
    if not isinstance(payload, Mapping):
        raise ValueError(
            f"GET {response.request.url} answered {type(payload).__name__}, not a list"
        )
    return register_models_listing(payload)


def refresh_models(
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_REFRESH_TIMEOUT,
    http_client: httpx.Client | None = None,
) -> int:
    """Read the live catalogue (``GET /v1/models``, no key) and register its models.

    New ids (and their context windows, output limits and aliases) are known for the rest of
    the process; documented ids gain what the catalogue adds. Nothing calls this for you: no
    request is made at import or at first use. ``timeout`` (seconds) bounds each phase of the
    one request (connect, write, read, pool wait): the call cannot hang.
    Returns how many models were registered; errors are the core's typed errors
    (``APIConnectionError``, ``APITimeoutError``, an ``APIStatusError`` subclass).

    Example:
        >>> import httpx
        >>> listing = {"object": "list", "data": [{"id": "acme/new", "type":
        ...     "openai/chat-completions", "info": {"contextLength": 65536}}]}
        >>> client = httpx.Client(transport=httpx.MockTransport(
        ...     lambda request: httpx.Response(200, json=listing)))
        >>> refresh_models(base_url="http://127.0.0.1:9/v1", http_client=client)
        1
        >>> get_capabilities("acme/new").context_window
        65536
        >>> reset_registered_capabilities()
    """
    import httpx

    from .errors import APIConnectionError, APITimeoutError

    url = _models_url(base_url)
    own = http_client is None
    client = http_client if http_client is not None else httpx.Client(timeout=timeout)
    try:
        response = client.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"GET {url} took longer than {timeout} s: {exc}") from exc
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"GET {url} failed: {exc}") from exc
    finally:
        if own:
            client.close()
    return _register_reply(response)


async def arefresh_models(
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_REFRESH_TIMEOUT,
    http_client: httpx.AsyncClient | None = None,
) -> int:
    """The async twin of :func:`refresh_models`.

    Example:
        >>> import asyncio, httpx
        >>> client = httpx.AsyncClient(transport=httpx.MockTransport(
        ...     lambda request: httpx.Response(200, json={"data": []})))
        >>> asyncio.run(arefresh_models(base_url="http://127.0.0.1:9/v1", http_client=client))
        0
    """
    import httpx

    from .errors import APIConnectionError, APITimeoutError

    url = _models_url(base_url)
    own = http_client is None
    client = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
    try:
        response = await client.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"GET {url} took longer than {timeout} s: {exc}") from exc
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"GET {url} failed: {exc}") from exc
    finally:
        if own:
            await client.aclose()
    return _register_reply(response)
