"""The sitemap is read, never written: GET and HEAD only, a plain 405 for any other method."""

import pytest
from django.test import Client

CLIENT = {"enforce_csrf_checks": True}  # as a browser or a script without a CSRF token would meet it


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "PROPFIND"])
def test_the_sitemap_refuses_every_method_but_get_and_head(seed_guide, method):
    response = Client(**CLIENT).generic(method, "/sitemap.xml", data=b"x=1")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"<urlset" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_sitemap_answers_get_and_head(seed_guide, method):
    response = Client(**CLIENT).generic(method, "/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert (b"<urlset" in response.content) is (method == "GET")
