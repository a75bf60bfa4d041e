"""Guessing staff passwords: a few wrong tries lock that username out from that address for a while."""

import pytest
from django.contrib.auth.models import User
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
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

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
