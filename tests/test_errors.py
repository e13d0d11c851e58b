import re

import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import Conference


def test_500_page_is_friendly_and_rolls_back(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        db.session.add(Conference(slug="half-saved", name="x", timezone="UTC",
                                  start_date=None, end_date=None))
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in text(response) and "nothing was saved" in text(response)
    assert db.session.scalar(sa.select(Conference)) is None


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in text(response)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
class TestCSRF:
    """With protection on, as in production: a form without its token changes nothing."""

    def login(self, client):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={
            "email": "ada@example.org", "password": "correct horse", "csrf_token": token})
        assert response.status_code == 302
        return token

    def test_every_form_carries_a_token(self, client, user, demo):
        self.login(client)
        for url in ("/c/new", "/c/linuxcon-na-2011/edit", "/c/linuxcon-na-2011/talks/new",
                    "/c/linuxcon-na-2011/speakers/new", "/c/linuxcon-na-2011/rooms/", "/register"):
            page = client.get(url).get_data(as_text=True)
            forms = re.findall(r"<form\b.*?</form>", page, re.S)
            posting = [form for form in forms if 'method="post"' in form]
            assert posting, url
            assert all('name="csrf_token"' in form for form in posting), url

    def test_login_without_token_is_refused(self, client, user):
        response = client.post("/login", data={"email": "ada@example.org", "password": "correct horse"})
        assert response.status_code == 400
        assert "Form expired" in text(response) and "The CSRF token is missing." in text(response)

    def test_post_without_token_changes_nothing(self, client, user, demo):
        self.login(client)
        response = client.post("/c/linuxcon-na-2011/rooms/", data={"name": "Forged"})
        assert response.status_code == 400
        response = client.post("/logout")
        assert response.status_code == 400
        assert "Log out" in text(client.get("/")), "still logged in"

    def test_post_with_token_works(self, client, user, demo):
        token = self.login(client)
        response = client.post("/c/linuxcon-na-2011/rooms/", data={"name": "Real", "csrf_token": token})
        assert response.status_code == 302
