"""The settings an operator relies on: refuse to run insecurely or with a mistyped value, pass Django's deploy check.

Each variable's checks run in this process through `read_environment()`, which reads os.environ as it is called.
A few checks start the site for real, because their point is the whole settings module at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.operator_environment import environment

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-production-like-secret-0f7b2c9e4d1a6e8b3c5d7f9a1b3c5d7e9f",
    "DJANGO_ALLOWED_HOSTS": "help.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
}
# What a fresh start-up reports, then one management command: starting Python and Django costs seconds each time.
START_UP_PROBE = """
import sentry_sdk
from django.conf import settings
from django.core.management import call_command
print("debug:", settings.DEBUG)
print("sentry:", sentry_sdk.get_client().is_active())
call_command({command})
"""


def refusal(monkeypatch, **values) -> str:
    with pytest.raises(ImproperlyConfigured) as refused:
        environment(monkeypatch, **values)
    return str(refused.value)


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def production_start():
    """The deploy check, run with production variables that leave DJANGO_DEBUG unset and name no Sentry DSN."""
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_DEBUG"}
    probe = START_UP_PROBE.format(command='"check", deploy=True, fail_level="DEBUG"')
    return manage("shell", "--no-imports", "-c", probe, **env)


@pytest.fixture(scope="module")
def production_start_with_sentry():
    """The migrations check, run with production variables and a Sentry DSN."""
    probe = START_UP_PROBE.format(command='"makemigrations", check=True, dry_run=True')
    return manage("shell", "--no-imports", "-c", probe, SENTRY_DSN="https://key@sentry.example.com/1", **PRODUCTION)


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for(production_start):
    assert "debug: False\n" in production_start.stdout, production_start.stderr


def test_deploy_check_reports_nothing_with_production_settings(production_start):
    assert production_start.returncode == 0, production_start.stderr
    assert "System check identified no issues" in production_start.stdout


def test_models_and_migrations_agree(production_start_with_sentry):
    result = production_start_with_sentry

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_errors_go_to_sentry_only_when_a_dsn_is_set(production_start, production_start_with_sentry):
    assert "sentry: False\n" in production_start.stdout, production_start.stderr
    assert "sentry: True\n" in production_start_with_sentry.stdout, production_start_with_sentry.stderr


def test_a_secret_key_shorter_than_50_characters_refuses_to_start(monkeypatch):
    message = refusal(monkeypatch, **PRODUCTION | {"DJANGO_SECRET_KEY": "x7Tq2"})

    assert "DJANGO_SECRET_KEY is too weak" in message
    assert "x7Tq2" not in message


def test_a_long_secret_key_of_few_different_characters_refuses_to_start(monkeypatch):
    message = refusal(monkeypatch, **PRODUCTION | {"DJANGO_SECRET_KEY": "abab" * 20})

    assert "DJANGO_SECRET_KEY is too weak" in message


def test_a_short_secret_key_is_accepted_for_local_development(monkeypatch):
    env = environment(monkeypatch, DJANGO_DEBUG="true", DJANGO_SECRET_KEY="dev")

    assert env.DJANGO_SECRET_KEY == "dev"


def test_a_feedback_retention_below_the_report_window_refuses_to_start(monkeypatch):
    message = refusal(monkeypatch, **PRODUCTION | {"DJANGO_FEEDBACK_RETENTION_DAYS": "30"})

    assert "DJANGO_FEEDBACK_RETENTION_DAYS" in message
    assert "greater than or equal to 90" in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "ture"),
        ("DJANGO_SECURE_SSL_REDIRECT", "maybe"),
        ("DJANGO_TRUSTED_PROXIES", "one"),
        ("DJANGO_TRUSTED_PROXIES", "-1"),
        ("DJANGO_FEEDBACK_RETENTION_DAYS", "400d"),
        ("DJANGO_CONN_MAX_AGE", "-5"),
        ("DJANGO_DB_CONNECT_TIMEOUT", "0"),
        ("DJANGO_HSTS_SECONDS", "1.5"),
        ("DJANGO_LOGIN_FAILURE_LIMIT", "0"),
        ("DJANGO_LOGIN_LOCKOUT_MINUTES", "fifteen"),
        ("DJANGO_LOGIN_USERNAME_FAILURE_LIMIT", "-20"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "help.example.com"),
        ("DATABASE_URL", "postgress://user@host/db"),
        ("DATABASE_URL", "postgres://user@host:port/db"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("SENTRY_DSN", "sentry.example.com/1"),
        ("SENTRY_TRACES_SAMPLE_RATE", "2"),
    ],
)
def test_a_bad_value_stops_the_site_with_the_variables_name(monkeypatch, variable, value):
    message = refusal(monkeypatch, **PRODUCTION | {variable: value})

    assert message.startswith("The environment has settings the site cannot run with:\n")
    assert f"\n{variable} (" in message


def test_values_in_every_accepted_spelling_start_the_site(monkeypatch):
    env = environment(
        monkeypatch,
        **PRODUCTION
        | {
            "DJANGO_DEBUG": "Off",
            "DJANGO_SECURE_SSL_REDIRECT": "1",
            "DJANGO_LOG_LEVEL": "warning",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://help.example.com, https://*.example.com",
            "REDIS_URL": "",
            "SENTRY_DSN": "",
        },
    )

    assert env.DJANGO_DEBUG is False
    assert env.DJANGO_SECURE_SSL_REDIRECT is True
    assert env.DJANGO_LOG_LEVEL == "WARNING"
    assert env.DJANGO_CSRF_TRUSTED_ORIGINS == ["https://help.example.com", "https://*.example.com"]
    assert env.REDIS_URL is None
    assert env.SENTRY_DSN is None
