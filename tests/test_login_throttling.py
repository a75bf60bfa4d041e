"""Guessing staff passwords: weak ones are refused, and wrong tries pause the username for a while."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "the-right-long-password"


@pytest.fixture
def editor(db):
    return User.objects.create_user("eddie", password=PASSWORD, is_staff=True)


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_out_even_for_the_right_one(editor):
    guesser = Client()
    for _ in range(4):
        assert sign_in(guesser, "eddie", "wrong-guess-123").status_code == 200  # the form again, with an error
    assert sign_in(guesser, "eddie", "wrong-guess-123").status_code == 429  # the fifth locks it

    response = sign_in(guesser, "eddie", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in guesser.session


def test_the_lockout_is_per_username_and_address(editor):
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, "eddie", "wrong-guess-123")

    elsewhere = Client()
    response = sign_in(elsewhere, "eddie", PASSWORD, address="198.51.100.20")

    assert response.status_code == 302  # the real editor, from their own address, still gets in
    assert elsewhere.session["_auth_user_id"] == str(editor.pk)


def test_a_few_typos_then_the_right_password_still_work(editor):
    client = Client()
    for _ in range(4):
        sign_in(client, "eddie", "typo-typo-typo")

    assert sign_in(client, "eddie", PASSWORD).status_code == 302


def test_staff_passwords_need_at_least_twelve_characters(db):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("tulip-sky-9")  # 11 characters
    validate_password("tulip-sky-92")


def test_behind_one_proxy_the_lockout_counts_by_the_address_the_proxy_saw(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = Client()
    for _ in range(5):
        guesser.post(
            LOGIN,
            {"username": "eddie", "password": "wrong-guess-123"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    colleague = Client()  # another visitor behind the same proxy
    response = colleague.post(
        LOGIN,
        {"username": "eddie", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert response.status_code == 302


def test_addresses_in_one_ipv6_64_share_one_sign_in_allowance(editor):
    guesser = Client()
    for n in range(1, 6):
        sign_in(guesser, "eddie", "wrong-guess-123", address=f"2001:db8:7:8::{n}")

    same_64 = sign_in(Client(), "eddie", PASSWORD, address="2001:db8:7:8:1:2:3:4")
    next_64 = sign_in(Client(), "eddie", PASSWORD, address="2001:db8:7:9::1")

    assert same_64.status_code == 429
    assert next_64.status_code == 302


# Passwords a guesser tries first, each at least twelve characters long.
WEAK_PASSWORDS = [
    "Troubleshooter",
    "troubleshooter",
    "Troubleshooter2024!",
    "aaaaaaaaaaaa",
    "            ",
    "qwertyuiopas",
    "1qaz2wsx3edc",
    "zxcvbnm,./;'",
    "asdfghjkl123",
    "abcabcabcabc",
    "123456789012",
    "password1234",
    "iloveyou1234",
    "eddie-eddie-eddie",
]


@pytest.mark.parametrize("password", WEAK_PASSWORDS)
def test_guessable_staff_passwords_are_refused(db, password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="eddie", email="eddie@example.com", is_staff=True))


@pytest.mark.parametrize("password", ["tulip-sky-92", "correct horse battery staple", "Lk8#vq2!Rz0p"])
def test_passwords_with_variety_are_accepted(db, password):
    validate_password(password, User(username="eddie", email="eddie@example.com", is_staff=True))


def test_the_refusal_says_why(db):
    with pytest.raises(ValidationError, match=r"too easy to guess\. Repeats"):
        validate_password("aaaaaaaaaaaa")


def test_createsuperuser_without_input_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "qwertyuiopas")

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD: This password is too easy to guess"):
        call_command("createsuperuser", "--no-input", username="root", email="root@example.com")
    assert not User.objects.filter(username="root").exists()


def test_createsuperuser_without_input_refuses_a_one_character_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "x")

    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createsuperuser", "--no-input", username="root", email="root@example.com")
    assert not User.objects.filter(username="root").exists()


def test_createsuperuser_without_input_takes_a_strong_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "tulip-sky-92-harbour")

    call_command("createsuperuser", "--no-input", username="root", email="root@example.com", stdout=StringIO())

    assert User.objects.get(username="root").check_password("tulip-sky-92-harbour")


class Terminal(StringIO):
    def isatty(self):
        return True


def test_createsuperuser_asking_offers_no_way_around_the_rules(db):
    stderr = StringIO()
    typed = ["aaaaaaaaaaaa", "aaaaaaaaaaaa", "tulip-sky-92-harbour", "tulip-sky-92-harbour"]
    # Django's own command would ask "Bypass password validation?" after the weak one; the answer typed is yes.
    with mock.patch("getpass.getpass", side_effect=typed), mock.patch("builtins.input", return_value="y"):
        call_command(
            "createsuperuser",
            username="root",
            email="root@example.com",
            stdin=Terminal(),
            stdout=StringIO(),
            stderr=stderr,
        )

    assert "cannot bypass the rules" in stderr.getvalue()
    assert User.objects.get(username="root").check_password("tulip-sky-92-harbour")


def test_create_editor_refuses_a_weak_password(db, monkeypatch):
    Group.objects.get_or_create(name="Editors")
    monkeypatch.setenv("EDITOR_PASSWORD", "Troubleshooter")

    with pytest.raises(CommandError, match="too easy to guess"):
        call_command("create_editor", "alex", password_from_env="EDITOR_PASSWORD")
    assert not User.objects.filter(username="alex").exists()


# Guessing at one username from many addresses


def guess_from_many_addresses(username: str, count: int, first: int = 1):
    for n in range(first, first + count):
        response = sign_in(Client(), username, "wrong-guess-123", address=f"198.51.100.{n}")
        assert response.status_code == 200  # the form again: no single address is locked out


def minutes_pass(minutes: int):
    for model in (AccessFailureLog, AccessAttempt, AccessLog):
        model.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_twenty_wrong_passwords_from_twenty_addresses_pause_the_username_everywhere(editor):
    guess_from_many_addresses("eddie", 20)

    response = sign_in(Client(), "eddie", PASSWORD, address="203.0.113.50")

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_nineteen_wrong_passwords_from_many_addresses_pause_nothing(editor):
    guess_from_many_addresses("eddie", 19)

    assert sign_in(Client(), "eddie", PASSWORD, address="203.0.113.50").status_code == 302


def test_the_pause_ends_after_the_lockout_minutes_and_refused_tries_do_not_extend_it(editor):
    guess_from_many_addresses("eddie", 20)
    minutes_pass(10)
    for n in range(30, 40):  # refused without a password check, so not counted
        assert sign_in(Client(), "eddie", "wrong-guess-123", address=f"198.51.100.{n}").status_code == 429

    minutes_pass(6)

    assert sign_in(Client(), "eddie", PASSWORD, address="203.0.113.50").status_code == 302


def test_the_editor_still_signs_in_from_where_they_signed_in_before(editor):
    assert sign_in(Client(), "eddie", PASSWORD, address="192.0.2.10").status_code == 302
    guess_from_many_addresses("eddie", 20)

    at_the_office = sign_in(Client(), "eddie", PASSWORD, address="192.0.2.10")
    new_cafe = sign_in(Client(), "eddie", PASSWORD, address="203.0.113.50")

    assert at_the_office.status_code == 302
    assert new_cafe.status_code == 429


def test_guessing_at_one_username_does_not_pause_another(editor):
    User.objects.create_user("alex", password=PASSWORD, is_staff=True)
    guess_from_many_addresses("eddie", 20)

    assert sign_in(Client(), "alex", PASSWORD, address="203.0.113.50").status_code == 302


def test_prune_deletes_sign_in_records_past_their_use(editor):
    sign_in(Client(), "eddie", PASSWORD, address="192.0.2.10")
    sign_in(Client(), "eddie", "wrong-guess-123", address="198.51.100.1")
    minutes_pass(91 * 24 * 60)
    sign_in(Client(), "eddie", PASSWORD, address="192.0.2.11")
    sign_in(Client(), "eddie", "wrong-guess-123", address="198.51.100.2")
    assert (AccessLog.objects.count(), AccessFailureLog.objects.count()) == (2, 2)

    call_command("prune_questionnaire_events", stdout=StringIO())

    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == ["192.0.2.11"]
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["198.51.100.2"]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.2"]  # still counts


def test_prune_deletes_attempts_the_lockout_no_longer_counts(editor):
    sign_in(Client(), "eddie", "wrong-guess-123", address="198.51.100.1")
    minutes_pass(16)

    call_command("prune_questionnaire_events", stdout=StringIO())

    assert AccessAttempt.objects.count() == 0
    assert AccessFailureLog.objects.count() == 1
