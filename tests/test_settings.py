from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bots.telegram.config import TelegramConfig
from chatdesk.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:AAE_test-token_value"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def load(data_dir: Path, **env: str) -> Settings:
    return load_settings({"CHATDESK_DATA_DIR": str(data_dir), **env}, env_file=None)


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings({}, env_file=None)
    assert s.data_dir == tmp_path / "data"
    assert s.data_dir.is_dir()
    assert s.database_url == f"sqlite://{tmp_path / 'data' / 'chatdesk.sqlite3'}"
    assert not s.is_postgres
    assert s.http_host == "127.0.0.1"
    assert s.http_port == 8080
    assert s.timezone == "UTC"
    assert str(s.tzinfo) == "UTC"
    assert s.default_language == "en"
    assert s.public_url is None
    assert len(s.secret_key) >= 32
    assert s.telegram_api_url == "https://api.telegram.org"
    assert s.telegram_mode == "polling"
    assert s.vk_api_url == "https://api.vk.com/method"
    assert s.vk_mode == "callback"
    assert s.viber_api_url == "https://chatapi.viber.com/pa"
    assert s.viber_bot_name == "ChatDesk"
    assert s.viber_bot_avatar is None
    assert (s.telegram_enabled, s.vk_enabled, s.viber_enabled) == (False, False, False)


def test_telegram_agents_dates_are_read_in_the_desks_time_zone(data_dir: Path) -> None:
    s = load(data_dir, CHATDESK_TIMEZONE="Asia/Tehran", TELEGRAM_BOT_TOKEN=TOKEN,
             TELEGRAM_AGENT_CHAT_ID="-1001234567890")
    assert TelegramConfig.from_settings(s).timezone == "Asia/Tehran"


def test_tortoise_config(data_dir: Path) -> None:
    s = load(data_dir, DATABASE_URL="postgres://u:p@db:5432/chatdesk")
    config = s.tortoise_config()
    assert config["connections"] == {"default": "postgres://u:p@db:5432/chatdesk"}
    app = config["apps"]["models"]
    assert "storage.models" in app["models"]
    assert app["migrations"] == "storage.migrations"
    assert (config["use_tz"], config["timezone"]) == (True, "UTC")


def test_values_are_parsed(data_dir: Path) -> None:
    s = load(
        data_dir,
        CHATDESK_HTTP_HOST="0.0.0.0",
        CHATDESK_HTTP_PORT=" 9000 ",
        CHATDESK_TIMEZONE="Europe/Moscow",
        CHATDESK_DEFAULT_LANGUAGE="FA",
        CHATDESK_PUBLIC_URL="https://desk.example.com/",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_AGENT_CHAT_ID="-1001234567890",
        TELEGRAM_LINE2_CHAT_ID="-1009876543210",
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_URL="https://desk.example.com/tg",
        TELEGRAM_WEBHOOK_SECRET="s3cret_-X",
        VK_GROUP_TOKEN="vk1.a.token",
        VK_GROUP_ID="12345",
        VK_MODE="longpoll",
        VIBER_AUTH_TOKEN="viber-token",
        VIBER_WEBHOOK_URL="https://desk.example.com/viber",
        VIBER_BOT_NAME="Support",
        VIBER_BOT_AVATAR="https://desk.example.com/a.png",
    )
    assert (s.http_host, s.http_port, s.timezone) == ("0.0.0.0", 9000, "Europe/Moscow")
    assert s.default_language == "fa"
    assert s.public_url == "https://desk.example.com"
    assert s.telegram_agent_chat_id == -1001234567890
    assert s.telegram_line2_chat_id == -1009876543210
    assert s.telegram_mode == "webhook"
    assert s.telegram_webhook_secret == "s3cret_-X"
    assert s.vk_group_id == 12345 and s.vk_mode == "longpoll"
    assert s.viber_bot_name == "Support"
    assert (s.telegram_enabled, s.vk_enabled, s.viber_enabled) == (True, True, True)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CHATDESK_HTTP_PORT", "abc", "must be a whole number from 1 to 65535, got 'abc'"),
        ("CHATDESK_HTTP_PORT", "0", "from 1 to 65535"),
        ("CHATDESK_HTTP_PORT", "70000", "from 1 to 65535"),
        ("CHATDESK_HTTP_HOST", "bad host", "host name or IP"),
        ("CHATDESK_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("CHATDESK_TIMEZONE", "../../etc/passwd", "IANA time zone"),
        ("CHATDESK_DEFAULT_LANGUAGE", "de", "en, ru, fa"),
        ("CHATDESK_SECRET_KEY", "too-short", "at least 32 characters"),
        ("CHATDESK_PUBLIC_URL", "desk.example.com", "http:// or https:// URL"),
        ("DATABASE_URL", "mysql://u:p@h/db", "sqlite://, postgres:// or postgresql://"),
        ("DATABASE_URL", "chatdesk.sqlite3", "sqlite://, postgres:// or postgresql://"),
        ("DATABASE_URL", "sqlite://", "file path"),
        ("DATABASE_URL", "postgres://u:p@h:notaport/db", "postgres:// URL"),
        ("DATABASE_URL", "postgres://u:p@h:5432", "database name"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "digits, a colon"),
        ("TELEGRAM_API_URL", "api.telegram.org", "http:// or https:// URL"),
        ("TELEGRAM_AGENT_CHAT_ID", "12345", "negative whole number"),
        ("TELEGRAM_AGENT_CHAT_ID", "group", "negative whole number"),
        ("TELEGRAM_LINE2_CHAT_ID", "x", "negative whole number"),
        ("TELEGRAM_MODE", "hook", "polling or webhook"),
        ("TELEGRAM_WEBHOOK_URL", "http://desk.example.com/tg", "https:// URL"),
        ("TELEGRAM_WEBHOOK_SECRET", "has space", "1 to 256 characters"),
        ("TELEGRAM_WEBHOOK_SECRET", "x" * 257, "1 to 256 characters"),
        ("VK_GROUP_ID", "-5", "positive whole number"),
        ("VK_API_URL", "vk", "http:// or https:// URL"),
        ("VK_MODE", "poll", "callback or longpoll"),
        ("VIBER_API_URL", "ftp://viber", "http:// or https:// URL"),
        ("VIBER_WEBHOOK_URL", "viber", "http:// or https:// URL"),
        ("VIBER_BOT_NAME", "n" * 29, "1 to 28 characters"),
        ("VIBER_BOT_AVATAR", "avatar.png", "http:// or https:// URL"),
        ("CHATDESK_TRUSTED_PROXIES", "10.0.0.5, proxy.local", "got 'proxy.local'"),
        ("CHATDESK_TRUSTED_PROXIES", "10.0.0.0/33", "IP addresses or networks"),
    ],
)
def test_bad_value_gives_one_line_naming_the_variable(
    data_dir: Path, variable: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as info:
        load(data_dir, **{variable: value})
    message = str(info.value)
    assert message.startswith(f"{variable}: ")
    assert expected in message
    assert "\n" not in message
    assert "validation error" not in message.lower()


def test_trusted_proxies_are_addresses_and_networks(data_dir: Path) -> None:
    assert load(data_dir).trusted_proxies == ()
    loaded = load(data_dir, CHATDESK_TRUSTED_PROXIES=" 10.0.0.5 ,172.16.0.0/12,, ::1")
    assert [str(p) for p in loaded.trusted_proxies] == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]


def test_port_message_is_exact(data_dir: Path) -> None:
    with pytest.raises(
        SettingsError,
        match=r"^CHATDESK_HTTP_PORT: must be a whole number from 1 to 65535, got 'abc'$",
    ):
        load(data_dir, CHATDESK_HTTP_PORT="abc")


def test_several_bad_values_stay_on_one_line(data_dir: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load(data_dir, CHATDESK_HTTP_PORT="abc", CHATDESK_TIMEZONE="Nowhere/Land")
    message = str(info.value)
    assert "\n" not in message
    assert "CHATDESK_HTTP_PORT:" in message and "CHATDESK_TIMEZONE:" in message


def test_secrets_are_not_echoed(data_dir: Path) -> None:
    for variable, value in [
        ("TELEGRAM_BOT_TOKEN", "supersecret token"),
        ("CHATDESK_SECRET_KEY", "supersecret"),
        ("TELEGRAM_WEBHOOK_SECRET", "supersecret!"),
        ("DATABASE_URL", "mysql://u:supersecret@h/db"),
    ]:
        with pytest.raises(SettingsError) as info:
            load(data_dir, **{variable: value})
        assert "supersecret" not in str(info.value)
    s = load(
        data_dir,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_AGENT_CHAT_ID="-100",
        DATABASE_URL="postgres://u:supersecret@h/db",
    )
    assert TOKEN not in repr(s) and "supersecret" not in repr(s)
    assert s.secret_key not in repr(s)
    assert s.database_url_redacted == "postgres://u:***@h/db"


def test_telegram_token_needs_agent_chat(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match=r"^TELEGRAM_AGENT_CHAT_ID: .*TELEGRAM_BOT_TOKEN"):
        load(data_dir, TELEGRAM_BOT_TOKEN=TOKEN)


def test_webhook_mode_needs_url_and_secret(data_dir: Path) -> None:
    base = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_AGENT_CHAT_ID": "-100",
        "TELEGRAM_MODE": "webhook",
    }
    with pytest.raises(SettingsError, match=r"^TELEGRAM_WEBHOOK_URL: "):
        load(data_dir, **base)
    with pytest.raises(SettingsError, match=r"^TELEGRAM_WEBHOOK_SECRET: "):
        load(data_dir, **base, TELEGRAM_WEBHOOK_URL="https://desk.example.com/tg")


def test_line2_chat_must_differ(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match=r"^TELEGRAM_LINE2_CHAT_ID: "):
        load(
            data_dir,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_AGENT_CHAT_ID="-100",
            TELEGRAM_LINE2_CHAT_ID="-100",
        )


def test_vk_token_needs_group_id(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match=r"^VK_GROUP_ID: "):
        load(data_dir, VK_GROUP_TOKEN="vk1.a.token")


def test_data_dir_must_be_creatable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError, match=r"^CHATDESK_DATA_DIR: "):
        load(blocker / "data")


def test_data_dir_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    s = load(target)
    assert target.is_dir() and s.data_dir == target


def test_env_file_is_read(tmp_path: Path, data_dir: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text(
        f"CHATDESK_DATA_DIR={data_dir}\n"
        "CHATDESK_HTTP_PORT=9100\n"
        "# a comment\n"
        "UNRELATED_VARIABLE=whatever\n"
        "TELEGRAM_BOT_TOKEN=\n"
        'CHATDESK_TIMEZONE="Asia/Tehran"\n'
    )
    s = load_settings({}, env_file=str(env_file))
    assert s.http_port == 9100
    assert s.timezone == "Asia/Tehran"
    assert s.data_dir == data_dir
    assert not s.telegram_enabled  # an empty value counts as unset


def test_env_overrides_env_file(tmp_path: Path, data_dir: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"CHATDESK_DATA_DIR={data_dir}\nCHATDESK_HTTP_PORT=9100\nCHATDESK_DEFAULT_LANGUAGE=ru\n"
    )
    s = load_settings(
        {"CHATDESK_HTTP_PORT": "9200", "CHATDESK_DEFAULT_LANGUAGE": ""}, env_file=str(env_file)
    )
    assert s.http_port == 9200
    assert s.default_language == "ru"  # empty in the environment: the .env value stands


def test_bad_value_in_env_file_is_reported(tmp_path: Path, data_dir: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"CHATDESK_DATA_DIR={data_dir}\nCHATDESK_HTTP_PORT=http\n")
    with pytest.raises(SettingsError, match=r"^CHATDESK_HTTP_PORT: .*got 'http'$"):
        load_settings({}, env_file=str(env_file))


def test_default_env_file_is_dotenv_in_working_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CHATDESK_HTTP_PORT=9300\n")
    assert load_settings({}).http_port == 9300
    assert load_settings({}, env_file=None).http_port == 8080


def test_missing_env_file_is_fine(tmp_path: Path, data_dir: Path) -> None:
    s = load_settings({"CHATDESK_DATA_DIR": str(data_dir)}, env_file=str(tmp_path / "nope.env"))
    assert s.http_port == 8080


def test_process_environment_is_used_by_default(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHATDESK_HTTP_PORT", "9400")
    assert load_settings(env_file=None).http_port == 9400
    # An explicit mapping replaces the process environment entirely.
    assert load_settings({"CHATDESK_DATA_DIR": str(data_dir)}, env_file=None).http_port == 8080


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/chatdesk", "postgres://u:p@db:5432/chatdesk"),
        ("postgresql://u:p@db:5432/chatdesk", "postgres://u:p@db:5432/chatdesk"),
        ("POSTGRESQL://u:p@db/chatdesk?ssl=true", "postgres://u:p@db/chatdesk?ssl=true"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgres://postgres@127.0.0.1:5432/test"),
    ],
)
def test_postgres_url_normalisation(data_dir: Path, given: str, expected: str) -> None:
    s = load(data_dir, DATABASE_URL=given)
    assert s.database_url == expected
    assert s.is_postgres
    assert s.tortoise_config()["connections"]["default"] == expected


def test_sqlite_urls(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load(data_dir, DATABASE_URL="sqlite://db/x.sqlite3")
    assert s.database_url == f"sqlite://{tmp_path / 'db' / 'x.sqlite3'}"
    assert (tmp_path / "db").is_dir()
    assert not s.is_postgres
    absolute = tmp_path / "abs.sqlite3"
    assert (
        load(data_dir, DATABASE_URL=f"sqlite://{absolute}").database_url == f"sqlite://{absolute}"
    )
    assert load(data_dir, DATABASE_URL="sqlite://:memory:").database_url == "sqlite://:memory:"


def test_database_url_is_usable_by_tortoise(data_dir: Path) -> None:
    from tortoise.backends.base.config_generator import expand_db_url

    sqlite = expand_db_url(load(data_dir).database_url)
    assert sqlite["credentials"]["file_path"] == str(data_dir / "chatdesk.sqlite3")
    pg = expand_db_url(
        load(data_dir, DATABASE_URL="postgresql://u:p@db:5433/chatdesk").database_url
    )
    assert pg["engine"] == "tortoise.backends.asyncpg"
    assert pg["credentials"]["database"] == "chatdesk"
    assert pg["credentials"]["port"] == 5433


def test_secret_key_is_persisted_across_loads(data_dir: Path) -> None:
    first = load(data_dir)
    key_file = data_dir / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key_path == key_file
    second = load(data_dir)
    assert second.secret_key == first.secret_key
    assert len(first.secret_key) >= 32


def test_given_secret_key_wins_and_is_not_written(data_dir: Path) -> None:
    key = "k" * 40
    s = load(data_dir, CHATDESK_SECRET_KEY=key)
    assert s.secret_key == key
    assert not (data_dir / "secret_key").exists()


def test_stored_secret_key_permissions_are_tightened(data_dir: Path) -> None:
    data_dir.mkdir()
    key_file = data_dir / "secret_key"
    key_file.write_text("s" * 40 + "\n")
    key_file.chmod(0o644)
    assert load(data_dir).secret_key == "s" * 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_truncated_stored_secret_key_is_an_error(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "secret_key").write_text("short")
    with pytest.raises(SettingsError, match=r"^CHATDESK_SECRET_KEY: the stored key"):
        load(data_dir)


def test_mailboxes_and_the_smtp_server_are_urls_and_the_from_address_is_required(
        data_dir: Path) -> None:
    from bots.mail.config import MailConfig

    settings = load_settings({
        "CHATDESK_DATA_DIR": str(data_dir), "CHATDESK_MAIL_FROM": "Support <s@desk.test>",
        "CHATDESK_MAIL_IMAP": "imaps://s%40desk.test:p%40ss@imap.desk.test/Support, "
                              "imap+starttls://other:pw@10.0.0.2",
        "CHATDESK_MAIL_SMTP": "smtps://s%40desk.test:p%40ss@smtp.desk.test",
        "CHATDESK_MAIL_PER_MINUTE": "10"}, env_file=None)
    config = MailConfig.from_settings(settings)
    first, second = config.mailboxes
    assert (first.host, first.port, first.security, first.user, first.password,
            first.folder) == ("imap.desk.test", 993, "tls", "s@desk.test", "p@ss", "Support")
    assert (second.port, second.security, second.folder) == (143, "starttls", "INBOX")
    assert config.smtp is not None and (config.smtp.port, config.smtp.security) == (465, "tls")
    assert config.per_minute == 10 and config.address == "s@desk.test"
    with pytest.raises(SettingsError, match="^CHATDESK_MAIL_FROM: is required"):
        load_settings({"CHATDESK_DATA_DIR": str(data_dir),
                       "CHATDESK_MAIL_IMAP": "imap://a:b@h"}, env_file=None)
    with pytest.raises(SettingsError, match="^CHATDESK_MAIL_SMTP: must start with smtp://"):
        load_settings({"CHATDESK_DATA_DIR": str(data_dir), "CHATDESK_MAIL_FROM": "s@desk.test",
                       "CHATDESK_MAIL_SMTP": "http://smtp.desk.test"}, env_file=None)
