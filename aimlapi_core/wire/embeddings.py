"""Wire models of ``POST /v1/embeddings``: the reply, one embedding, and decoding.

An embedding arrives as a JSON list of floats, or, when the request said
``encoding_format: "base64"``, as the base64 of its little-endian float32 values (a quarter of
the bytes of the decimal text). :meth:`Embedding.vector` gives floats either way.

Example:
    >>> r = EmbeddingsResponse.model_validate({"object": "list", "model": "text-embedding-3-small",
    ...     "data": [{"object": "embedding", "index": 0, "embedding": "AACAPwAAAMA="}],
    ...     "usage": {"prompt_tokens": 2, "total_tokens": 2}})
    >>> r.data[0].vector(), r.normalised_usage.input_tokens
    ([1.0, -2.0], 2)
"""

from __future__ import annotations

import base64
import binascii
import sys
from array import array

from ..errors import AIMLAPIError
from ._base import WireModel
from .chat import _UsageMixin

__all__ = ["Embedding", "EmbeddingsResponse", "decode_base64_floats"]


def decode_base64_floats(data: str) -> list[float]:
    """The floats of a base64 string of little-endian float32 values (OpenAI's ``base64``).

    Raises :class:`~aimlapi_core.errors.AIMLAPIError` when the text is not base64 of a whole
    number of float32 values.

    Example:
        >>> decode_base64_floats("AACAPwAAAMA=")
        [1.0, -2.0]
    """
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AIMLAPIError(f"An embedding is not valid base64: {exc}") from exc
    if len(raw) % 4:
        raise AIMLAPIError(
            f"A base64 embedding decodes to {len(raw)} bytes, not a whole number of float32 "
            "values (4 bytes each)."
        )
    values = array("f")  # C float: IEEE-754 binary32 on every platform CPython supports
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


class Embedding(WireModel):
    """One item of the reply's ``data``: the vector for the input at ``index``."""

    object: str | None = None
    index: int | None = None
    embedding: list[float] | str = []

    def vector(self) -> list[float]:
        """The embedding as floats, decoding base64 when the server sent that.

        Example:
            >>> Embedding(index=0, embedding=[0.5, 1]).vector()
            [0.5, 1.0]
        """
        if isinstance(self.embedding, str):
            return decode_base64_floats(self.embedding)
        return self.embedding


class EmbeddingsResponse(_UsageMixin):
    """The reply body: ``data`` (one :class:`Embedding` per input), ``model``, ``usage``.

    ``usage`` is ``prompt_tokens``/``total_tokens`` (OpenAI) or only ``total_tokens``
    (Voyage); :attr:`normalised_usage` maps either to :class:`~aimlapi_core.usage.Usage`.
    AI/ML API adds ``meta.usage`` (:attr:`cost`).
    """

    object: str | None = None
    data: list[Embedding] = []
    model: str | None = None
