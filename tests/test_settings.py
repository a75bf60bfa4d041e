"""The settings an operator relies on: refuse to run insecurely or with a mistyped value, pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-production-like-secret-0f7b2c9e4d1a6e8b3c5d7f9a1b3c5d7e9f",
    "DJANGO_ALLOWED_HOSTS": "help.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_DEBUG"}

    result = manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)", **env)

    assert result.stdout.strip() == "False"


def test_deploy_check_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_models_and_migrations_agree():
    result = manage("makemigrations", "--check", "--dry-run", DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stdout + result.stderr


def test_errors_go_to_sentry_only_when_a_dsn_is_set():
    probe = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"

    without = manage("shell", "--no-imports", "-c", probe, **PRODUCTION)
    with_dsn = manage("shell", "--no-imports", "-c", probe, SENTRY_DSN="https://key@sentry.example.com/1", **PRODUCTION)

    assert without.stdout.strip() == "False", without.stderr
    assert with_dsn.stdout.strip() == "True", with_dsn.stderr


def test_a_secret_key_shorter_than_50_characters_refuses_to_start():
    result = manage("check", **PRODUCTION | {"DJANGO_SECRET_KEY": "x7Tq2"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr
    assert "x7Tq2" not in result.stderr


def test_a_long_secret_key_of_few_different_characters_refuses_to_start():
    result = manage("check", **PRODUCTION | {"DJANGO_SECRET_KEY": "abab" * 20})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_a_short_secret_key_is_accepted_for_local_development():
    result = manage("check", DJANGO_DEBUG="true", DJANGO_SECRET_KEY="dev")

    assert result.returncode == 0, result.stderr


def test_a_feedback_retention_below_the_report_window_refuses_to_start():
    result = manage("check", **PRODUCTION | {"DJANGO_FEEDBACK_RETENTION_DAYS": "30"})

    assert result.returncode != 0
    assert "DJANGO_FEEDBACK_RETENTION_DAYS" in result.stderr
    assert "greater than or equal to 90" in result.stderr


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
def test_a_bad_value_stops_the_site_with_the_variables_name(variable, value):
    result = manage("check", **PRODUCTION | {variable: value})

    assert result.returncode != 0
    assert "The environment has settings the site cannot run with:" in result.stderr
    assert f"\n{variable} (" in result.stderr


def test_values_in_every_accepted_spelling_start_the_site():
    env = PRODUCTION | {
        "DJANGO_DEBUG": "Off",
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_LOG_LEVEL": "warning",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://help.example.com, https://*.example.com",
        "REDIS_URL": "",
        "SENTRY_DSN": "",
    }

    result = manage("check", "--deploy", "--fail-level", "DEBUG", **env)

    assert result.returncode == 0, result.stderr
