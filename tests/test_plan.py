"""One-click plans and the user's own time zone on the pages."""

import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Talk
from tracker.services.accounts import create_user


def storage_talk() -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == "What to Expect From Linux Storage"))


def plan(user) -> dict[str, str]:
    return {entry.talk.title: entry.status for entry in
            db.session.scalars(sa.select(AgendaEntry).where(AgendaEntry.user_id == user.id))}


def test_plan_with_a_form_post_and_back_to_the_page(client, logged_in, user, demo):
    talk = storage_talk()
    response = client.post(f"/plan/{talk.id}", data={"status": "going", "next": "/c/linuxcon-na-2011"})
    assert response.status_code == 302 and response.headers["Location"] == "/c/linuxcon-na-2011"
    assert plan(user) == {talk.title: "going"}
    page = client.get("/c/linuxcon-na-2011").get_data(as_text=True)
    assert 'value="none"\n                aria-pressed="true"' in page, "the chosen button is pressed and clears"
    client.post(f"/plan/{talk.id}", data={"status": "maybe"})
    assert plan(user) == {talk.title: "maybe"}
    client.post(f"/plan/{talk.id}", data={"status": "none"})
    assert plan(user) == {}


def test_plan_with_fetch_answers_json(client, logged_in, user, demo):
    talk = storage_talk()
    response = client.post(f"/plan/{talk.id}", data={"status": "attended"}, headers={"Accept": "application/json"})
    assert response.json == {"talk_id": talk.id, "status": "attended"}
    response = client.post(f"/plan/{talk.id}", data={"status": "dancing"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert plan(user) == {talk.title: "attended"}


def test_anonymous_visitors_see_no_plan_buttons_and_cannot_post(client, demo):
    page = text(client.get("/c/linuxcon-na-2011"))
    assert "Going" not in page
    assert client.post(f"/plan/{storage_talk().id}", data={"status": "going"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AgendaEntry.id))) == 0


def test_one_users_plan_is_not_anothers(client, auth, user, demo):
    create_user("bob@example.org", "bob password")
    db.session.commit()
    auth.login("bob@example.org", "bob password")
    client.post(f"/plan/{storage_talk().id}", data={"status": "going"})
    auth.logout()
    auth.login()
    page = client.get("/c/linuxcon-na-2011").get_data(as_text=True)
    assert 'aria-pressed="true"' not in page


def test_times_in_the_users_own_zone_clearly_labelled(client, logged_in, user, demo):
    user.timezone = "Europe/London"
    db.session.commit()
    page = text(client.get("/c/linuxcon-na-2011"))
    assert "times in your zone, Europe/London (the conference's is America/Vancouver)" in page
    assert "19:00–19:50 What to Expect From Linux Storage" in page, "11:00 PDT is 19:00 BST"
    session = text(client.get(f"/c/linuxcon-na-2011/talks/{storage_talk().id}"))
    assert "Wednesday 17 August 2011, 19:00–19:50 BST (your zone, Europe/London; the conference is in America/Vancouver)" in session
