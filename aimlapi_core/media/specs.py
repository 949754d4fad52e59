"""What each media model accepts, and the check of a request against it before it is sent.

The rules come from AI/ML API's own request schemas, compacted into
``aimlapi_core/data/media_models.json`` by ``scripts/generate_media_models.py``: per job
(``image``, ``image_edit``, ``video``, ``speech``, ``transcription``) and model id, each
parameter's JSON types, enum values, bounds and lengths, and the required ones. A parameter the
schema does not list, a value outside its enum, of the wrong type or out of range is refused by
name with :class:`~aimlapi_core.errors.MediaParameterError`, so a mistake never costs a request
(or a long wait for a job that was never going to run).

Example:
    >>> check_params("speech", "openai/tts-1", {"text": "Hi", "voice": "alloy"}).path
    '/v1/tts'
    >>> check_params("speech", "openai/tts-1", {"text": "Hi", "voice": "robot"})
    Traceback (most recent call last):
    ...
    aimlapi_core.errors.MediaParameterError: openai/tts-1: voice='robot' is not one of \
'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from ..errors import MediaParameterError

__all__ = [
    "Job",
    "ModelSpec",
    "ParamSpec",
    "check_params",
    "media_models",
    "model_spec",
    "request_body",
    "unknown_model_error",
]

Job = Literal["image", "image_edit", "video", "speech", "transcription"]
JOBS: tuple[Job, ...] = ("image", "image_edit", "video", "speech", "transcription")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """The rules of one parameter (``None``: no rule of that kind).

    Example:
        >>> model_spec("speech", "openai/tts-1").params["speed"].maximum
        4
    """

    name: str
    types: tuple[str, ...] = ()
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    nullable: bool = False
    file: bool = False

    @classmethod
    def from_data(cls, name: str, data: Mapping[str, Any]) -> ParamSpec:
        """From one entry of the generated data."""
        enum = data.get("enum")
        return cls(
            name=name,
            types=tuple(data.get("type", ())),
            enum=tuple(enum) if enum is not None else None,
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            exclusive_minimum=bool(data.get("exclusive_minimum")),
            exclusive_maximum=bool(data.get("exclusive_maximum")),
            min_length=data.get("min_length"),
            max_length=data.get("max_length"),
            min_items=data.get("min_items"),
            max_items=data.get("max_items"),
            nullable=bool(data.get("nullable")),
            file=bool(data.get("file")),
        )


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model's parameters for one job.

    Example:
        >>> spec = model_spec("video", "alibaba/wan-2-6-t2v")
        >>> spec.path, spec.required, "duration" in spec.params
        ('/v2/video/generations', ('prompt',), True)
    """

    job: Job
    model: str
    path: str
    params: Mapping[str, ParamSpec]
    required: tuple[str, ...]

    @property
    def file_params(self) -> tuple[str, ...]:
        """The parameters that take a file upload (``audio``, ``file``...)."""
        return tuple(name for name, p in self.params.items() if p.file)


@cache
def _data() -> dict[str, Any]:
    text = resources.files("aimlapi_core").joinpath("data/media_models.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def model_spec(job: Job, model: str) -> ModelSpec | None:
    """The spec of ``model`` for ``job``, or ``None`` when AI/ML API's docs do not list it.

    Example:
        >>> model_spec("image", "no/such-model") is None
        True
    """
    data = _data()
    record = data["jobs"].get(job, {}).get(model)
    if record is None:
        return None
    params = {name: ParamSpec.from_data(name, p) for name, p in record["params"].items()}
    return ModelSpec(job, model, data["paths"][job], params, tuple(record["required"]))


def media_models(job: Job) -> list[str]:
    """Every model id the docs list for ``job``, sorted.

    Example:
        >>> "openai/tts-1" in media_models("speech")
        True
    """
    if job not in JOBS:
        raise ValueError(f"job must be one of {', '.join(JOBS)}, got {job!r}.")
    return sorted(_data()["jobs"][job])


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (Mapping,),
}


def _type_ok(value: Any, types: tuple[str, ...]) -> bool:
    if not types:
        return True
    for name in types:
        if isinstance(value, bool) and name in ("integer", "number"):
            continue  # JSON booleans are not numbers
        if isinstance(value, float) and name == "integer" and value.is_integer():
            return True
        if isinstance(value, _PY_TYPES.get(name, ())):
            return True
    return False


def _show(values: tuple[Any, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def _check_value(model: str, p: ParamSpec, value: Any) -> None:
    def fail(why: str) -> MediaParameterError:
        return MediaParameterError(
            f"{model}: {p.name}={value!r} {why}.", parameter=p.name, model=model
        )

    if value is None:
        if p.nullable:
            return
        raise fail("is not allowed (leave the parameter out instead)")
    if p.file:
        return  # an upload: bytes, a path or a file object, checked where it is read
    if p.enum is not None:
        # 1 == True in Python: compare type and value.
        if not any(value == v and type(value) is type(v) for v in p.enum) and not (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and any(value == v and not isinstance(v, (bool, str)) for v in p.enum)
        ):
            raise fail(f"is not one of {_show(p.enum)}")
        return
    if not _type_ok(value, p.types):
        raise fail(f"has type {type(value).__name__}; expected {' or '.join(p.types)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if p.minimum is not None and (
            value < p.minimum or (p.exclusive_minimum and value == p.minimum)
        ):
            sign = ">" if p.exclusive_minimum else ">="
            raise fail(f"is out of range: it must be {sign} {p.minimum}")
        if p.maximum is not None and (
            value > p.maximum or (p.exclusive_maximum and value == p.maximum)
        ):
            sign = "<" if p.exclusive_maximum else "<="
            raise fail(f"is out of range: it must be {sign} {p.maximum}")
    if isinstance(value, str):
        if p.max_length is not None and len(value) > p.max_length:
            raise MediaParameterError(
                f"{model}: {p.name} is {len(value)} characters long; the model takes at most "
                f"{p.max_length}.",
                parameter=p.name,
                model=model,
            )
        if p.min_length is not None and len(value) < p.min_length:
            raise MediaParameterError(
                f"{model}: {p.name} must be at least {p.min_length} characters long.",
                parameter=p.name,
                model=model,
            )
    if isinstance(value, (list, tuple)):
        if p.max_items is not None and len(value) > p.max_items:
            raise fail(f"has {len(value)} items; the model takes at most {p.max_items}")
        if p.min_items is not None and len(value) < p.min_items:
            raise fail(f"has {len(value)} items; the model needs at least {p.min_items}")


def unknown_model_error(job: Job, model: str) -> MediaParameterError:
    """The error for a model id the docs do not list for ``job`` (with the closest ids)."""
    if not isinstance(model, str) or not model:
        return MediaParameterError(
            f"model must be a non-empty model id, got {model!r}.", parameter="model"
        )
    close = difflib.get_close_matches(model, media_models(job), n=3, cutoff=0.5)
    hint = f" Did you mean {_show(tuple(close))}?" if close else ""
    other = [j for j in JOBS if j != job and model_spec(j, model) is not None]
    if other:
        hint += f" {model!r} is a model for {other[0].replace('_', ' ')}, not {job}."
    return MediaParameterError(
        f"{model!r} is not a {job.replace('_', ' ')} model in AI/ML API's docs.{hint} "
        "Pass validate=False to send it unchecked (a model newer than this package).",
        parameter="model",
        model=model,
    )


def check_params(job: Job, model: str, params: Mapping[str, Any]) -> ModelSpec:
    """Check ``params`` (the request body without ``model``) against ``model``'s schema.

    Returns the spec; raises :class:`~aimlapi_core.errors.MediaParameterError` naming the
    first parameter at fault: unknown (with the accepted ones), a bad enum value, a wrong
    type, out of range, too long, or a required one missing.

    Example:
        >>> check_params("video", "alibaba/wan-2-6-t2v", {"prompt": "a cat", "fps": 30})
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.MediaParameterError: alibaba/wan-2-6-t2v takes no parameter 'fps'; \
it takes: aspect_ratio, audio_url, duration, enhance_prompt, generate_audio, negative_prompt, \
prompt, resolution, seed, shot_type.
    """
    spec = model_spec(job, model)
    if spec is None:
        raise unknown_model_error(job, model)
    for name, value in params.items():
        p = spec.params.get(name)
        if p is None:
            close = difflib.get_close_matches(name, list(spec.params), n=1, cutoff=0.75)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise MediaParameterError(
                f"{model} takes no parameter {name!r};{hint} it takes: {', '.join(spec.params)}.",
                parameter=name,
                model=model,
            )
        _check_value(model, p, value)
    missing = [r for r in spec.required if r not in params]
    if missing:
        raise MediaParameterError(
            f"{model} needs {', '.join(missing)} (required by its schema).",
            parameter=missing[0],
            model=model,
        )
    return spec


def request_body(
    job: Job, model: str, params: Mapping[str, Any], *, validate: bool = True
) -> dict[str, Any]:
    """``{"model": model, **params}`` once :func:`check_params` accepts ``params`` (``None``
    values are left out: "not given"). ``validate=False`` skips the schema check, for a model
    newer than this package's data.

    Example:
        >>> request_body("image", "dall-e-3", {"prompt": "a fox", "size": None})
        {'model': 'dall-e-3', 'prompt': 'a fox'}
    """
    given = {name: value for name, value in params.items() if value is not None}
    if validate:
        check_params(job, model, given)
    elif not isinstance(model, str) or not model:
        raise unknown_model_error(job, model)
    return {"model": model, **given}
