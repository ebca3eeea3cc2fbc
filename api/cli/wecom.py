"""``hrq wecom ...``: the WeCom channel's commands."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from api.cli.app import app, settings, user_errors
from api.wecom.stub import StubConfig, running_stub

wecom_app = typer.Typer(help="WeCom (企业微信) channel: the local stand-in WeCom.")
app.add_typer(wecom_app, name="wecom")


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
