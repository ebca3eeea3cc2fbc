"""``hrq wecom ...``: the WeCom channel's commands."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import command_group, fail, settings, user_errors

if TYPE_CHECKING:
    from api.wecom.outbox import OutboxEntry
    from api.wecom.robot_stub import Frame

wecom_app = command_group(
    "wecom", "WeCom (企业微信) channel: the local stand-in WeCom, the outbox, a simulated chat."
)


@wecom_app.command("stub")
def stub(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one.")] = 0,
    run_for: Annotated[
        float | None,
        typer.Option("--for", min=0, help="Stop after this many seconds (default: until Ctrl-C)."),
    ] = None,
) -> None:
    """Run a stand-in WeCom API (gettoken, message/send, media/upload, webhook/send).

    It plays WeCom for the app in the HRQ_WECOM_* settings (test values for those
    not set) and prints the settings that point hrq at it.
    """
    from api.wecom.stub import StubConfig, running_stub

    current = settings()
    config = StubConfig.from_settings(current)
    configured = any(
        s is not None for s in (current.wecom_secret, current.wecom_token, current.wecom_aes_key)
    )
    with user_errors(), running_stub(config, host=host, port=port) as running:
        typer.echo(f"stand-in WeCom listening on {running.base_url}")
        for name, value in config.environment(running.base_url, not configured).items():
            typer.echo(f"{name}={value}")
        try:
            threading.Event().wait(run_for)
        except KeyboardInterrupt:
            pass
        typer.echo("stand-in WeCom stopped")


def _entry_line(entry: OutboxEntry) -> str:
    when = entry.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
    error = f"  last error: {entry.last_error}" if entry.last_error else ""
    return (
        f"#{entry.outbox_id} {entry.status} attempts={entry.attempts} next={when} "
        f"{entry.channel}:{entry.recipient} {entry.msgtype} {entry.summary()}{error}"
    )


@wecom_app.command("outbox")
def outbox(
    retry: Annotated[
        bool, typer.Option("--retry", help="Retry every unsent message now (failed ones too).")
    ] = False,
) -> None:
    """List the WeCom messages not delivered yet (pending or failed); --retry sends them now."""
    from api.wecom.outbox import Outbox
    from schema.db import app_engine

    current = settings()
    with user_errors():
        box = Outbox(app_engine(current.app_db_url), current)
        try:
            if retry:
                report = box.deliver_pending(include_failed=True, due_only=False)
                typer.echo(
                    f"retried: {len(report.sent)} sent, {len(report.retrying)} still pending, "
                    f"{len(report.failed)} failed"
                )
            unsent = box.unsent()
        finally:
            box.close()
    if not unsent:
        typer.echo("outbox empty: every message was delivered")
        return
    typer.echo(f"{len(unsent)} message(s) not delivered:")
    for entry in unsent:
        typer.echo(_entry_line(entry))


@wecom_app.command("simulate")
def simulate_command(
    question: Annotated[str, typer.Argument(help="What the WeCom user writes.")],
    userid: Annotated[str, typer.Option("--userid", help="The sender's WeCom userid.")],
    hrq_url: Annotated[
        str | None,
        typer.Option(
            "--hrq-url",
            help="Send to a running hrq (its HRQ_WECOM_API_BASE must point at --stub-port); "
            "default: an in-process hrq.",
        ),
    ] = None,
    stub_port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port of the stand-in WeCom; 0 picks one.")
    ] = 0,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the reply.")] = 60.0,
    robot: Annotated[
        bool, typer.Option("--robot", help="Ask the intelligent robot; print each stream frame.")
    ] = False,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", help="With --robot: the group chat's chatid (HRQ_WECOM_ROBOT_GROUPS)."
        ),
    ] = None,
) -> None:
    """Send a question as WeCom would (signed, encrypted callback) and print the reply
    that reached the stand-in WeCom (with --robot: each stream frame as it arrives)."""
    if robot:
        _simulate_robot(question, userid, group, timeout)
        return
    if group is not None:
        fail("--group needs --robot (the self-built app has no group chats)")
    from api.wecom.simulate import simulate  # the whole web app: loaded only here

    with user_errors():
        replies = simulate(
            settings(), question, userid, hrq_url=hrq_url, stub_port=stub_port, timeout_s=timeout
        )
    for reply in replies:
        typer.echo(f"[{reply.msgtype}]")
        typer.echo(reply.content)


def _simulate_robot(question: str, userid: str, group: str | None, timeout: float) -> None:
    from api.wecom.simulate import simulate_robot  # the whole web app: loaded only here

    last: list[tuple[str, bool]] = []

    def show(frame: Frame) -> None:
        if last and last[-1] == (frame.content, frame.finish):
            return  # a refresh that changed nothing
        last.append((frame.content, frame.finish))
        images = f", {len(frame.images)} image(s)" if frame.images else ""
        state = "finish" if frame.finish else "streaming"
        typer.echo(f"[stream {frame.stream_id[:10]} +{frame.at_s * 1000:.0f} ms {state}{images}]")
        typer.echo(frame.content)

    with user_errors():
        _, private = simulate_robot(
            settings(), question, userid, group=group, on_frame=show, timeout_s=timeout
        )
    for reply in private:
        typer.echo(f"[one to one, {reply.msgtype}]")
        typer.echo(reply.content)


@wecom_app.command("robot-connect")
def robot_connect(
    run_for: Annotated[
        float | None,
        typer.Option("--for", min=0, help="Disconnect after this many seconds (default: Ctrl-C)."),
    ] = None,
) -> None:
    """Answer the intelligent robot over its long connection (智能机器人 长连接).

    Connects out to HRQ_WECOM_ROBOT_WS_URL as HRQ_WECOM_ROBOT_BOT_ID / HRQ_WECOM_ROBOT_SECRET,
    answers messages with streamed replies and reconnects with backoff after a drop.
    """
    import asyncio

    from api.http.services import Services
    from api.wecom.callback import WeComService
    from api.wecom.robot_ws import ConnectConfig, RobotConnection

    current = settings()
    with user_errors():
        config = ConnectConfig.from_settings(current)
        services = Services(current)
        services.prepare()
        service = WeComService(services)
        assert service.robot is not None
        connection = RobotConnection(service.robot, config)

        async def main() -> None:
            task = asyncio.create_task(connection.run())
            if run_for is not None:
                asyncio.get_running_loop().call_later(run_for, connection.stop)
            await task

        typer.echo(f"robot long connection to {config.url} (bot {config.bot_id})")
        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            pass
        finally:
            service.close()
            services.close()
        typer.echo(f"robot long connection closed after {connection.subscriptions} subscription(s)")
