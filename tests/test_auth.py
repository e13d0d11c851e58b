import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User


def register(client, email="grace@example.org", password="a long password", confirm=None, name="Grace"):
    return client.post("/register", data={
        "email": email, "display_name": name, "password": password,
        "confirm": password if confirm is None else confirm})


def test_register_logs_in_and_hashes_the_password(client):
    response = register(client)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Grace" in page and "Log out" in page
    user = db.session.scalar(sa.select(User).where(User.email == "grace@example.org"))
    assert user.password_hash.startswith("scrypt:")
    assert "a long password" not in user.password_hash
    assert user.feed_token and len(user.feed_token) >= 40


def test_register_stores_email_in_lower_case(client):
    register(client, email="Grace@Example.ORG")
    assert db.session.scalar(sa.select(User.email)) == "grace@example.org"


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "not-an-address"}, "Invalid email address"),
    ({"password": "short"}, "Use at least 8 characters."),
    ({"confirm": "something else"}, "The passwords differ."),
])
def test_register_errors_are_shown_beside_the_field(client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_register_twice_with_one_email_is_refused(client, user):
    response = register(client, email="ADA@example.org")
    assert "exists already" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


@pytest.mark.parametrize("app_config", [{"REGISTRATION_OPEN": False}])
def test_closed_registration(client, app_config):
    assert client.get("/register").status_code == 404
    assert register(client).status_code == 404


def test_login_and_logout(client, auth, user):
    response = auth.login()
    assert response.status_code == 302
    assert "Ada" in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405, "logging out must be a POST"
    auth.logout()
    page = client.get("/").get_data(as_text=True)
    assert "Log out" not in page and "Log in" in page


def test_login_is_case_insensitive_on_email(auth, user):
    assert auth.login(email="ADA@EXAMPLE.ORG").status_code == 302


@pytest.mark.parametrize(("email", "password"), [
    ("ada@example.org", "wrong password"),
    ("nobody@example.org", "correct horse"),
])
def test_login_failures_say_the_same_thing(client, auth, user, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


@pytest.mark.parametrize(("target", "landing"), [
    ("/c/linuxcon-na-2011", "/c/linuxcon-na-2011"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
])
def test_login_follows_next_only_on_this_site(client, user, target, landing):
    response = client.post(f"/login?next={target}",
                           data={"email": "ada@example.org", "password": "correct horse"})
    assert response.headers["Location"] == landing


def test_editing_needs_a_login(client, demo):
    response = client.get("/c/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/c/linuxcon-na-2011/rooms/", data={"name": "Sneaky"}).status_code == 302
