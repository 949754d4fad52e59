"""Parameters are checked against each model's own schema before any request.

The cases are generated from the committed parameter data (itself generated from AI/ML API's
schemas, checked below to equal the generator's output): for every model of every job, an
unknown parameter, a value outside each enum, a value of the wrong type and one out of range
are refused by name with zero requests sent; values the schema allows pass.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aimlapi_core import Client, Settings
from aimlapi_core.errors import MediaParameterError
from aimlapi_core.media import (
    check_params,
    generate_image,
    generate_video,
    media_models,
    model_spec,
    text_to_speech,
    transcribe,
)
from aimlapi_core.media.specs import JOBS, Job, ParamSpec, request_body
from scripts.generate_media_models import DEFAULT_INPUT, generate, render

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "aimlapi-docs" / "media-models.json.gz"
KEY = "sk-never-shown-0123456789"


# --------------------------------------------------------------------------- the data


def test_committed_data_equals_the_generator_output() -> None:
    with gzip.open(ROOT / DEFAULT_INPUT, "rt", encoding="utf-8") as fh:
        source = json.load(fh)
    expected = render(generate(source))
    assert (ROOT / "aimlapi_core/data/media_models.json").read_text("utf-8") == expected


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside this checkout")
def test_the_test_copy_equals_the_shared_docs() -> None:
    assert (ROOT / DEFAULT_INPUT).read_bytes() == SHARED.read_bytes()


def test_every_job_has_models_and_the_paths_we_call() -> None:
    counts = {job: len(media_models(job)) for job in JOBS}
    assert counts == {
        "image": 83,
        "image_edit": 2,
        "video": 143,
        "speech": 36,
        "transcription": 29,
    }
    assert model_spec("video", "google/veo3").path == "/v2/video/generations"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- generated cases


def _bad_values(p: ParamSpec) -> Iterator[tuple[str, Any]]:
    """(what is wrong, a value the rule refuses)."""
    if p.file:
        return
    if p.enum is not None:
        yield "enum", "definitely-not-an-option"
        return
    types = set(p.types)
    if types and not types & {"string"}:
        yield "type", "a string"
    elif types and not types & {"integer", "number", "boolean"}:
        yield "type", 12345
    if p.maximum is not None and types & {"integer", "number"}:
        yield "range", p.maximum + 1
    if p.minimum is not None and types & {"integer", "number"}:
        yield "range", p.minimum - 1
    if p.max_length is not None and "string" in types:
        yield "length", "x" * (p.max_length + 1)


def _cases() -> Iterator[Any]:
    for job in ("image", "video", "speech", "transcription"):
        for model in media_models(job):
            spec = model_spec(job, model)
            assert spec is not None
            for p in spec.params.values():
                for kind, value in _bad_values(p):
                    yield pytest.param(
                        job, model, p.name, value, id=f"{job}-{model}-{p.name}-{kind}"
                    )


CASES = list(_cases())


def test_there_are_many_generated_cases() -> None:
    assert len(CASES) > 1000


@pytest.fixture
def counting_client() -> Iterator[tuple[Client, list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    with Client(
        Settings(api_key=KEY, base_url="http://fake.test/v1", max_retries=0),
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    ) as client:
        yield client, seen


def _call(job: Job) -> Callable[..., Any]:
    def image(client: Client, model: str, **params: Any) -> Any:
        params.setdefault("prompt", "a cat")
        return generate_image(client, model=model, **params)

    def video(client: Client, model: str, **params: Any) -> Any:
        params.setdefault("prompt", "a cat")
        return generate_video(client, model=model, **params)

    def speech(client: Client, model: str, **params: Any) -> Any:
        field = "script" if "script" in model_spec("speech", model).params else "text"  # type: ignore[union-attr]
        params.setdefault(field, "Hello")
        text = params.pop(field)
        return text_to_speech(client, text, model=model, **params)

    def stt(client: Client, model: str, **params: Any) -> Any:
        for name in ("url", "audio", "file"):
            params.pop(name, None)
        return transcribe(
            client, url="https://example.com/a.mp3", model=model, validate=True, **params
        )

    return {"image": image, "video": video, "speech": speech, "transcription": stt}[job]


def _refuse(client: Client, job: Job, model: str, name: str, value: Any) -> MediaParameterError:
    """The error the public call raises for ``{name: value}``; for the few models that take
    no prompt (upscalers) or url (some ``#g1_`` speech models), the check the call makes."""
    spec = model_spec(job, model)
    assert spec is not None
    through_call = {"prompt", "text", "script", "url"} & set(spec.params) and not (
        job == "transcription" and name in ("url", "audio", "file")
    )
    with pytest.raises(MediaParameterError) as caught:
        if through_call:
            _call(job)(client, model, **{name: value})
        else:
            check_params(job, model, {name: value})
    return caught.value


@pytest.mark.parametrize(("job", "model", "name", "value"), CASES)
def test_bad_value_refused_before_any_request(
    job: Job, model: str, name: str, value: Any, counting_client: tuple[Client, list[httpx.Request]]
) -> None:
    client, seen = counting_client
    err = _refuse(client, job, model, name, value)
    assert err.parameter == name and name in str(err)
    assert err.model == model
    assert seen == []
    assert KEY not in str(err) and KEY not in repr(err)


@pytest.mark.parametrize("job", ["image", "video", "speech", "transcription"])
def test_unknown_parameter_refused_for_every_model(
    job: Job, counting_client: tuple[Client, list[httpx.Request]]
) -> None:
    client, seen = counting_client
    for model in media_models(job):
        err = _refuse(client, job, model, "colour_sheme", "warm")
        assert err.parameter == "colour_sheme" and model in str(err)
        assert "takes no parameter 'colour_sheme'" in str(err)
    assert seen == []


def _good_value(p: ParamSpec) -> Any:
    if p.enum:
        return p.enum[-1]
    if "boolean" in p.types:
        return True
    if "integer" in p.types or "number" in p.types:
        return p.maximum if p.maximum is not None else (p.minimum if p.minimum is not None else 1)
    if "string" in p.types:
        return "x" * max(1, p.min_length or 1)
    if "array" in p.types:
        return ["https://example.com/a.png"] * max(1, p.min_items or 1)
    if "object" in p.types:
        return {}
    return None


@pytest.mark.parametrize("job", JOBS)
def test_values_the_schema_allows_pass(job: Job) -> None:
    for model in media_models(job):
        spec = model_spec(job, model)
        assert spec is not None
        params = {n: v for n, p in spec.params.items() if (v := _good_value(p)) is not None}
        params.update({n: "x" for n in spec.required if n not in params})
        if p_excl := [
            n for n, p in spec.params.items() if p.exclusive_minimum or p.exclusive_maximum
        ]:
            for n in p_excl:
                params.pop(n, None)
        body = request_body(job, model, params)
        assert body["model"] == model


def test_messages_say_what_to_fix() -> None:
    with pytest.raises(MediaParameterError, match=r"Did you mean 'aspect_ratio'\?"):
        check_params("video", "google/veo3", {"prompt": "p", "aspect_ration": "16:9"})
    with pytest.raises(MediaParameterError, match=r"duration=7 is not one of 4, 6, 8"):
        check_params("video", "google/veo3", {"prompt": "p", "duration": 7})
    with pytest.raises(MediaParameterError, match=r"speed=9 is out of range: it must be <= 4"):
        check_params("speech", "openai/tts-1", {"text": "t", "speed": 9})
    with pytest.raises(MediaParameterError, match=r"has type str; expected integer"):
        check_params("video", "google/veo3", {"prompt": "p", "seed": "42"})
    with pytest.raises(MediaParameterError, match=r"Did you mean 'dall-e-3'"):
        check_params("image", "dall-e3", {"prompt": "p"})
    with pytest.raises(MediaParameterError, match=r"is a model for video, not image"):
        check_params("image", "google/veo3", {"prompt": "p"})
    with pytest.raises(MediaParameterError, match=r"needs image_url"):
        check_params("video", "kling-video/v1.6/pro/image-to-video", {"prompt": "p"})
    with pytest.raises(MediaParameterError, match=r"takes no file upload"):
        transcribe(Client(Settings(api_key=KEY)), b"RIFF", model="#g1_whisper-large")


def test_booleans_are_not_numbers_and_whole_floats_are_integers() -> None:
    with pytest.raises(MediaParameterError, match="expected integer"):
        check_params("video", "google/veo3", {"prompt": "p", "seed": True})
    check_params("video", "google/veo3", {"prompt": "p", "seed": 42.0})
    with pytest.raises(MediaParameterError, match="is not one of"):
        check_params("speech", "openai/tts-1", {"text": "t", "stream": 0})


def test_validate_false_sends_a_model_the_data_does_not_know(
    counting_client: tuple[Client, list[httpx.Request]],
) -> None:
    client, seen = counting_client
    with pytest.raises(MediaParameterError, match="validate=False"):
        generate_image(client, "p", model="vendor/brand-new-model")
    assert seen == []
    with pytest.raises(Exception, match="500"):
        generate_image(client, "p", model="vendor/brand-new-model", validate=False, fancy=1)
    assert json.loads(seen[0].content) == {
        "model": "vendor/brand-new-model",
        "prompt": "p",
        "fancy": 1,
    }
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"  # sent to the API only


def test_empty_prompt_and_bad_output_refused() -> None:
    client = Client(Settings(api_key=KEY))
    with pytest.raises(ValueError, match="prompt must be a non-empty string"):
        generate_image(client, "  ")
    with pytest.raises(ValueError, match="output must be 'url' or 'bytes'"):
        generate_video(client, "p", output="gif")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one of audio"):
        transcribe(client)
    with pytest.raises(FileNotFoundError, match="No audio file"):
        transcribe(client, "/no/such/file.wav")
