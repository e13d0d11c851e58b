import re

import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import Talk

NEW = {"name": "PyCon Italia 2024", "slug": "pycon-italia-2024", "timezone": "Europe/Rome",
       "start_date": "2024-05-22", "end_date": "2024-05-25", "venue": "Florence", "url": "",
       "description": ""}


def test_list_shows_the_demo_conferences(client, demo):
    page = text(client.get("/"))
    assert "LinuxCon North America 2011" in page
    assert "17 August 2011 – 19 August 2011 · Hyatt Regency, Vancouver" in page
    assert "KVM Forum 2011" in page


def test_conference_page_groups_sessions_by_day_in_its_zone(client, demo):
    page = text(client.get("/c/linuxcon-na-2011"))
    assert "times in America/Vancouver" in page
    wednesday, thursday = page.index("Wednesday 17 August 2011"), page.index("Thursday 18 August 2011")
    assert wednesday < page.index("09:00–09:30 Imagine a World Without Linux") < thursday
    assert wednesday < page.index("11:00–11:50 What to Expect From Linux Storage James Bottomley · Georgia A · Storage") < thursday
    assert wednesday < page.index("19:00–23:00 LinuxCon Gala") < thursday
    assert thursday < page.index("09:00–09:30 The Next 20 Years of Linux")
    assert "Friday 19 August 2011" not in page, "a day without sessions has no heading"


def test_unknown_conference_is_a_friendly_404(client):
    response = client.get("/c/no-such-conference")
    assert response.status_code == 404
    assert "There is nothing at this address" in text(response)


def test_create_conference(client, logged_in):
    response = client.post("/c/new", data=NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/c/pycon-italia-2024"
    conference = db.session.scalar(sa.select(Conference))
    assert (conference.name, conference.timezone, str(conference.start_date)) == (
        "PyCon Italia 2024", "Europe/Rome", "2024-05-22")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"timezone": "Europe/Atlantis"}, "timezone", "is not an IANA time zone"),
    ({"timezone": "CEST"}, "timezone", "is not an IANA time zone"),
    ({"end_date": "2024-05-21"}, "end_date", "The last day cannot be before the first day."),
    ({"start_date": "22/05/2024"}, "start_date", "Not a valid date value."),
    ({"name": ""}, "name", "This field is required."),
    ({"slug": "PyCon Italia"}, "slug", "Use lower-case letters"),
    ({"url": "pycon.it"}, "url", "Enter a full web address"),
])
def test_create_conference_errors_beside_the_field(client, logged_in, change, field, message):
    response = client.post("/c/new", data={**NEW, **change})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page), page
    assert db.session.scalar(sa.select(sa.func.count(Conference.id))) == 0


def test_slug_must_be_unique(client, logged_in, demo):
    response = client.post("/c/new", data={**NEW, "slug": "linuxcon-na-2011"})
    assert "Another conference already uses this short name." in text(response)


def test_edit_conference_keeps_its_sessions_inside_its_dates(client, logged_in, demo):
    response = client.post("/c/linuxcon-na-2011/edit", data={
        **NEW, "slug": "linuxcon-na-2011", "timezone": "America/Vancouver",
        "start_date": "2011-08-18", "end_date": "2011-08-19"})
    assert response.status_code == 200
    assert "Sessions are scheduled from 17 August 2011 to 18 August 2011" in text(response)
    response = client.post("/c/linuxcon-na-2011/edit", data={
        **NEW, "name": "LinuxCon NA 2011", "slug": "linuxcon-na-2011",
        "timezone": "America/Vancouver", "start_date": "2011-08-16", "end_date": "2011-08-19"})
    assert response.status_code == 302
    assert "LinuxCon NA 2011" in text(client.get("/c/linuxcon-na-2011"))


def test_only_admins_delete_conferences(client, logged_in, demo):
    assert client.post("/c/kvm-forum-2011/delete").status_code == 403
    assert db.session.scalar(sa.select(Conference).where(Conference.slug == "kvm-forum-2011"))


def test_admin_deletes_a_conference_nobody_uses(client, auth, admin, demo):
    auth.login("root@example.org", "admin password")
    response = client.post("/c/kvm-forum-2011/delete")
    assert response.status_code == 302
    assert client.get("/c/kvm-forum-2011").status_code == 404
    assert client.get("/c/linuxcon-na-2011").status_code == 200


def test_delete_is_refused_while_users_plan_to_attend(client, auth, admin, demo):
    talk = db.session.scalar(sa.select(Talk).where(Talk.title.startswith("Optimizing")))
    db.session.add(AgendaEntry(user=admin, talk=talk, status="going"))
    db.session.commit()
    auth.login("root@example.org", "admin password")
    response = client.post("/c/kvm-forum-2011/delete", follow_redirects=True)
    assert "KVM Forum 2011 holds users' notes or agenda entries (1)" in text(response)
    assert client.get("/c/kvm-forum-2011").status_code == 200
