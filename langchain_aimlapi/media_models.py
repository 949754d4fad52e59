"""``AimlapiImageModel`` and ``AimlapiVideoModel``: the older ``langchain-aimlapi`` package's
call shape (a LangChain ``LLM``: prompt in, URL out) on this package's core.

``invoke(prompt)`` returns the first URL; ``generate_images`` / ``generate_videos`` return
lists, as before. What changed underneath: parameters are checked against the model's schema
when the model is built, the video model waits under a deadline (``max_wait``) instead of
forever and raises a typed error with the provider's reason when a generation fails, and each
generation's ``generation_info`` carries every URL, the ``cost`` and the ``inference_id``.

Example:
    >>> from langchain_aimlapi import AimlapiImageModel
    >>> img = AimlapiImageModel(model="dall-e-3", size="1024x1024", api_key="sk-test")
    >>> img.model, img.size
    ('dall-e-3', '1024x1024')
    >>> AimlapiImageModel(model="dall-e-3", size="512x512", api_key="sk-test")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for AimlapiImageModel
      Value error, dall-e-3: size='512x512' is not one of '1024x1024', '1024x1792', '1792x1024'. ...
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import Generation, LLMResult
from pydantic import ConfigDict, Field, model_validator

from aimlapi_core.media import images, video
from aimlapi_core.media.jobs import PollPolicy
from aimlapi_core.media.specs import request_body

from ._connection import AIMLAPIConnection
from .errors import langchain_errors

__all__ = ["AimlapiImageModel", "AimlapiVideoModel"]


def _refuse_stop(stop: list[str] | None) -> None:
    if stop:
        raise ValueError("stop sequences do not apply to image or video models: leave stop out.")


def _info(result: images.ImageResult | video.VideoResult) -> dict[str, Any]:
    info: dict[str, Any] = {"model_name": result.model}
    if isinstance(result, images.ImageResult):
        info["urls"] = result.urls
    else:
        info["urls"] = [result.url]
        info["generation_id"] = result.generation_id
    if result.cost is not None:
        info["cost"] = result.cost.as_dict()
    if result.inference_id:
        info["inference_id"] = result.inference_id
    return info


class AimlapiImageModel(AIMLAPIConnection, BaseLLM):
    """AI/ML API image generation as a LangChain ``LLM``: a prompt in, an image URL out.

    ``size`` and ``n`` are sent when set; any other parameter of the model goes in
    ``model_kwargs``. All are checked against the model's schema at construction.

    Example:
        .. code-block:: python

            from langchain_aimlapi import AimlapiImageModel

            img = AimlapiImageModel(model="dall-e-3", size="1024x1024")
            url = img.invoke("A serene mountain lake at sunset")
            urls = img.generate_images("A lighthouse", n=1)
    """

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = images.DEFAULT_IMAGE_MODEL
    size: str | None = None
    n: int | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    validate_params: bool = True

    @model_validator(mode="after")
    def _check_params(self) -> AimlapiImageModel:
        request_body(
            "image", self.model, self._params(prompt="a red fox"), validate=self.validate_params
        )
        return self

    @property
    def _llm_type(self) -> str:
        return "aimlapi-image"

    def _params(self, **overrides: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"size": self.size, "n": self.n, **self.model_kwargs}
        params.update({k: v for k, v in overrides.items() if v is not None})
        return {k: v for k, v in params.items() if v is not None}

    def _request(
        self, size: str | None, n: int | None, response_format: str | None
    ) -> dict[str, Any]:
        params = self._params(size=size, n=n)
        if response_format not in (None, "url"):
            params["response_format"] = response_format
        return params

    def generate_images(
        self,
        prompt: str,
        n: int | None = None,
        size: str | None = None,
        response_format: str | None = "url",
    ) -> list[str]:
        """The images' URLs, or their base64 payloads with ``response_format="b64_json"``."""
        with langchain_errors():
            result = images.generate_image(
                self.client,
                prompt,
                self.model,
                validate=self.validate_params,
                **self._request(size, n, response_format),
            )
        return _payloads(result, response_format)

    async def agenerate_images(
        self,
        prompt: str,
        n: int | None = None,
        size: str | None = None,
        response_format: str | None = "url",
    ) -> list[str]:
        """The async :meth:`generate_images`."""
        with langchain_errors():
            result = await images.agenerate_image(
                self.async_client,
                prompt,
                self.model,
                validate=self.validate_params,
                **self._request(size, n, response_format),
            )
        return _payloads(result, response_format)

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        _refuse_stop(stop)
        generations = []
        for prompt in prompts:
            with langchain_errors():
                result = images.generate_image(
                    self.client,
                    prompt,
                    self.model,
                    validate=self.validate_params,
                    **self._params(**kwargs),
                )
            generations.append(
                [
                    Generation(
                        text=result.urls[0] if result.urls else str(result),
                        generation_info=_info(result),
                    )
                ]
            )
        return LLMResult(generations=generations, llm_output={"model_name": self.model})

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        _refuse_stop(stop)
        generations = []
        for prompt in prompts:
            with langchain_errors():
                result = await images.agenerate_image(
                    self.async_client,
                    prompt,
                    self.model,
                    validate=self.validate_params,
                    **self._params(**kwargs),
                )
            generations.append(
                [
                    Generation(
                        text=result.urls[0] if result.urls else str(result),
                        generation_info=_info(result),
                    )
                ]
            )
        return LLMResult(generations=generations, llm_output={"model_name": self.model})


def _payloads(result: images.ImageResult, response_format: str | None) -> list[str]:
    if response_format == "b64_json":
        return [img.b64_json for img in result.images if img.b64_json]
    return result.urls


class AimlapiVideoModel(AIMLAPIConnection, BaseLLM):
    """AI/ML API video generation as a LangChain ``LLM``: a prompt in, a video URL out.

    Submits to ``POST /v2/video/generations`` and polls until the video is ready, at most
    ``max_wait`` seconds (then ``GenerationTimeoutError`` with the generation id); a failed
    generation raises ``GenerationFailedError`` with the provider's reason. ``provider`` is
    accepted for the older package's call shape and not needed: one route serves every vendor.

    Example:
        .. code-block:: python

            from langchain_aimlapi import AimlapiVideoModel

            vid = AimlapiVideoModel(model="google/veo3", model_kwargs={"duration": 8})
            url = vid.invoke("A timelapse of city lights at night")
    """

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = video.DEFAULT_VIDEO_MODEL
    provider: str | None = None
    """Ignored (the older package built a per-vendor URL from it)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    poll_interval: float = Field(default=10.0, gt=0)
    """Seconds before the first status check; later checks back off to 30 s."""
    max_wait: float = Field(default=900.0, gt=0)
    """Seconds to wait for a video before giving up."""
    validate_params: bool = True

    @model_validator(mode="after")
    def _check_params(self) -> AimlapiVideoModel:
        request_body(
            "video",
            self.model,
            {"prompt": "a red fox", **self.model_kwargs},
            validate=self.validate_params,
        )
        return self

    @property
    def _llm_type(self) -> str:
        return "aimlapi-video"

    def _policy(self, poll_interval: float | None, timeout: float | None) -> PollPolicy:
        interval = poll_interval or self.poll_interval
        return video.DEFAULT_VIDEO_POLICY.with_waits(timeout or self.max_wait, interval)

    @staticmethod
    def _check_call(n: int, response_format: str) -> None:
        if n != 1:
            raise ValueError(f"Video models make one video per request: n must be 1, got {n!r}.")
        if response_format != "url":
            raise ValueError(f"response_format must be 'url', got {response_format!r}.")

    def generate_videos(
        self,
        prompt: str,
        n: int = 1,
        response_format: str = "url",
        poll_interval: float | None = None,
        timeout: float | None = None,
    ) -> list[str]:
        """``[video URL]``; ``timeout`` is the overall wait in seconds (default ``max_wait``)."""
        self._check_call(n, response_format)
        with langchain_errors():
            result = video.generate_video(
                self.client,
                prompt,
                self.model,
                policy=self._policy(poll_interval, timeout),
                validate=self.validate_params,
                **self.model_kwargs,
            )
        return [result.url]

    async def agenerate_videos(
        self,
        prompt: str,
        n: int = 1,
        response_format: str = "url",
        poll_interval: float | None = None,
        timeout: float | None = None,
    ) -> list[str]:
        """The async :meth:`generate_videos` (cancel the task to stop waiting)."""
        self._check_call(n, response_format)
        with langchain_errors():
            result = await video.agenerate_video(
                self.async_client,
                prompt,
                self.model,
                policy=self._policy(poll_interval, timeout),
                validate=self.validate_params,
                **self.model_kwargs,
            )
        return [result.url]

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        _refuse_stop(stop)
        generations = []
        for prompt in prompts:
            with langchain_errors():
                result = video.generate_video(
                    self.client,
                    prompt,
                    self.model,
                    policy=self._policy(None, None),
                    validate=self.validate_params,
                    **{**self.model_kwargs, **kwargs},
                )
            generations.append([Generation(text=result.url, generation_info=_info(result))])
        return LLMResult(generations=generations, llm_output={"model_name": self.model})

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        _refuse_stop(stop)
        generations = []
        for prompt in prompts:
            with langchain_errors():
                result = await video.agenerate_video(
                    self.async_client,
                    prompt,
                    self.model,
                    policy=self._policy(None, None),
                    validate=self.validate_params,
                    **{**self.model_kwargs, **kwargs},
                )
            generations.append([Generation(text=result.url, generation_info=_info(result))])
        return LLMResult(generations=generations, llm_output={"model_name": self.model})
