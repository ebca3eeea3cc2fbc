"""WeCom callback benchmark: acknowledgement latency and end-to-end reply time.

Builds the small demo warehouse in a temporary folder, starts the stand-in WeCom and
hrq (uvicorn, in-process thread, its own app database) on 127.0.0.1, then:

1. acknowledgement: the time from sending a signed, encrypted callback to hrq's
   HTTP 200 (verify, decrypt, parse, MsgId insert, queue), ``--acks`` callbacks;
   timed over one kept-alive connection, the body encrypted and signed beforehand, while
   the worker answers the earlier callbacks (unknown sender: a polite refusal each);
2. end to end: the time from sending a callback with a planner-path question to
   its reply reaching the stand-in's ``message/send``, one question at a time (the
   stand-in's own sender, a new connection per callback);
3. the intelligent robot (callback-URL mode): the time from a user's message to the
   first stream frame (the encrypted "正在查询…" reply, target under 300 ms) and to the
   final frame (WeCom's refreshes every 20 ms here), ``--robot`` questions, each also as
   a ratio to the same run's app acknowledgement p50 (the floor: verify, decrypt, record).

    .venv/bin/python bench/wecom.py [--acks 500] [--questions 60] [--robot 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from api.http.main import create_app  # noqa: E402
from api.wecom.messages import callback_xml, text_message_xml  # noqa: E402
from api.wecom.robot_stub import RobotConfig, RobotStub  # noqa: E402
from api.wecom.server import ServerThread  # noqa: E402
from api.wecom.stub import StubConfig, WeComStub, running_stub  # noqa: E402
from schema.demodata import generate  # noqa: E402
from schema.settings import Settings  # noqa: E402

QUESTIONS = [
    "本月各部门业绩中位数是多少",
    "上个月的业绩",
    "上个月华东销售一部排行榜",
    "上个月哪些人获得了业绩奖金",
    "本月的业绩",
    "华东",
]
MANAGER = "duxuankai"  # the demo company's CEO (admin scope): every question answers
SILENT_SENDER = "bench-nobody"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _line(name: str, values: list[float]) -> str:
    return (
        f"{name}: n={len(values)} p50={_pct(values, 0.5):.1f} ms p90={_pct(values, 0.9):.1f} ms "
        f"p99={_pct(values, 0.99):.1f} ms max={max(values):.1f} ms "
        f"mean={statistics.fmean(values):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acks", type=int, default=500)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--robot", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hrq-bench-wecom-") as folder:
        base = Path(folder)
        warehouse = f"duckdb:///{base / 'demo.duckdb'}"
        generate(warehouse, seed=7, end_date=date(2026, 11, 26), scale="small")
        config = StubConfig(users=None)
        robot = RobotStub(RobotConfig())
        with running_stub(config) as stub:
            settings = Settings(
                warehouse_url=warehouse, app_db_url=f"sqlite:///{base / 'app.db'}",
                data_dir=base, wecom_corp_id=config.corp_id, wecom_agent_id=config.agent_id,
                wecom_secret=SecretStr(config.secret), wecom_token=SecretStr(config.callback_token),
                wecom_aes_key=SecretStr(config.aes_key), wecom_api_base=stub.base_url,
                wecom_robot_token=SecretStr(robot.config.token),
                wecom_robot_aes_key=SecretStr(robot.config.aes_key),
            )  # fmt: skip
            server = ServerThread(create_app(settings))
            server.start()
            url = f"{server.base_url}/wecom/callback"
            try:
                # warm up: build the assistant and the worker
                stub.send_text(url, MANAGER, QUESTIONS[0])
                _wait_for(stub.state.messages, 1)
                acks: list[float] = []
                with httpx.Client(timeout=10) as sender:  # a kept-alive connection, as WeCom's
                    for i in range(args.acks):
                        query, body = _signed_callback(stub, SILENT_SENDER, "本月业绩", 10**9 + i)
                        started = time.perf_counter()
                        response = sender.post(url, params=query, content=body)
                        acks.append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200, response.text
                _wait_for(stub.state.messages, 1 + args.acks, timeout_s=120)
                end_to_end: list[float] = []
                for i in range(args.questions):
                    before = len(stub.state.messages)
                    question = QUESTIONS[i % len(QUESTIONS)]
                    started = time.perf_counter()
                    stub.send_text(url, MANAGER, question)
                    _wait_for(stub.state.messages, before + 1)
                    end_to_end.append((time.perf_counter() - started) * 1000)
                    if "排行榜" in question:  # its chart follows; keep the next timing clean
                        _wait_for(stub.state.messages, before + 2)
                first_frame: list[float] = []
                final_frame: list[float] = []
                robot_url = f"{server.base_url}/wecom/robot"
                for i in range(args.robot):
                    message = robot.message(MANAGER, QUESTIONS[i % len(QUESTIONS)])
                    frames = robot.converse(robot_url, message, interval_s=0.02)
                    first_frame.append(frames[0].at_s * 1000)
                    final_frame.append(frames[-1].at_s * 1000)
            finally:
                server.stop()
                service = getattr(server.app.state, "wecom", None)
                if service is not None:
                    service.close()
    print(_line("callback acknowledgement (HTTP round trip, kept-alive connection)", acks))
    print(_line("end to end, callback -> reply at the stand-in (planner path)", end_to_end))
    if args.robot:
        floor = _pct(acks, 0.5)
        print(_line("robot: message -> first stream frame", first_frame)
              + f" (p50 {_pct(first_frame, 0.5) / floor:.1f}x the app acknowledgement p50)")  # fmt: skip
        print(_line("robot: message -> final frame (answer, chart)", final_frame))


def _signed_callback(
    stub: WeComStub, userid: str, content: str, msg_id: int
) -> tuple[dict[str, str], bytes]:
    """The query and body of a text-message callback, encrypted and signed as WeCom does."""
    config = stub.config
    plaintext = text_message_xml(
        to_user=config.corp_id, from_user=userid, content=content, msg_id=msg_id,
        agent_id=config.agent_id, create_time=int(time.time()),
    )  # fmt: skip
    timestamp, nonce = str(int(time.time())), str(msg_id)
    encrypted, signature = stub.crypto.encrypt_message(plaintext, nonce, timestamp)
    body = callback_xml(to_user=config.corp_id, encrypted=encrypted, agent_id=config.agent_id)
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    return query, body.encode("utf-8")


def _wait_for(messages: list[object], count: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(messages) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {count} messages (have {len(messages)})")
        time.sleep(0.001)


if __name__ == "__main__":
    main()
