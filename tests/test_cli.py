import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import User
from tracker.models import WriteUp
from tracker.services.accounts import authenticate


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_user_with_admin_flag(runner):
    result = runner.invoke(args=["create-user", "Root@Example.org", "--admin"],
                           input="s3cret password\ns3cret password\n")
    assert result.exit_code == 0, result.output
    assert "Created administrator root@example.org" in result.output
    user = authenticate("root@example.org", "s3cret password")
    assert user is not None and user.is_admin


def test_create_user_refuses_duplicates_and_short_passwords(runner, user):
    result = runner.invoke(args=["create-user", "ada@example.org", "--password", "long enough"])
    assert result.exit_code != 0 and "has an account already" in result.output
    result = runner.invoke(args=["create-user", "bob@example.org", "--password", "short"])
    assert result.exit_code != 0 and "at least 8" in result.output
    assert count(User) == 1


def test_demo_loads_both_conferences_and_the_trip_report(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo@example.org" in result.output and "tracker-demo" in result.output
    slugs = set(db.session.scalars(sa.select(Conference.slug)))
    assert slugs == {"linuxcon-na-2011", "kvm-forum-2011"}
    report = db.session.scalar(sa.select(WriteUp))
    assert report.title == "Xen @ LinuxCon 2011"
    assert str(report.published_on) == "2011-08-25"
    assert {(talk.title, talk.speakers[0].name) for talk in report.talks} == {
        ("What to Expect From Linux Storage", "James Bottomley"),
        ("Optimizing Performance of Persistent Data Storage in KVM-based Clouds", "Khoa Huynh"),
    }
    gala = db.session.scalar(sa.select(Talk).where(Talk.title.contains("Gala")))
    assert gala.kind == "social"
    assert authenticate("demo@example.org", "tracker-demo") is not None


def test_demo_twice_duplicates_nothing(runner):
    runner.invoke(args=["demo"])
    before = {model: count(model) for model in (Conference, Talk, Speaker, Room, WriteUp, User)}
    uids = set(db.session.scalars(sa.select(Talk.uid)))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert {model: count(model) for model in before} == before
    assert set(db.session.scalars(sa.select(Talk.uid))) == uids
    assert len(db.session.scalar(sa.select(WriteUp)).talks) == 2
