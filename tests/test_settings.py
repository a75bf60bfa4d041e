"""The settings an operator relies on: refuse to run insecurely, pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

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
