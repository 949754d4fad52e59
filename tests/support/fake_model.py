"""A deterministic fake model behind ``/v1/chat/completions``, in OpenAI's exact wire format.

Plug it into the replay server: ``ReplayServer(responder=fake_responder)``. It reads an OpenAI
chat-completions request and answers what a competent model would, so the standard LangChain
suite and LlamaIndex agent loops can record cassettes offline. The same request always gets the
same bytes: ids come from a hash of the request body and ``created`` is fixed.

What it decides from the request body, in this order:

1. **Tool rounds.** With ``tools`` (or a LlamaIndex ReAct system prompt listing tools), it plans
   the calls the user's last message asks for, then makes one round per request:

   * a tool is *asked for* when ``tool_choice`` is ``"required"`` or names it, or the message
     names it (``magic_function(3)``), or uses a word of its name (``weather`` → ``get_weather``)
     or an operation word/symbol (``times``/``*`` → ``multiply``, ``plus``/``+`` → ``add``,
     ``minus``, ``divided by``), or just says "use the tool" (then the first tool);
   * several tools are asked for → one parallel round, unless the message chains them
     ("then", "the result") or has too few numbers for all of them (``(2 + 3) * 4``): then one
     round per tool, and a later round's first number is the previous round's result. One tool
     and several places ("in Paris and London") → one parallel call per place.
     ``parallel_tool_calls: false`` and ReAct turn parallel rounds into sequential ones;
   * arguments come from the tool's JSON schema and the message: numbers in order, quoted text,
     places after "in"/"of", names, the topic after "about", enums → first value, booleans →
     true; nested objects, arrays, ``$ref``/``$defs`` and ``anyOf`` with null are filled too.

   When every planned round has its results, the answer uses the last results:
   ``"The result is <content>."``.
2. **Structured output.** ``response_format`` ``json_schema`` → a JSON instance of the schema
   (a joke about the prompt's topic for ``setup``/``punchline``); ``json_object`` → an object
   with the keys the prompt names, or an instance of a JSON schema quoted in the prompt.
3. **Text.** A greeting for "Hello", haikus, a joke, a short story, arithmetic, capitals, a
   description of an image/audio/document. ``stop`` cuts the text; ``max_tokens`` /
   ``max_completion_tokens`` cut it at that many tokens with ``finish_reason: "length"``;
   ``n`` gives ``n`` choices; ``logprobs``/``top_logprobs`` add OpenAI's per-token logprobs.

Reasoning models (``o1``/``o3``/``o4``/``gpt-5``, ``deepseek-r1``/``*reasoner``) add a short
``reasoning_content`` (streamed before the content) and ``reasoning_tokens``; so does
``reasoning_effort`` on any model (tokens only). Prompts over 1024 tokens report
``cached_tokens``. Every reply carries ``x-inference-id``; non-streamed replies also carry
``x-aimlapi-credits-used``/``x-aimlapi-usd-spent``. Bodies carry AI/ML API's
``meta.usage`` (streams: on the last chunk). Streams send text in 2–6 character deltas (one token
per delta when logprobs are asked for), tool-call arguments in fragments with ``id``/``name``
only in a call's first fragment (fragments of parallel calls interleave unless
``interleave_tool_calls=False``), ``usage`` in a final ``choices: []`` chunk only when
``stream_options.include_usage`` is true, then ``data: [DONE]``.

**Embeddings** (``POST /v1/embeddings``, :func:`fake_embeddings`): one vector per input, in
OpenAI's format (``object: "list"``, ``data`` items with ``index``, ``model``, ``usage`` with
``prompt_tokens``/``total_tokens``) plus ``meta.usage``, ``x-inference-id`` and the cost headers.
A vector is the set of the text's words (lower-cased, stop words left out) hashed into
:data:`FAKE_EMBEDDING_DIMENSIONS` signed buckets (or ``dimensions``), L2-normalised and
rounded to multiples of 2⁻¹⁶ (exact in float32, so ``encoding_format: "base64"`` carries the same
numbers): texts sharing words are close, so retrieval over it ranks by word overlap. Like
OpenAI's models it answers 400 to an empty string, to ``dimensions`` for
``text-embedding-ada-002`` and to an ``encoding_format`` other than ``float``/``base64``.

Example:
    >>> reply = fake_chat_completion(ReceivedRequest("POST", "/v1/chat/completions", {},
    ...     {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}))
    >>> body = json.loads(reply.body)
    >>> body["model"], body["choices"][0]["message"]["content"]
    ('gpt-4o-mini', 'Hello! How can I help you today?')
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from .replay_server import ReceivedRequest, Scripted

__all__ = [
    "CREATED",
    "FAKE_EMBEDDING_DIMENSIONS",
    "ORIGIN",
    "count_tokens",
    "fake_chat_completion",
    "fake_embeddings",
    "fake_responder",
    "fake_vector",
    "split_tokens",
]

CREATED = 1_750_000_000
ORIGIN = "authored fake-model"
_TIMESTAMP = "2025-06-15T15:06:40.000Z"  # CREATED as an ISO date, for error bodies
_USD_PER_CREDIT = 0.0000005  # 2480 credits = $0.00124, as AI/ML API reports
_CHAT_PATH = "/v1/chat/completions"


# --------------------------------------------------------------------------- tokens and hashing


_TOKEN_RE = re.compile(r" ?\w+| ?[^\w\s]+|\s+")


def split_tokens(text: str) -> list[str]:
    """The fake tokenizer: words (with their leading space), punctuation runs, whitespace.

    The pieces join back to ``text`` exactly.

    Example:
        >>> split_tokens("Hello! How are you?")
        ['Hello', '!', ' How', ' are', ' you', '?']
    """
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    """How many tokens the fake model counts in ``text``."""
    return len(split_tokens(text))


def _digest(*parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(hex_digest: str, length: int) -> str:
    n = int(hex_digest, 16)
    out = []
    for _ in range(length):
        n, r = divmod(n, 62)
        out.append(_ALNUM[r])
    return "".join(out)


def _uuid(hex_digest: str) -> str:
    h = hex_digest
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _pieces(text: str, seed: str, low: int = 2, high: int = 6) -> list[str]:
    """Split ``text`` into deterministic pieces of ``low``..``high`` characters."""
    sizes = bytes.fromhex(seed)
    out, i, k = [], 0, 0
    while i < len(text):
        size = low + sizes[k % len(sizes)] % (high - low + 1)
        out.append(text[i : i + size])
        i += size
        k += 1
    return out


# --------------------------------------------------------------------------- request reading


@dataclass
class _Tool:
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class _PastCall:
    name: str
    args: Any
    result: str | None = None


@dataclass
class _Turn:
    """What the model needs from the conversation."""

    question: str = ""  # text of the last user message
    system: str = ""
    has_image: bool = False
    has_audio: bool = False
    has_file: bool = False
    rounds: list[list[_PastCall]] = field(default_factory=list)  # tool rounds after question
    last_is_result: bool = False


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [p if isinstance(p, dict) else {"type": "text", "text": str(p)} for p in content]
    return []


def _text(content: Any) -> str:
    texts = [
        str(p.get("text", ""))
        for p in _parts(content)
        if p.get("type") in ("text", "input_text") or ("text" in p and "type" not in p)
    ]
    return "\n".join(t for t in texts if t)


def _is_observation(msg: dict[str, Any]) -> bool:
    return msg.get("role") == "user" and _text(msg.get("content")).lstrip().startswith(
        "Observation:"
    )


def _request_tools(body: dict[str, Any]) -> list[_Tool]:
    tools = []
    for t in body.get("tools") or []:
        if not isinstance(t, dict) or t.get("type", "function") != "function":
            continue
        fn = t.get("function") or {}
        if not fn.get("name"):
            continue
        params = fn.get("parameters") if isinstance(fn.get("parameters"), dict) else {}
        tools.append(_Tool(str(fn["name"]), str(fn.get("description") or ""), params))
    return tools


_REACT_MARKERS = ("Action Input:", "> Tool Name:")


def _react_tools(system: str) -> list[_Tool]:
    """Tools from a LlamaIndex ReAct system prompt (``> Tool Name: / Tool Args: {...}``)."""
    tools = []
    for block in system.split("> Tool Name: ")[1:]:
        name, _, rest = block.partition("\n")
        desc, params = rest, {}
        if "Tool Args: " in rest:
            desc, _, args_text = rest.rpartition("Tool Args: ")
            try:
                params, _ = json.JSONDecoder().raw_decode(args_text)
            except ValueError:
                params = {}
        desc = desc.removeprefix("Tool Description: ").strip()
        tools.append(_Tool(name.strip(), desc, params if isinstance(params, dict) else {}))
    return tools


def _react_action(text: str) -> _PastCall | None:
    m = re.search(r"Action:\s*([^\n]+?)\s*\n+Action Input:\s*(\{.*\})", text, re.DOTALL)
    if not m:
        return None
    raw = m.group(2)
    args: Any
    try:
        args = json.loads(raw)
    except ValueError:
        try:
            args = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            args = {}
    return _PastCall(m.group(1).strip(), args)


def _read_turn(messages: list[dict[str, Any]], *, react: bool) -> _Turn:
    turn = _Turn()
    turn.system = "\n".join(
        _text(m.get("content")) for m in messages if m.get("role") in ("system", "developer")
    )
    q_index = -1
    for i, m in enumerate(messages):
        if m.get("role") == "user" and not (react and _is_observation(m)):
            q_index = i
    if q_index >= 0:
        content = messages[q_index].get("content")
        turn.question = _text(content)
        for p in _parts(content):
            kind = p.get("type")
            turn.has_image |= kind in ("image_url", "input_image", "image")
            turn.has_audio |= kind in ("input_audio", "audio")
            turn.has_file |= kind in ("file", "input_file")
    by_id: dict[str, _PastCall] = {}
    for m in messages[q_index + 1 :]:
        role = m.get("role")
        if role == "assistant" and m.get("tool_calls"):
            calls = []
            for tc in m["tool_calls"]:
                fn = tc.get("function") or {}
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                call = _PastCall(str(fn.get("name", "")), args)
                by_id[str(tc.get("id"))] = call
                calls.append(call)
            turn.rounds.append(calls)
        elif role == "assistant" and react and (action := _react_action(_text(m.get("content")))):
            turn.rounds.append([action])
        elif role in ("tool", "function") or (react and _is_observation(m)):
            result = _tool_result_text(m.get("content"))
            if react:
                result = result.lstrip().removeprefix("Observation:").strip()
            call = by_id.get(str(m.get("tool_call_id")))
            if call is None and turn.rounds:
                call = next((c for c in turn.rounds[-1] if c.result is None), None)
            if call is not None:
                call.result = result
    if messages:
        last = messages[-1]
        turn.last_is_result = last.get("role") in ("tool", "function") or (
            react and _is_observation(last)
        )
    return turn


def _tool_result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    text = _text(content)
    if text:
        return text
    kinds = {p.get("type") for p in _parts(content)}
    if kinds & {"image_url", "image", "input_image"}:
        return "an image"
    if kinds & {"file", "input_file"}:
        return "a document"
    return ""


# --------------------------------------------------------------------------- text understanding

_COMMON_CAPS = {
    "I", "The", "A", "An", "What", "Whats", "What's", "Who", "Where", "When", "Why", "How",
    "Which", "Use", "Using", "Call", "Please", "Tell", "Give", "Write", "Create", "Make",
    "Generate", "Return", "Find", "Get", "Show", "Can", "Could", "Would", "Is", "Are", "Do",
    "Extract", "Answer", "Then", "And", "Add", "Multiply", "Hello", "Hi", "Hey", "Only", "Be",
    "JSON", "Output", "Here", "You", "It", "This", "That", "Now", "Also", "Next", "First",
}  # fmt: skip

_CAPITALS = {
    "france": "Paris", "england": "London", "uk": "London", "united kingdom": "London",
    "germany": "Berlin", "italy": "Rome", "spain": "Madrid", "japan": "Tokyo",
    "china": "Beijing", "canada": "Ottawa", "australia": "Canberra", "usa": "Washington, D.C.",
    "united states": "Washington, D.C.", "mexico": "Mexico City", "brazil": "Brasília",
}  # fmt: skip

_JOKES = {
    "cat": ("Why did the cat sit on the computer?", "To keep an eye on the mouse!"),
    "dog": ("What do you call a dog magician?", "A labracadabrador!"),
    "programmer": ("Why do programmers prefer dark mode?", "Because light attracts bugs!"),
    "computer": ("Why did the computer go to the doctor?", "Because it had a virus!"),
    "bear": ("What do you call a bear with no teeth?", "A gummy bear!"),
    "fish": ("What do you call a fish without eyes?", "A fsh!"),
}

_HAIKUS = [
    "An old silent pond\nA frog jumps into the pond\nSplash! Silence again",
    "Autumn moonlight falls\nA worm digs silently through\nThe chestnut below",
    "Morning dew glistens\nOn petals soft and open\nThe garden awakens",
]

_NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w)")
_QUOTE_RE = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|`([^`\n]+)`")
_PLACE_RE = re.compile(
    r"\b(?:in|at|of|for|near|from|to)\s+"
    r"((?:[A-Z][\w'.-]*)(?:(?:\s+|,\s*|\s+and\s+)(?:[A-Z][\w'.-]*))*)"
)


def _numbers(text: str) -> list[float]:
    return [float(n) for n in _NUMBER_RE.findall(text)]


def _quotes(text: str) -> list[str]:
    out = []
    for m in _QUOTE_RE.finditer(text):
        value = next(g for g in m.groups() if g is not None).strip()
        # skip contractions caught between two apostrophes ("it's ... don't")
        if value and not (m.group(1) and re.search(r"\w'\w", text[m.start() - 1 : m.end() + 1])):
            out.append(value)
    return out


def _places(text: str) -> list[str]:
    for m in _PLACE_RE.finditer(text):
        phrase = m.group(1).strip(" ,.")
        words = phrase.split()
        if words and words[0] in _COMMON_CAPS:
            continue
        parts = re.split(r"\s+and\s+|,(?!\s*[A-Z]{2,3}\b)\s*", phrase)
        return [p.strip(" ,.") for p in parts if p.strip(" ,.")]
    return []


def _capitalized(text: str) -> list[str]:
    """Capitalised phrases that are not just the start of a sentence."""
    out = []
    for m in re.finditer(r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*", text):
        words = m.group(0).split()
        before = text[: m.start()].rstrip()
        if not before or before[-1] in ".!?":
            words = words[1:]  # the first word of a sentence says nothing
        while words and words[0] in _COMMON_CAPS - {"The"}:
            words = words[1:]
        if words and not (len(words) == 1 and words[0] in _COMMON_CAPS):
            out.append(" ".join(words))
    return out


def _topic(text: str) -> str:
    m = re.search(
        r"\babout\s+(?:a |an |the )?([^.,!?;:\n]+?)(?=[.,!?;:\n]| and | with | in |$)", text
    )
    if m:
        return m.group(1).strip()
    caps = _capitalized(text)
    if caps:
        return caps[0]
    m = re.search(r"\b(?:a|an)\s+([a-z]{3,})\b", text)
    if m:
        return m.group(1)
    words = [w for w in re.findall(r"[A-Za-z]{4,}", text) if w not in _COMMON_CAPS]
    return words[-1].lower() if words else "life"


def _singular(word: str) -> str:
    word = word.lower().strip()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _joke(topic: str) -> tuple[str, str]:
    key = _singular(topic.split()[-1]) if topic.split() else ""
    for name, joke in _JOKES.items():
        if key and (key.startswith(name) or name.startswith(key)):
            return joke
    return (f"Why did the {topic} bring a ladder?", "Because it wanted to reach new heights!")


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _arithmetic(text: str) -> str | None:
    m = re.search(
        r"(-?\d+(?:\.\d+)?)\s*(\+|plus|-|minus|\*|×|x|times|multiplied by|/|÷|divided by)\s*"
        r"(-?\d+(?:\.\d+)?)",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    a, op, b = float(m.group(1)), m.group(2).lower(), float(m.group(3))
    if op in ("+", "plus"):
        r, sym = a + b, "+"
    elif op in ("-", "minus"):
        r, sym = a - b, "-"
    elif op in ("*", "×", "x", "times", "multiplied by"):
        r, sym = a * b, "×"
    elif b == 0:
        return f"{_fmt_number(a)} divided by 0 is undefined."
    else:
        r, sym = a / b, "÷"
    return f"{_fmt_number(a)} {sym} {_fmt_number(b)} = {_fmt_number(r)}."


def _schema_in_text(text: str) -> dict[str, Any] | None:
    """A JSON schema quoted in a prompt (LlamaIndex's text-completion programs do this)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, m.start())
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("properties"), dict):
            return value
    return None


_CONTEXT_PROMPT = re.compile(
    r"Context information is below\.?\s*-+\s*(?P<context>.*?)\s*-+.*?Query:\s*(?P<query>.*?)"
    r"\s*(?:Answer:\s*)?$",
    re.DOTALL,
)


def _answer_from_context(prompt: str) -> str | None:
    """A RAG prompt (LlamaIndex's "Context information is below ... Query:"): the (at most
    two) context sentences sharing the most words with the query, in document order."""
    match = _CONTEXT_PROMPT.search(prompt)
    if match is None:
        return None
    query_words = set(re.findall(r"\w+", match["query"].lower())) - _STOP_WORDS
    sentences = [
        s.strip()
        for s in re.split(r"(?<=[.!?])\s+|\n+", match["context"])
        if s.strip() and not re.match(r"\w+: \S+$", s.strip())  # metadata lines
    ]
    scored = [
        (len(query_words & set(re.findall(r"\w+", s.lower()))), i) for i, s in enumerate(sentences)
    ]
    best = sorted(i for n, i in sorted(scored, key=lambda t: (-t[0], t[1]))[:2] if n > 0)
    if not best:
        return "The documents do not answer that."
    return " ".join(sentences[i] for i in best)


def _plain_reply(turn: _Turn) -> str:
    q = turn.question.strip()
    ql = q.lower()
    if turn.has_image:
        return (
            "The image shows a simple diagram: a few labelled boxes connected by arrows, "
            "drawn on a white background."
        )
    if turn.has_audio:
        return "The audio is a short recording of a bird call, repeated a few times."
    if turn.has_file:
        return 'The document is a short one-page PDF titled "Dummy PDF file".'
    schema = _schema_in_text(q) or _schema_in_text(turn.system)
    if schema is not None:
        return _dumps(_instance(schema, schema, _Ctx(q)))
    if (grounded := _answer_from_context(q)) is not None:
        return grounded
    if not q or re.fullmatch(
        r"(hi|hello|hey|hola|greetings|good (morning|afternoon|evening))\b[\s\w,!.]{0,20}", ql
    ):
        return "Hello! How can I help you today?"
    if re.search(r"\bhow are you\b", ql):
        return "I'm doing well, thank you for asking! How can I help you today?"
    if re.search(r"\b(thanks|thank you)\b", ql):
        return "You're welcome! Let me know if there is anything else I can do."
    if "haiku" in ql:
        count = int(min(max(_numbers(q)[0] if _numbers(q) else 1, 1), 3))
        return "\n\n".join(_HAIKUS[:count])
    if "joke" in ql:
        setup, punchline = _joke(_topic(q))
        return f"{setup} {punchline}"
    if "story" in ql:
        topic = _topic(q)
        return (
            f"Once upon a time, a curious {topic} lived in a quiet town. Every morning it "
            "explored a new street, and every evening it came home with a new friend. "
            "In the end, the whole town knew its name."
        )
    if (result := _arithmetic(q)) is not None:
        return result
    m = re.search(r"capital of (?:the )?([A-Za-z .]+?)[?.!]*$", q, re.IGNORECASE)
    if m and m.group(1).lower().strip() in _CAPITALS:
        country = m.group(1).strip()
        return f"The capital of {country} is {_CAPITALS[country.lower()]}."
    if "weather" in ql:
        places = _places(q)
        where = f" in {places[0]}" if places else ""
        return f"I don't have live weather data, but the forecast{where} is usually mild."
    return f'You said: "{_clip(q)}". Here is a short answer: yes, I can help with that.'


# --------------------------------------------------------------------------- JSON-schema instances


_PLACE_FIELDS = {
    "location", "city", "place", "country", "address", "destination", "origin", "region",
    "state", "town", "where",
}  # fmt: skip
_NAME_FIELDS = {"name", "title", "company", "label", "brand", "product"}
_PERSON_FIELDS = {"person", "author", "artist", "username", "user", "singer", "writer", "owner"}
_NUMBER_DEFAULTS = {
    "age": 30, "year": 2024, "count": 3, "quantity": 3, "amount": 10, "price": 9.99,
    "rating": 4, "score": 4, "seconds": 180, "duration": 180, "length": 180, "minutes": 3,
    "days": 3, "limit": 5, "page": 1, "temperature": 21, "percent": 50, "id": 1,
}  # fmt: skip
_DESC_FIELDS = {
    "description", "summary", "details", "detail", "reason", "explanation", "content", "body",
    "notes", "note", "comment", "bio", "about", "reasoning", "answer",
}  # fmt: skip
_QUERY_FIELDS = {"query", "question", "input", "prompt", "q", "search", "request", "text",
                 "message", "keywords", "term", "sentence", "instruction"}  # fmt: skip
_STYLE_FIELDS = {"style", "tone", "mood", "answer_style", "voice", "persona", "genre", "flavor"}
_TOPIC_FIELDS = {"topic", "subject", "theme", "category", "keyword"}


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        ref = str(schema["$ref"])
        target: Any = root
        for part in ref.lstrip("#/").split("/") if ref.startswith("#") else []:
            target = target.get(part, {}) if isinstance(target, dict) else {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if isinstance(target, dict) else extra
        seen += 1
    if isinstance(schema, dict) and isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for sub in schema["allOf"]:
            sub = _resolve(sub, root)
            props = {**merged.get("properties", {}), **sub.get("properties", {})}
            merged = {**sub, **merged, "properties": props} if props else {**sub, **merged}
            merged["required"] = [*merged.get("required", []), *sub.get("required", [])]
        return merged
    return schema if isinstance(schema, dict) else {}


class _Ctx:
    """Where argument values come from: the user's text, consumed in order."""

    def __init__(
        self,
        text: str,
        *,
        numbers: list[float] | None = None,
        forced: dict[str, Any] | None = None,
        inject: float | None = None,
    ) -> None:
        self.text = text
        self.numbers = list(_numbers(text) if numbers is None else numbers)
        self.quotes = _quotes(text)
        self.places = _places(text)
        self.topic = _topic(text)
        self.forced = dict(forced or {})
        self.inject = inject
        self.used_numbers = 0

    def take_number(self, schema: dict[str, Any], name: str = "") -> float | int:
        parts = name.lower().split("_")
        if self.inject is not None:
            value, self.inject = self.inject, None
        elif self.numbers:
            value = self.numbers.pop(0)
            self.used_numbers += 1
        elif "default" in schema and isinstance(schema["default"], (int, float)):
            value = float(schema["default"])
        else:
            hint = next((_NUMBER_DEFAULTS[p] for p in reversed(parts) if p in _NUMBER_DEFAULTS), 1)
            value = float(hint)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if isinstance(schema.get("exclusiveMinimum"), (int, float)):
            lo = schema["exclusiveMinimum"] + (1 if schema.get("type") == "integer" else 1e-6)
        if isinstance(schema.get("exclusiveMaximum"), (int, float)):
            hi = schema["exclusiveMaximum"] - (1 if schema.get("type") == "integer" else 1e-6)
        if isinstance(lo, (int, float)):
            value = max(value, lo)
        if isinstance(hi, (int, float)):
            value = min(value, hi)
        if schema.get("type") == "integer" or float(value).is_integer():
            return round(value)
        return value

    def wants_null(self, name: str) -> bool:
        words = re.escape(name.replace("_", " "))
        return bool(name) and bool(re.search(rf"\b(no|without)\s+{words}\b", self.text, re.I))

    def string(self, name: str, schema: dict[str, Any], index: int) -> str:
        n = name.lower()
        last = n.rsplit("_", 1)[-1]
        if name in self.forced:
            return str(self.forced[name])
        fmt = schema.get("format")
        formats = {
            "date": "2025-01-15", "date-time": "2025-01-15T12:00:00Z", "time": "12:00:00",
            "email": "user@example.com", "uri": "https://example.com", "url": "https://example.com",
            "uuid": "123e4567-e89b-42d3-a456-426614174000",
        }  # fmt: skip
        if fmt in formats:
            return formats[str(fmt)]
        if n in ("setup", "punchline", "joke"):
            setup, punchline = _joke(self.topic)
            return {"setup": setup, "punchline": punchline}.get(n, f"{setup} {punchline}")
        if n in _PLACE_FIELDS or last in _PLACE_FIELDS:
            if self.places:
                return self.places[min(index, len(self.places) - 1)]
            caps = _capitalized(self.text)
            return caps[0] if caps else "San Francisco, CA"
        if n in _DESC_FIELDS or last in _DESC_FIELDS:
            m = re.search(r"\s[-–—]\s+(.+?)\s*$", self.text) or re.search(r"\(([^)]+)\)", self.text)
            return m.group(1).strip(" .") if m else _clip(self.text, 120)
        if self.quotes:
            return self.quotes.pop(0)
        if n in _STYLE_FIELDS or last in _STYLE_FIELDS:
            caps = _capitalized(self.text)
            return caps[0] if caps else self.topic
        if n in _PERSON_FIELDS or last in _PERSON_FIELDS:
            caps = [c for c in _capitalized(self.text) if c not in self.places]
            return caps[0] if caps and not caps[0].startswith("The ") else "Alex Rivers"
        if n in _NAME_FIELDS or last in _NAME_FIELDS:
            caps = _capitalized(self.text)
            base = caps[0] if caps else self.topic.title()
            return base if index == 0 else f"{base} {index + 1}"
        if n in _TOPIC_FIELDS or last in _TOPIC_FIELDS:
            return self.topic
        if n in _QUERY_FIELDS or last in _QUERY_FIELDS:
            q = re.sub(r"\s*(please\s+)?use (the|a) tools?\.?\s*", " ", self.text, flags=re.I)
            return _clip(q.strip() or self.text, 200)
        if n in ("language", "lang"):
            return "English"
        if n in ("unit", "units"):
            return "celsius"
        if n in ("color", "colour", "fav_color"):
            return "blue"
        label = name.replace("_", " ").strip() or "value"
        suffix = "" if index == 0 else f" {index + 1}"
        return f"{self.topic} {label}{suffix}" if self.topic else f"example {label}{suffix}"


def _instance(
    schema: Any, root: dict[str, Any], ctx: _Ctx, name: str = "", index: int = 0, depth: int = 0
) -> Any:
    """A value that satisfies ``schema``, filled from ``ctx``."""
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            options = [_resolve(o, root) for o in schema[key]]
            non_null = [o for o in options if o.get("type") != "null"]
            if (len(non_null) < len(options) and ctx.wants_null(name)) or not non_null:
                return None
            base = {k: v for k, v in schema.items() if k != key}
            return _instance({**base, **non_null[0]}, root, ctx, name, index, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        if "null" in kind and ctx.wants_null(name):
            return None
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        for key, sub in props.items():
            sub_r = _resolve(sub, root)
            if key not in required and sub_r.get("default") is not None:
                out[key] = sub_r["default"]
            elif key not in required and depth >= 3:
                continue
            else:
                out[key] = _instance(sub, root, ctx, key, index, depth + 1)
        return out
    if kind == "array":
        return _array(schema, root, ctx, name, depth)
    if kind in ("integer", "number"):
        return ctx.take_number(schema, name)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    value = ctx.string(name, schema, index)
    if isinstance(schema.get("maxLength"), int):
        value = value[: schema["maxLength"]]
    if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
        value = value.ljust(schema["minLength"], ".")
    return value


def _array(schema: dict[str, Any], root: dict[str, Any], ctx: _Ctx, name: str, depth: int) -> Any:
    items = _resolve(schema.get("items") or {}, root)
    lo = int(schema.get("minItems") or 0)
    hi = schema.get("maxItems")
    count = max(lo, 2 if depth < 3 else lo)
    item_type = items.get("type")
    if item_type in ("integer", "number") and len(ctx.numbers) >= 1:
        count = max(lo, len(ctx.numbers))
    elif item_type == "string" and len(ctx.quotes) >= 2:
        count = max(lo, len(ctx.quotes))
    elif item_type == "string" and (name.lower() in _PLACE_FIELDS or name.lower() == "cities"):
        count = max(lo, len(ctx.places) or 1)
        return [ctx.places[i] if i < len(ctx.places) else "Paris" for i in range(count)]
    if isinstance(hi, int):
        count = min(count, hi)
    item_name = _singular(name) if name else "item"
    return [_instance(items, root, ctx, item_name, i, depth + 1) for i in range(count)]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- tool planning

_STOP_PARTS = {
    "get", "set", "fetch", "tool", "tools", "function", "func", "fn", "run", "call", "do", "make",
    "the", "of", "for", "to", "and", "with", "by", "from", "my", "your", "current", "info",
    "data", "retrieve", "api", "no", "args", "arg", "input", "output", "value", "values", "a",
}  # fmt: skip
_CONCEPTS = [
    ({"add", "sum", "plus", "addition", "adder"},
     r"\b(add|adds|added|adding|addition|plus|sum)\b|(?<=[\d)])\s*\+\s*(?=[\d(])"),
    ({"multiply", "mul", "mult", "times", "product", "multiplier", "multiplication"},
     r"\b(multipl\w*|times|product)\b|(?<=[\d)])\s*[*×]\s*(?=[\d(])"),
    ({"subtract", "sub", "minus", "difference", "subtraction"},
     r"\b(subtract\w*|minus|difference)\b|(?<=[\d)])\s+-\s+(?=[\d(])"),
    ({"divide", "div", "quotient", "division"},
     r"\b(divid\w*|division|quotient)\b|(?<=[\d)])\s*[/÷]\s*(?=[\d(])"),
    ({"weather", "forecast", "temperature"}, r"\b(weather|forecast|temperature)\b"),
]  # fmt: skip
_CHAIN_RE = re.compile(
    r"\bthen\b|\b(the|that|its|this) result\b|\bafter that\b|\bafterwards\b|\buse it\b", re.I
)
_ASKS_TOOL_RE = re.compile(
    r"\b(use|using|call|invoke|with)\s+(the|a|your|any|some)?\s*(tools?|functions?)\b", re.I
)


def _name_parts(name: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [p.lower() for p in re.split(r"[\W_]+", spaced) if p]


def _mention_position(tool: _Tool, text: str) -> tuple[int, bool] | None:
    """Where ``text`` first asks for ``tool``, and whether it names it exactly."""
    exact = re.search(rf"(?<![\w]){re.escape(tool.name)}(?![\w])", text, re.I)
    if exact:
        return exact.start(), True
    positions = []
    parts = [p for p in _name_parts(tool.name) if p not in _STOP_PARTS and len(p) >= 3]
    for part in parts:
        stem = part if len(part) <= 5 else part[: max(5, len(part) - 3)]
        m = re.search(rf"\b{re.escape(stem)}", text, re.I)
        if m:
            positions.append(m.start())
        for words, pattern in _CONCEPTS:
            if part in words and (m := re.search(pattern, text, re.I)):
                positions.append(m.start())
    return (min(positions), False) if positions else None


def _numeric_params(tool: _Tool) -> int:
    props = tool.parameters.get("properties") or {}
    count = 0
    for sub in props.values():
        sub = _resolve(sub, tool.parameters)
        kinds = sub.get("type") if isinstance(sub.get("type"), list) else [sub.get("type")]
        count += any(k in ("integer", "number") for k in kinds)
    return count


def _place_param(tool: _Tool) -> str | None:
    for key, sub in (tool.parameters.get("properties") or {}).items():
        sub = _resolve(sub, tool.parameters)
        if key.lower() in _PLACE_FIELDS and sub.get("type", "string") == "string":
            return str(key)
    return None


@dataclass
class _Planned:
    tool: _Tool
    forced: dict[str, Any] = field(default_factory=dict)


def _plan(
    question: str, tools: list[_Tool], tool_choice: Any, *, sequential: bool
) -> tuple[list[list[_Planned]], bool]:
    """The tool rounds the question asks for, and whether later rounds use earlier results."""
    if not tools or tool_choice == "none":
        return [], False
    forced_name = None
    if isinstance(tool_choice, dict):
        forced_name = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
    if forced_name:
        tool = next((t for t in tools if t.name == forced_name), None)
        return ([[_Planned(tool)]] if tool else []), False
    found: list[tuple[int, bool, _Tool]] = []
    for tool in tools:
        hit = _mention_position(tool, question)
        if hit is not None:
            found.append((hit[0], hit[1], tool))
    if any(exact for _, exact, _ in found):  # a tool named outright wins over keyword guesses
        found = [f for f in found if f[1]]
    ordered = [t for _, _, t in sorted(found, key=lambda f: f[0])]
    if not ordered:
        if tool_choice == "required" or _ASKS_TOOL_RE.search(question):
            ordered = [tools[0]]
        else:
            return [], False
    chained = False
    if len(ordered) >= 2:
        needed = sum(_numeric_params(t) for t in ordered)
        chained = bool(_CHAIN_RE.search(question)) or (
            needed > len(_numbers(question)) and all(_numeric_params(t) for t in ordered)
        )
        rounds = [[_Planned(t)] for t in ordered] if chained else [[_Planned(t) for t in ordered]]
    else:
        tool = ordered[0]
        place_key = _place_param(tool)
        places = _places(question) if place_key else []
        if place_key and len(places) >= 2:
            rounds = [[_Planned(tool, {place_key: p}) for p in places]]
        else:
            rounds = [[_Planned(tool)]]
    if sequential:
        rounds = [[p] for r in rounds for p in r]
    return rounds, chained


def _number_in(result: str | None) -> float | None:
    if result is None:
        return None
    try:
        value = json.loads(result)
    except ValueError:
        value = None
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    found = _numbers(result)
    return found[0] if found else None


def _round_args(
    rounds: list[list[_Planned]], k: int, turn: _Turn, chained: bool
) -> list[dict[str, Any]]:
    """Arguments of round ``k``.

    Numbers in the question are consumed in order across calls and rounds; in a chained plan
    the first number of round ``j`` is the result of round ``j - 1``. Calls fanned out over
    places share the numbers of their round.
    """
    numbers = _numbers(turn.question)
    args: list[dict[str, Any]] = []
    for j in range(k + 1):
        inject = None
        if chained and 0 < j <= len(turn.rounds) and turn.rounds[j - 1]:
            inject = _number_in(turn.rounds[j - 1][-1].result)
        start = list(numbers)
        args = []
        for planned in rounds[j]:
            ctx = _Ctx(
                turn.question,
                numbers=start if planned.forced else numbers,
                forced=planned.forced,
                inject=inject,
            )
            inject = None
            params = planned.tool.parameters or {}
            value = _instance({"type": "object", **params}, params, ctx)
            args.append(value if isinstance(value, dict) else {})
            numbers = (start if planned.forced else numbers)[ctx.used_numbers :]
    return args


def _result_value(result: str | None) -> str:
    text = (result or "").strip()
    try:
        value = json.loads(text)
    except ValueError:
        return text.rstrip(".")
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    return value if isinstance(value, str) else _dumps(value)


def _final_answer(calls: list[_PastCall]) -> str:
    results = [c.result for c in calls if c.result is not None] or [""]
    if len(results) == 1 and (results[0] or "").strip().lower().startswith("error"):
        return f"The tool reported an error: {results[0].strip()}"
    values = [_result_value(r) for r in results]
    if len(values) == 1:
        return f"The result is {values[0]}."
    return f"The results are {', '.join(values[:-1])} and {values[-1]}."


# --------------------------------------------------------------------------- the model


_REASONING_RE = re.compile(r"^(o1|o3|o4|gpt-5)|deepseek-r1|reasoner", re.I)
_EFFORT_SCALE = {"none": 0, "minimal": 1, "low": 1, "medium": 2, "high": 4}


@dataclass
class _Decision:
    text: str | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    thought: str = ""


def _decide(body: dict[str, Any], react: bool) -> _Decision:
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    turn = _read_turn(messages, react=react)
    tools = _react_tools(turn.system) if react else _request_tools(body)
    sequential = react or body.get("parallel_tool_calls") is False
    rounds, chained = _plan(turn.question, tools, body.get("tool_choice"), sequential=sequential)
    done = len(turn.rounds)
    if turn.last_is_result:
        # Tool results came back: the next planned round, or the answer.
        if done < len(rounds) and done > 0:
            return _calls_decision(rounds, done, turn, chained, react)
        last = turn.rounds[-1] if turn.rounds else []
        if not last:
            result = _tool_result_text(messages[-1].get("content"))
            last = [_PastCall("", {}, result.removeprefix("Observation:").strip())]
        answer = _final_answer(last)
        thought = "I can answer without using any more tools."
        if react:
            answer = f"Thought: {thought} I'll use the user's language to answer\nAnswer: {answer}"
        return _Decision(text=answer, thought=f"The tool returned its result. {thought}")
    if rounds and done == 0:
        return _calls_decision(rounds, 0, turn, chained, react)
    fmt = body.get("response_format") if isinstance(body.get("response_format"), dict) else {}
    thought = f'The user wrote: "{_clip(turn.question, 60)}". I should answer briefly.'
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
        return _Decision(_dumps(_instance(schema, schema, _Ctx(turn.question))), thought=thought)
    if fmt.get("type") == "json_object":
        return _Decision(_dumps(_json_object(turn)), thought=thought)
    text = _plain_reply(turn)
    if react:
        text = (
            "Thought: I can answer without using any more tools. I'll use the user's language "
            f"to answer\nAnswer: {text}"
        )
    return _Decision(text, thought=thought)


def _calls_decision(
    rounds: list[list[_Planned]], k: int, turn: _Turn, chained: bool, react: bool
) -> _Decision:
    args = _round_args(rounds, k, turn, chained)
    calls = [(p.tool.name, a) for p, a in zip(rounds[k], args, strict=True)]
    names = ", ".join(name for name, _ in calls)
    thought = f"I need to use a tool to help me answer the question. I will call {names}."
    if react:
        name, a = calls[0]
        text = (
            "Thought: The current language of the user is: English. I need to use a tool to "
            f"help me answer the question.\nAction: {name}\nAction Input: {_dumps(a)}"
        )
        return _Decision(text=text, thought=thought)
    return _Decision(calls=calls, thought=thought)


def _json_object(turn: _Turn) -> Any:
    schema = _schema_in_text(turn.question) or _schema_in_text(turn.system)
    ctx = _Ctx(turn.question)
    if schema is not None:
        return _instance(schema, schema, ctx)
    keys: list[str] = []
    for text in (turn.question, turn.system):
        for m in re.finditer(r"['\"`]([A-Za-z_]\w*)['\"`]", text):
            if m.group(1) not in keys:
                keys.append(m.group(1))
        m = re.search(r"\bkeys?\s+([A-Za-z_]\w*)((?:\s*(?:,|and)\s*[A-Za-z_]\w*)*)", text)
        if not keys and m:
            rest = [k for k in re.split(r"\s*(?:,|\band\b)\s*", m.group(2)) if k.strip()]
            keys = [m.group(1), *(k.strip() for k in rest)]
    ctx.quotes = []  # quoted words are the keys, not values
    if not keys:
        return {"response": _plain_reply(turn)}
    out: dict[str, Any] = {}
    for key in keys:
        numeric = any(part in _NUMBER_DEFAULTS for part in key.lower().split("_"))
        out[key] = ctx.take_number({}, key) if numeric else ctx.string(key, {}, 0)
    return out


def _cut(text: str, stop: Any, limit: int | None) -> tuple[str, str]:
    stops = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)]
    cut = min((i for s in stops if s and (i := text.find(s)) >= 0), default=-1)
    if cut >= 0:
        text = text[:cut]
    if limit is not None and limit >= 0:
        tokens = split_tokens(text)
        if len(tokens) > limit:
            return "".join(tokens[:limit]), "length"
    return text, "stop"


def _logprob(token: str, seed: str, i: int) -> float:
    h = int(_digest(seed, i, token)[:8], 16)
    return -round(0.0001 + (h % 10_000) / 10_000 * 0.5, 6)


_ALTERNATIVES = [" the", " a", ".", ",", " and", "!", " to", " I"]


def _logprob_entries(text: str, seed: str, top: int) -> list[dict[str, Any]]:
    entries = []
    for i, token in enumerate(split_tokens(text)):
        lp = _logprob(token, seed, i)
        entry: dict[str, Any] = {"token": token, "logprob": lp, "bytes": list(token.encode())}
        alts = [{"token": token, "logprob": lp, "bytes": list(token.encode())}]
        for j, alt in enumerate(a for a in _ALTERNATIVES if a != token):
            if len(alts) >= top:
                break
            alp = round(lp - 2.5 - j * 1.25, 6)
            alts.append({"token": alt, "logprob": alp, "bytes": list(alt.encode())})
        entry["top_logprobs"] = alts[:top]
        entries.append(entry)
    return entries


def _prompt_tokens(body: dict[str, Any]) -> tuple[int, int]:
    """Prompt tokens and the audio tokens among them."""
    total, audio = 3, 0
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        total += 3 + count_tokens(_text(m.get("content"))) + count_tokens(str(m.get("name", "")))
        for p in _parts(m.get("content")):
            if p.get("type") in ("image_url", "image", "input_image"):
                total += 85
            elif p.get("type") in ("input_audio", "audio"):
                total += 60
                audio += 60
            elif p.get("type") in ("file", "input_file"):
                total += 250
        for tc in m.get("tool_calls") or []:
            fn = tc.get("function") or {} if isinstance(tc, dict) else {}
            total += (
                3
                + count_tokens(str(fn.get("name", "")))
                + count_tokens(str(fn.get("arguments", "")))
            )
    if body.get("tools"):
        total += count_tokens(json.dumps(body["tools"]))
    if isinstance(body.get("response_format"), dict):
        total += count_tokens(json.dumps(body["response_format"]))
    return total, audio


def _model_name(body: dict[str, Any]) -> str:
    return str(body.get("model", "")).rsplit("/", 1)[-1]


def _error(status: int, message: str, path: str, seed: str) -> Scripted:
    body = {
        "message": message,
        "path": path,
        "requestId": _uuid(seed),
        "statusCode": status,
        "timestamp": _TIMESTAMP,
    }
    return Scripted(
        status=status,
        body=json.dumps(body).encode(),
        headers={"x-inference-id": _uuid(_digest("inference", seed))},
        origin=ORIGIN,
    )


def fake_chat_completion(
    request: ReceivedRequest, *, interleave_tool_calls: bool = True
) -> Scripted:
    """Answer one ``POST /v1/chat/completions`` like a competent model, in OpenAI's format.

    Args:
        request: what the replay server received.
        interleave_tool_calls: in a stream with several tool calls, interleave their argument
            fragments (call 0, call 1, call 0, ...). OpenAI sends them one call after another;
            some clients (``llama-index-llms-openai``'s ``update_tool_calls``) only handle that
            order, so pass ``False`` for them (``functools.partial``).

    Example:
        >>> req = ReceivedRequest("POST", "/v1/chat/completions", {}, {
        ...     "model": "gpt-4o-mini", "tool_choice": "required",
        ...     "messages": [{"role": "user", "content": "What is magic_function(3)?"}],
        ...     "tools": [{"type": "function", "function": {"name": "magic_function",
        ...         "parameters": {"type": "object", "properties": {"input": {"type": "integer"}},
        ...                        "required": ["input"]}}}]})
        >>> message = json.loads(fake_chat_completion(req).body)["choices"][0]["message"]
        >>> message["tool_calls"][0]["function"]
        {'name': 'magic_function', 'arguments': '{"input":3}'}
    """
    body = request.body
    seed = _digest(request.method, request.path, body)
    if not isinstance(body, dict):
        return _error(400, "Request body must be a JSON object", request.path, seed)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _error(400, "messages must be a non-empty array", request.path, seed)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return _error(400, "model must be a string", request.path, seed)

    model = _model_name(body)
    system_text = "\n".join(
        _text(m.get("content"))
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("system", "developer")
    )
    react = all(marker in system_text for marker in _REACT_MARKERS) and not body.get("tools")
    decision = _decide(body, react)

    reasoning_model = bool(_REASONING_RE.search(model))
    effort = body.get("reasoning_effort")
    if effort is None and isinstance(body.get("reasoning"), dict):
        effort = body["reasoning"].get("effort")
    show_reasoning = reasoning_model and effort != "none"
    reasoning_tokens = 0
    if show_reasoning or (effort is not None and effort != "none"):
        reasoning_tokens = count_tokens(decision.thought) * _EFFORT_SCALE.get(str(effort), 2)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    n = body.get("n") if isinstance(body.get("n"), int) and body["n"] > 0 else 1

    content: str | None = None
    finish = "tool_calls" if decision.calls else "stop"
    if not decision.calls:
        content, finish = _cut(decision.text or "", body.get("stop"), limit)
    tool_calls = [
        {
            "id": "call_" + _base62(_digest(seed, "call", i), 24),
            "type": "function",
            "function": {"name": name, "arguments": _dumps(args)},
        }
        for i, (name, args) in enumerate(decision.calls)
    ]
    per_choice = count_tokens(content or "") + sum(
        3 + count_tokens(tc["function"]["arguments"]) for tc in tool_calls
    )
    prompt_tokens, audio_tokens = _prompt_tokens(body)
    cached = 0 if prompt_tokens <= 1024 else 1024 + (prompt_tokens - 1024) // 128 * 128
    completion_tokens = n * (per_choice + reasoning_tokens)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": audio_tokens},
        "completion_tokens_details": {
            "reasoning_tokens": n * reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    credits = math.ceil((prompt_tokens - cached) * 0.3 + cached * 0.15 + completion_tokens * 1.2)
    meta = {"usage": {"credits_used": credits, "usd_spent": round(credits * _USD_PER_CREDIT, 8)}}
    want_logprobs = body.get("logprobs") is True
    top = body.get("top_logprobs") if isinstance(body.get("top_logprobs"), int) else 0
    reasoning = decision.thought if show_reasoning else None

    common = {
        "id": "chatcmpl-" + _base62(seed, 29),
        "created": CREATED,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_" + _digest("fingerprint", model)[:10],
    }
    headers = {"x-inference-id": _uuid(_digest("inference", seed))}
    shape = _Shape(content, tool_calls, reasoning, finish, want_logprobs, top, n, seed)

    if body.get("stream") is True:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = _stream_events(common, shape, usage if include_usage else None, meta,
                                interleave=interleave_tool_calls)  # fmt: skip
        chunks = [b"data: " + _dumps(e).encode() + b"\n\n" for e in events]
        chunks.append(b"data: [DONE]\n\n")
        return Scripted(
            body=chunks, headers=headers, content_type="text/event-stream", origin=ORIGIN
        )

    choices = []
    for i in range(n):
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reasoning is not None:
            message["reasoning_content"] = reasoning
        if tool_calls:
            message["tool_calls"] = [
                {**tc, "id": tc["id"] if i == 0 else f"{tc['id'][:-2]}{i:02d}"} for tc in tool_calls
            ]
        message["refusal"] = None
        message["annotations"] = []
        choices.append(
            {
                "index": i,
                "message": message,
                "logprobs": shape.logprobs(content) if want_logprobs else None,
                "finish_reason": finish,
            }
        )
    reply = {
        "id": common["id"],
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": choices,
        "usage": usage,
        "service_tier": "default",
        "system_fingerprint": common["system_fingerprint"],
        "meta": meta,
    }
    headers["x-aimlapi-credits-used"] = str(credits)
    headers["x-aimlapi-usd-spent"] = f"{meta['usage']['usd_spent']:.8f}".rstrip("0").rstrip(".")
    return Scripted(
        body=json.dumps(reply, ensure_ascii=False, indent=2).encode(),
        headers=headers,
        origin=ORIGIN,
    )


@dataclass
class _Shape:
    content: str | None
    tool_calls: list[dict[str, Any]]
    reasoning: str | None
    finish: str
    want_logprobs: bool
    top: int
    n: int
    seed: str

    def logprobs(self, text: str | None) -> dict[str, Any]:
        entries = _logprob_entries(text, self.seed, self.top) if text else None
        return {"content": entries, "refusal": None}


def _stream_events(
    common: dict[str, Any],
    shape: _Shape,
    usage: dict[str, Any] | None,
    meta: dict[str, Any],
    *,
    interleave: bool,
) -> list[dict[str, Any]]:
    def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": common["id"],
            "object": "chat.completion.chunk",
            "created": common["created"],
            "model": common["model"],
            "service_tier": common["service_tier"],
            "system_fingerprint": common["system_fingerprint"],
            "choices": choices,
        }
        if usage is not None:
            event["usage"] = None
        return event

    def delta(i: int, d: dict[str, Any], lp: Any = None, finish: str | None = None) -> Any:
        return chunk([{"index": i, "delta": d, "logprobs": lp, "finish_reason": finish}])

    events: list[dict[str, Any]] = []
    for i in range(shape.n):
        seed = _digest(shape.seed, "stream", i)
        calls = [
            {**tc, "id": tc["id"] if i == 0 else f"{tc['id'][:-2]}{i:02d}"}
            for tc in shape.tool_calls
        ]
        headers = [
            {
                "index": j,
                "id": tc["id"],
                "type": "function",
                "function": {"name": tc["function"]["name"], "arguments": ""},
            }
            for j, tc in enumerate(calls)
        ]
        first: dict[str, Any] = {"role": "assistant"}
        first["content"] = None if calls else ""
        if calls and not shape.reasoning:
            first["tool_calls"] = [headers[0]]
        first["refusal"] = None
        events.append(delta(i, first))
        if shape.reasoning:
            for piece in _pieces(shape.reasoning, seed):
                events.append(delta(i, {"reasoning_content": piece}))
        if calls:
            fragments = [
                _pieces(tc["function"]["arguments"], _digest(seed, j), 2, 8)
                for j, tc in enumerate(calls)
            ]
            pending = [(j, None) for j in range(len(calls)) if j or shape.reasoning]
            order: list[tuple[int, str | None]] = []
            if interleave:
                order = pending + [
                    (j, frags[r])
                    for r in range(max(map(len, fragments)))
                    for j, frags in enumerate(fragments)
                    if r < len(frags)
                ]
            else:
                for j, frags in enumerate(fragments):
                    order += [(j, None)] if (j, None) in pending else []
                    order += [(j, f) for f in frags]
            for j, frag in order:
                tc_delta = headers[j] if frag is None else {
                    "index": j, "function": {"arguments": frag}
                }  # fmt: skip
                events.append(delta(i, {"tool_calls": [tc_delta]}))
        elif shape.content:
            if shape.want_logprobs:
                for entry in _logprob_entries(shape.content, shape.seed, shape.top):
                    lp = {"content": [entry], "refusal": None}
                    events.append(delta(i, {"content": entry["token"]}, lp))
            else:
                for piece in _pieces(shape.content, seed):
                    events.append(delta(i, {"content": piece}))
        events.append(delta(i, {}, None, shape.finish))
    if usage is not None:
        events.append({**chunk([]), "usage": usage})
    events[-1]["meta"] = meta
    return events


# --------------------------------------------------------------------------- embeddings


_EMBEDDINGS_PATH = "/v1/embeddings"
FAKE_EMBEDDING_DIMENSIONS = 256
"""Length of a fake embedding when the request has no ``dimensions``."""
_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by did do does for from has have how in is it its of on or that "
        "the this to was were what when where which who why with",
    )
)
_FIXED_SIZE_EMBEDDERS = frozenset({"text-embedding-ada-002"})
_EMBEDDING_QUANTUM = 65536  # 2**16: k / 2**16 with |k| <= 2**16 is exact in float32


def fake_vector(text: str, dimensions: int = FAKE_EMBEDDING_DIMENSIONS) -> list[float]:
    """The fake embedding of ``text``: its hashed set of words, unit length (see the module docs).

    Example:
        >>> v = fake_vector("Berlin is the capital of Germany", 8)
        >>> len(v), round(sum(x * x for x in v), 3)
        (8, 1.0)
        >>> fake_vector("the capital of Germany", 8) == fake_vector("Germany capital", 8)
        True
    """
    words = sorted({w for w in re.findall(r"\w+", text.lower()) if w not in _STOP_WORDS})
    words = words or [text]
    counts = [0.0] * dimensions
    for word in words:
        h = hashlib.sha256(word.encode()).digest()
        counts[int.from_bytes(h[:4], "little") % dimensions] += 1.0 if h[4] & 1 else -1.0
    norm = math.sqrt(sum(c * c for c in counts))
    if norm == 0.0:  # every word cancelled out: fall back to one bucket of the whole text
        counts[int(_digest("empty", text), 16) % dimensions] = norm = 1.0
    return [round(c / norm * _EMBEDDING_QUANTUM) / _EMBEDDING_QUANTUM for c in counts]


def _embedding_error(message: str, request: ReceivedRequest, seed: str) -> Scripted:
    return _error(400, message, request.path, seed)


def fake_embeddings(request: ReceivedRequest) -> Scripted:
    """Answer one ``POST /v1/embeddings`` in OpenAI's format (see the module docs).

    Example:
        >>> reply = fake_embeddings(ReceivedRequest("POST", "/v1/embeddings", {}, {
        ...     "model": "text-embedding-3-small", "input": ["hello", "world"], "dimensions": 4}))
        >>> body = json.loads(reply.body)
        >>> [len(d["embedding"]) for d in body["data"]], body["usage"]
        ([4, 4], {'prompt_tokens': 2, 'total_tokens': 2})
    """
    body = request.body
    seed = _digest(request.method, request.path, body)
    if not isinstance(body, dict):
        return _embedding_error("Request body must be a JSON object", request, seed)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return _embedding_error("model must be a string", request, seed)
    model = _model_name(body)
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        return _embedding_error(
            "input must be a string or a non-empty array of strings", request, seed
        )
    if len(texts) > 2048:
        return _embedding_error("input must have at most 2048 items", request, seed)
    if any(t == "" for t in texts):
        return _embedding_error(
            "'$.input' is invalid. Please check the API reference: "
            "https://platform.openai.com/docs/api-reference.",
            request,
            seed,
        )
    dims = body.get("dimensions")
    if dims is not None:
        if model in _FIXED_SIZE_EMBEDDERS:
            return _embedding_error(
                "This model does not support specifying dimensions.", request, seed
            )
        if isinstance(dims, bool) or not isinstance(dims, int) or dims < 1:
            return _embedding_error("dimensions must be a positive integer", request, seed)
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        return _embedding_error(
            f"encoding_format must be 'float' or 'base64', got {fmt!r}", request, seed
        )

    data = []
    for i, text in enumerate(texts):
        vector = fake_vector(text, dims or FAKE_EMBEDDING_DIMENSIONS)
        encoded: Any = vector
        if fmt == "base64":
            encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": i, "embedding": encoded})
    tokens = sum(count_tokens(t) for t in texts)
    credits = max(1, math.ceil(tokens * 0.04))  # $0.02 per 1M tokens, as text-embedding-3-small
    usd = round(credits * _USD_PER_CREDIT, 8)
    reply = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "meta": {"usage": {"credits_used": credits, "usd_spent": usd}},
    }
    headers = {
        "x-inference-id": _uuid(_digest("inference", seed)),
        "x-aimlapi-credits-used": str(credits),
        "x-aimlapi-usd-spent": f"{usd:.8f}".rstrip("0").rstrip("."),
    }
    return Scripted(body=json.dumps(reply).encode(), headers=headers, origin=ORIGIN)


def fake_models_listing() -> dict[str, Any]:
    """``GET /v1/models`` as AI/ML API answers it, built from the packaged model table: one
    chat-completions item per text id, with its documented context window and output limit.

    Example:
        >>> item = next(i for i in fake_models_listing()["data"] if i["id"] == "openai/gpt-4o")
        >>> item["type"], item["info"]["outputMax"]
        ('openai/chat-completions', 16384)
    """
    from aimlapi_core.models import CHAT_COMPLETIONS, capabilities_for, known_model_ids

    data = []
    for model_id in sorted(known_model_ids()):
        caps = capabilities_for(model_id)
        info: dict[str, Any] = {"name": model_id, "developer": model_id.split("/")[0]}
        if caps.context_window is not None:
            info["contextLength"] = caps.context_window
        if caps.max_output_tokens is not None:
            info["outputMax"] = caps.max_output_tokens
        kind = "chat-completions" if CHAT_COMPLETIONS in caps.endpoints else "responses"
        item = {"id": model_id, "type": f"openai/{kind}", "aliases": [], "tags": []}
        data.append({**item, "info": info})
    return {"object": "list", "data": data}


def fake_responder(request: ReceivedRequest) -> Scripted:
    """Route a request: ``POST /v1/chat/completions`` → the fake model, ``GET /v1/models`` →
    :func:`fake_models_listing`, ``POST /v1/embeddings`` → :func:`fake_embeddings`,
    ``POST /v1/responses`` →
    :func:`tests.support.fake_responses.fake_response`; the media paths (images, video,
    speech, transcription, files) → :class:`tests.support.fake_media.FakeMedia`; anything else
    → 404.

    The 404 has AI/ML API's error shape: ``{"message", "path", "requestId", "statusCode",
    "timestamp"}``.

    Example:
        >>> reply = fake_responder(ReceivedRequest("GET", "/v1/nope", {}, None))
        >>> reply.status, sorted(json.loads(reply.body))
        (404, ['message', 'path', 'requestId', 'statusCode', 'timestamp'])
    """
    path = request.path.split("?", 1)[0].rstrip("/")
    if request.method == "POST" and path == _CHAT_PATH:
        return fake_chat_completion(request)
    if request.method == "POST" and path == _EMBEDDINGS_PATH:
        return fake_embeddings(request)
    if request.method == "GET" and path == "/v1/models":
        return Scripted(body=json.dumps(fake_models_listing()).encode(), origin=ORIGIN)
    if request.method == "POST" and path == "/v1/responses":
        from tests.support.fake_responses import fake_response  # it builds on this module

        return fake_response(request)
    from tests.support.fake_media import is_media_path  # images, video, speech: their own fake

    if is_media_path(path):
        return _MEDIA(request)
    seed = _digest(request.method, request.path, request.body)
    return _error(404, f"Cannot {request.method} {path}", request.path, seed)


def _media_fake() -> Any:
    from tests.support.fake_media import FakeMedia

    return FakeMedia()


_MEDIA = _media_fake()  # one shared fake for fake_responder; tests wanting fresh state make one
