"""LangChain model profiles from the core's model capabilities."""

from __future__ import annotations

from langchain_core.language_models import ModelProfile

from aimlapi_core.models import get_capabilities


def profile_for(model_id: str) -> ModelProfile | None:
    """The LangChain ``ModelProfile`` of an AI/ML API model id; ``None`` for an unknown id.

    Example:
        >>> profile_for("openai/o3-2025-04-16")["reasoning_output"]
        True
        >>> profile_for("no-such/model") is None
        True
    """
    caps = get_capabilities(model_id)
    if caps is None:
        return None
    profile = ModelProfile(
        text_inputs=True,
        text_outputs=True,
        image_inputs=caps.vision,
        image_url_inputs=caps.vision,
        tool_calling=caps.tools,
        tool_choice=caps.tools and caps.may_send("tool_choice"),
        tool_call_streaming=caps.tools,
        structured_output=caps.response_format,
        reasoning_output=caps.reasoning,
        temperature=caps.temperature,
    )
    spec = caps.chat if caps.chat is not None else caps.responses
    if caps.reasoning_effort and spec is not None:
        profile["reasoning_effort_levels"] = [
            e for e in ("minimal", "low", "medium", "high", "xhigh") if e in spec.efforts
        ] or ["low", "medium", "high"]
    if caps.context_window:
        profile["max_input_tokens"] = caps.context_window
    if caps.max_output_tokens:
        profile["max_output_tokens"] = caps.max_output_tokens
    return profile
