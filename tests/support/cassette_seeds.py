"""Seed cassettes with stand-ins for the files langchain-tests downloads from the internet.

The standard suite's image tests fetch a PNG from raw.githubusercontent.com inside the test.
Offline there is no internet, so before recording those tests we seed their cassettes with
that GET answered by a small PNG made here (``x-cassette-origin: authored stand-in``). Live
re-recording (``--record-mode=rewrite`` with a key) replaces it with the real download.

    .venv/bin/python -m tests.support.cassette_seeds   # then pytest --record-mode=new_episodes
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from vcr.serializers import yamlserializer

ROOT = Path(__file__).resolve().parents[2]
IMAGE_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png"
)
IMAGE_TESTS = ("test_image_inputs", "test_image_tool_message", "test_anthropic_inputs")


def small_png(width: int = 16, height: int = 16) -> bytes:
    """A valid RGB PNG: a blue-to-red gradient."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 16, 64, 255 - x * 16)) for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def image_fetch_interaction() -> dict[str, object]:
    """The GET of the suite's image URL, answered by :func:`small_png`."""
    return {
        "request": {"body": "", "headers": {}, "method": "GET", "uri": IMAGE_URL},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {
                "content-type": ["image/png"],
                "x-cassette-origin": ["authored stand-in (no internet when recorded)"],
            },
            "body": {"string": small_png()},
        },
    }


def seed(directory: Path, class_name: str) -> list[Path]:
    """Write the image GET into each image test's cassette (kept if the cassette exists)."""
    written = []
    for test in IMAGE_TESTS:
        path = directory / f"{class_name}.{test}.yaml"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yamlserializer.serialize({"version": 1, "interactions": [image_fetch_interaction()]})
        )
        written.append(path)
    return written


# (test module, class) of every standard integration suite with image tests.
SUITES = (
    ("test_chat_standard_integration", "TestChatAIMLAPIIntegration"),
    ("test_responses_standard_integration", "TestChatAIMLAPIResponsesIntegration"),
)

if __name__ == "__main__":
    for module, class_name in SUITES:
        for p in seed(ROOT / "cassettes" / module, class_name):
            print("seeded", p.relative_to(ROOT))
