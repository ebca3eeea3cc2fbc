"""The client against the stand-in WeCom, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from api.wecom.client import WeComClient
from api.wecom.errors import WeComApiError, WeComConfigError, WeComNetworkError
from api.wecom.limits import TRUNCATION_NOTE, RetryPolicy, WebhookLimiter, utf8_len
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.settings import Settings
from tests.wecom.conftest import FakeClock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RETRY = RetryPolicy(retries=3, base_delay_s=0.01, max_delay_s=0.05)

MakeClient = Callable[..., WeComClient]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stub(clock: FakeClock) -> Iterator[WeComStub]:
    with running_stub(StubConfig(users=frozenset({"zhangsan", "lisi"})), clock=clock) as running:
        yield running


@pytest.fixture
def make_client(stub: WeComStub, clock: FakeClock) -> Iterator[MakeClient]:
    clients: list[WeComClient] = []

    def make(**options: object) -> WeComClient:
        config = stub.config
        settings = {"retry": RETRY, "clock": clock, **options}
        secret = str(settings.pop("secret", config.secret))
        client = WeComClient(
            config.corp_id, secret, config.agent_id, base_url=stub.base_url, **settings
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> WeComClient:
    return make_client()


def _errcodes(stub: WeComStub, api: str) -> list[int | None]:
    return [r.errcode for r in stub.state.calls(api)]


def test_one_token_for_many_sends(stub: WeComStub, client: WeComClient) -> None:
    for n in range(5):
        client.send_text("zhangsan", f"第{n}条")
    assert len(stub.state.calls("gettoken")) == 1
    tokens = {r.query["access_token"] for r in stub.state.calls("message/send")}
    assert len(tokens) == 1
    assert [m["text"]["content"] for m in stub.state.messages] == [f"第{n}条" for n in range(5)]
    assert stub.state.messages[0] == {
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": stub.config.agent_id,
        "text": {"content": "第0条"},
    }


def test_token_refetched_shortly_before_expiry(
    stub: WeComStub, client: WeComClient, clock: FakeClock
) -> None:
    client.send_text("zhangsan", "a")
    clock.advance(7200 - 300 - 1)
    client.send_text("zhangsan", "b")
    assert len(stub.state.calls("gettoken")) == 1
    clock.advance(2)
    client.send_text("zhangsan", "c")
    assert len(stub.state.calls("gettoken")) == 2
    assert _errcodes(stub, "message/send") == [0, 0, 0]


def test_token_expired_mid_send_is_refreshed_once_and_delivered(
    stub: WeComStub, client: WeComClient
) -> None:
    client.send_text("zhangsan", "first")
    stub.state.expire_tokens()
    result = client.send_markdown("zhangsan", "**second**")
    assert result.errcode == 0 and result.msgid
    assert _errcodes(stub, "message/send") == [0, 42001, 0]
    assert len(stub.state.calls("gettoken")) == 2
    assert [m["msgtype"] for m in stub.state.messages] == ["text", "markdown"]


def test_token_refresh_happens_only_once() -> None:
    with running_stub(StubConfig(token_ttl_s=0)) as stub:
        with WeComClient(
            stub.config.corp_id,
            stub.config.secret,
            stub.config.agent_id,
            base_url=stub.base_url,
            retry=RETRY,
        ) as client:
            with pytest.raises(WeComApiError) as info:
                client.send_text("zhangsan", "never")
    assert info.value.errcode == 42001
    assert _errcodes(stub, "message/send") == [42001, 42001]
    assert len(stub.state.calls("gettoken")) == 2
    assert stub.state.messages == []


def test_rate_limit_is_backed_off_and_delivered(
    stub: WeComStub, client: WeComClient, clock: FakeClock
) -> None:
    client.access_token()
    stub.state.rate_limit_next(2)
    assert client.send_text("lisi", "稍后送达").errcode == 0
    assert _errcodes(stub, "message/send") == [45009, 45009, 0]
    assert clock.sleeps == [0.01, 0.02]
    assert len(stub.state.messages) == 1


def test_rate_limit_beyond_the_bound_raises(
    stub: WeComStub, client: WeComClient, clock: FakeClock
) -> None:
    client.access_token()
    stub.state.rate_limit_next(10)
    with pytest.raises(WeComApiError) as info:
        client.send_text("lisi", "x")
    assert info.value.errcode == 45009
    assert len(stub.state.calls("message/send")) == 1 + RETRY.retries
    assert clock.sleeps == [0.01, 0.02, 0.04]


def test_http_500_is_retried_then_delivered(stub: WeComStub, client: WeComClient) -> None:
    client.access_token()
    stub.state.fail_next(2)
    assert client.send_text("zhangsan", "ok").errcode == 0
    assert [r.status for r in stub.state.calls("message/send")] == [500, 500, 200]


def test_http_500_within_bound_then_api_error(stub: WeComStub, client: WeComClient) -> None:
    client.access_token()
    stub.state.fail_next(100)
    with pytest.raises(WeComApiError) as info:
        client.send_text("zhangsan", "lost?")
    assert (info.value.http_status, info.value.errcode) == (500, -1)
    assert len(stub.state.calls("message/send")) == 1 + RETRY.retries
    assert stub.state.messages == []


def test_gettoken_is_retried_too(stub: WeComStub, client: WeComClient) -> None:
    stub.state.fail_next(1)
    assert client.send_text("zhangsan", "x").errcode == 0
    assert [r.status for r in stub.state.calls("gettoken")] == [500, 200]


def test_stand_in_down_raises_network_error_then_recovers(
    stub: WeComStub, client: WeComClient, clock: FakeClock
) -> None:
    client.send_text("zhangsan", "before")
    stub.stop()
    with pytest.raises(WeComNetworkError) as info:
        client.send_text("zhangsan", "while down")
    assert "message/send" in str(info.value)
    assert clock.sleeps == [0.01, 0.02, 0.04]
    stub.start()
    client.send_text("zhangsan", "after")
    assert [m["text"]["content"] for m in stub.state.messages] == ["before", "after"]


def test_wrong_secret_is_an_api_error_without_the_secret(make_client: MakeClient) -> None:
    client = make_client(secret="wrong-secret-value")
    with pytest.raises(WeComApiError) as info:
        client.send_text("zhangsan", "x")
    assert info.value.errcode == 40001
    assert "wrong-secret-value" not in str(info.value)
    assert "wrong-secret-value" not in repr(client)


def test_upload_image_then_send_it(stub: WeComStub, client: WeComClient) -> None:
    media_id = client.upload_image(PNG)
    assert stub.state.media(media_id) == PNG
    (upload,) = stub.state.calls("media/upload")
    assert upload.query["type"] == "image" and upload.media == ("chart.png", "image/png", len(PNG))
    assert client.send_image(["zhangsan", "lisi"], media_id).errcode == 0
    assert stub.state.messages[-1] == {
        "touser": "zhangsan|lisi",
        "msgtype": "image",
        "agentid": stub.config.agent_id,
        "image": {"media_id": media_id},
    }


@pytest.mark.parametrize(
    ("call", "errcode"),
    [
        (lambda c: c.send_image("zhangsan", "no-such-media"), 40007),
        (lambda c: c.upload_image(b"GIF89a not a png"), 40004),
        (lambda c: c.send_text("nobody", "x"), 81013),
        (lambda c: c.send_text("zhangsan", ""), 44004),
    ],
)
def test_wecom_errcodes_surface_as_api_errors(
    stub: WeComStub, client: WeComClient, call: Callable[[WeComClient], object], errcode: int
) -> None:
    with pytest.raises(WeComApiError) as info:
        call(client)
    assert info.value.errcode == errcode
    assert f"errcode {errcode}" in str(info.value)


def test_partly_invalid_recipients_are_reported(client: WeComClient) -> None:
    result = client.send_text(["zhangsan", "ghost"], "hi")
    assert result.invalid_users == ["ghost"]


def test_long_markdown_is_truncated_to_the_limit_and_delivered(
    stub: WeComStub, client: WeComClient
) -> None:
    rows = "\n".join(f"| {n} | 销售员{n} | {n * 1000} |" for n in range(200))
    client.send_markdown("zhangsan", rows)
    sent = stub.state.messages[-1]["markdown"]["content"]
    assert utf8_len(sent) <= 2048
    assert sent.endswith(TRUNCATION_NOTE)
    assert rows.startswith(sent.removesuffix("\n" + TRUNCATION_NOTE) + "\n")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.send_text("", "x"),
        lambda c: c.send_text([], "x"),
        lambda c: c.upload_image(b"abc"),
        lambda c: c.webhook_send("", {"msgtype": "text", "text": {"content": "x"}}),
    ],
)
def test_bad_arguments_are_rejected_before_any_request(
    stub: WeComStub, client: WeComClient, call: Callable[[WeComClient], object]
) -> None:
    with pytest.raises(WeComConfigError):
        call(client)
    assert stub.state.calls() == []


def test_webhook_limiter_waits_and_every_message_is_delivered(
    stub: WeComStub, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(webhook_limiter=WebhookLimiter(clock=clock))
    for n in range(25):
        clock.advance(0.1)
        client.webhook_send("robot-key", {"msgtype": "text", "text": {"content": f"#{n}"}})
    assert _errcodes(stub, "webhook/send") == [0] * 25
    # The 21st send waits until the 1st (at +0.1 s) is 61 s old (60 s and 1 s of slack);
    # by then the next ones have left the window too.
    assert clock.sleeps[0] == pytest.approx(0.1 + 61 - 2.1)
    assert sum(clock.sleeps) == pytest.approx(59.0)
    assert [body["text"]["content"] for _, body in stub.state.webhook_messages][-1] == "#24"
    assert "robot-key" not in str(stub.state.calls("webhook/send")[0].json)


def test_without_the_limiter_the_stand_in_rate_limits_the_robot(
    stub: WeComStub, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(webhook_limiter=WebhookLimiter(per_window=1000, clock=clock))
    for n in range(20):
        client.webhook_send("k", {"msgtype": "markdown", "markdown": {"content": f"{n}"}})
    with pytest.raises(WeComApiError) as info:
        client.webhook_send("k", {"msgtype": "markdown", "markdown": {"content": "21st"}})
    assert info.value.errcode == 45009
    assert "k" not in info.value.errmsg.split()


def test_client_from_settings_uses_the_api_base(stub: WeComStub) -> None:
    settings = Settings(
        wecom_corp_id=stub.config.corp_id,
        wecom_secret=stub.config.secret,
        wecom_agent_id=stub.config.agent_id,
        wecom_api_base=stub.base_url,
    )
    with WeComClient.from_settings(settings, retry=RETRY) as client:
        assert client.send_text("zhangsan", "hi").errcode == 0


def test_client_from_incomplete_settings_is_a_config_error() -> None:
    with pytest.raises(WeComConfigError, match="HRQ_WECOM_CORP_ID"):
        WeComClient.from_settings(Settings())
