"""A local OpenAI-compatible chat-completions server that replays scripted responses.

The only stand-in of the agent tests: hrq's real ``ChatOpenAI`` and ``openai``
client talk HTTP to it, so request building, tool-call parsing, streaming
(server-sent events with ``tool_calls`` deltas and a usage chunk), retries and
error handling all run for real.

A script is a list of :class:`Step`: a reply with text and/or tool calls, an
HTTP error status, a delay (for timeouts), or a raw body (malformed JSON).
Every request body is recorded in ``requests``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


@dataclass
class Step:
    """One scripted response of the server."""

    content: str | None = None
    #: ``(name, arguments)``; arguments a dict (sent as JSON) or a raw string (sent as is).
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    status: int = 200
    delay_s: float = 0.0
    raw: str | None = None


def reply(content: str) -> Step:
    return Step(content=content)


def tool(name: str, **arguments: Any) -> Step:
    return Step(tool_calls=[(name, arguments)])


@dataclass
class FakeOpenAI:
    """The scripted server's state: what to answer next, and what it was asked."""

    steps: deque[Step] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *steps: Step) -> None:
        self.steps = deque(steps)
        self.requests.clear()

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            step = (
                self.steps.popleft()
                if self.steps
                else Step(status=500, raw='{"error": "script exhausted"}')
            )
            if step.delay_s:
                await asyncio.sleep(step.delay_s)  # a hung model
            if step.raw is not None:
                return Response(step.raw, status_code=step.status, media_type="application/json")
            if step.status != 200:
                return JSONResponse({"error": {"message": "scripted failure", "type": "server_error"}},
                                    status_code=step.status)  # fmt: skip
            usage = {
                "prompt_tokens": len(json.dumps(body["messages"])) // 4,
                "completion_tokens": 20,
            }
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return StreamingResponse(_sse(step, body["model"], usage if include_usage else None),
                                         media_type="text/event-stream")  # fmt: skip
            return JSONResponse(_completion(step, body["model"], usage))

        return api


def _calls(step: Step) -> list[dict[str, Any]]:
    return [{"id": f"call_{i}", "type": "function",
             "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}
            for i, (name, args) in enumerate(step.tool_calls)]  # fmt: skip


def _completion(step: Step, model: str, usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": step.content}
    if step.tool_calls:
        message["tool_calls"] = _calls(step)
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": "tool_calls" if step.tool_calls else "stop"}],
        "usage": usage,
    }  # fmt: skip


def _sse(step: Step, model: str, usage: dict[str, int] | None) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}  # fmt: skip
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for word in (step.content or "").split(" "):
        if word:
            yield chunk({"content": word + " "})
    for i, call in enumerate(_calls(step)):
        arguments = call["function"]["arguments"]
        half = len(arguments) // 2
        yield chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                     "function": {"name": call["function"]["name"], "arguments": arguments[:half]}}]})  # fmt: skip
        yield chunk({"tool_calls": [{"index": i, "function": {"arguments": arguments[half:]}}]})
    yield chunk({}, "tool_calls" if step.tool_calls else "stop")
    if usage is not None:
        body = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [], "usage": usage}  # fmt: skip
        yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"


def serve(fake: FakeOpenAI) -> tuple[uvicorn.Server, threading.Thread]:
    """Start ``fake`` on 127.0.0.1 (a free port) in a thread; stop with ``server.should_exit = True``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    fake.port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    return server, thread
