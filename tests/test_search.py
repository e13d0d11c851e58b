"""Search: session titles, subtitles, abstracts and speakers, and the searcher's own notes,
through each database's own full-text engine (FTS5 on SQLite, tsvector on PostgreSQL)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import Markup
from pages import axe_violations
from pages import log_in
from pages import text
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Note
from tracker.models import Speaker
from tracker.models import Talk
from tracker.search import SearchQuery
from tracker.search import fts5_expression
from tracker.search import marked
from tracker.search import parse_query
from tracker.search import search
from tracker.services.accounts import create_user
from tracker.services.imports import import_schedule
from tracker.services.programme import save_talk

SAMPLE_31C3 = Path(__file__).parent / "samples" / "frab-xml" / "ccc-31c3-schedule.xml"
HOSTILE = ['C++ "foo', "AND OR NEAR(", '"', '""', "*", "^", "-", "NEAR(a b, 2)", "search_text:kernel",
           "title:x OR y", "kernel*", "(((", "))", "{search_text}: x", "'; DROP TABLE talk; --",
           "%_\\", "a\x00b", "\x02kernel\x03", "kernel " * 300, "é" * 5000, "NOT", "AND", "+kernel -rust"]


def conference(slug: str, name: str) -> Conference:
    conference = Conference(slug=slug, name=name, timezone="Europe/Brussels",
                            start_date=date(2030, 2, 1), end_date=date(2030, 2, 2))
    db.session.add(conference)
    db.session.flush()
    return conference


def session(conference: Conference, title: str, abstract: str = "", speakers: tuple[str, ...] = (),
            hour: int = 10) -> Talk:
    """A session added through the programme service, which keeps its search text current."""
    people = [Speaker(conference=conference, name=name) for name in speakers]
    db.session.add_all(people)
    db.session.flush()
    start = datetime(2030, 2, 1, hour, tzinfo=UTC)
    return save_talk(Talk(conference=conference), {
        "title": title, "abstract": abstract, "starts_at": start, "ends_at": start + timedelta(minutes=50),
        "speaker_ids": [person.id for person in people]})


def titles(results) -> list[str]:
    return [hit.talk.title for hit in results.hits]


@pytest.fixture
def cloud(app) -> Conference:
    cloud = conference("cloudconf", "CloudConf 2030")
    session(cloud, "Kubernetes in production", "Lessons from running clusters for five years, "
            "with the mistakes we made on the way and what we would do differently today.",
            speakers=("Grace Hopper",))
    session(cloud, "Cluster stories", "Kubernetes, kubernetes and more kubernetes.", speakers=("Alan Kay",), hour=11)
    session(cloud, "Rust in the kernel", "Memory safety for drivers.", speakers=("Ada Lovelace",), hour=12)
    db.session.commit()
    return cloud


def test_a_title_match_ranks_above_an_abstract_match(app, cloud):
    """"Cluster stories" says kubernetes three times in a short text, which the engines alone
    rank higher; the title counts for more."""
    assert titles(search("kubernetes")) == ["Kubernetes in production", "Cluster stories"]
    assert titles(search("KUBERNETES clusters")) == ["Kubernetes in production"], "every word must match"


def test_speakers_are_found_and_shown(client, cloud):
    assert titles(search("lovelace")) == ["Rust in the kernel"]
    assert titles(search("Grace Hopper")) == ["Kubernetes in production"]
    page = text(client.get("/search", query_string={"q": "ada lovelace"}))
    assert "1 session matching “ada lovelace” Rust in the kernel" in page
    assert "CloudConf 2030 · Fri 1 Feb 2030, 13:00–13:50 CET · Ada Lovelace" in page, "in the conference's zone"


def test_a_speaker_s_own_sessions_rank_above_mentions_of_them(app, cloud):
    """A round table whose abstract names Grace Hopper, many times, ranks below her talk."""
    session(cloud, "Round table", "With Grace Hopper. Grace Hopper on compilers, Grace Hopper on COBOL.", hour=14)
    db.session.commit()
    assert titles(search("grace hopper")) == ["Kubernetes in production", "Round table"]


def test_phrases_match_words_in_order(app, cloud):
    assert titles(search('"rust in the kernel"')) == ["Rust in the kernel"]
    assert titles(search('"kernel rust"')) == []


def test_accents_depend_on_the_engine(app):
    """SQLite's FTS5 tables remove diacritics (unicode61 remove_diacritics 2), so "joran"
    finds "Jöran"; PostgreSQL's 'simple' configuration keeps them. Both fold case."""
    import_schedule(SAMPLE_31C3.read_bytes(), source=SAMPLE_31C3.name)
    db.session.commit()
    quiz = "Googlequiz – 2015er Edition"  # with Jöran Muuß-Merholz
    for query in ("Jöran", "JÖRAN", "jöran Muuß-Merholz", "muuß"):
        assert titles(search(query)) == [quiz], query
    assert titles(search("joran")) == ([quiz] if db.engine.dialect.name == "sqlite" else [])


def test_own_notes_are_searched_and_said_so(client, logged_in, user, cloud):
    rust = db.session.scalar(sa.select(Talk).where(Talk.title == "Rust in the kernel"))
    db.session.add(Note(user=user, talk=rust, body="Brilliant sauerkraut analogy for the borrow checker."))
    db.session.commit()
    results = search("sauerkraut", user=user)
    assert titles(results) == ["Rust in the kernel"] and results.hits[0].in_notes
    assert "<mark>sauerkraut</mark>" in results.hits[0].note_snippet
    page = text(client.get("/search", query_string={"q": "sauerkraut"}))
    assert "Rust in the kernel Matches your notes" in page
    assert "In your notes: Brilliant sauerkraut analogy for the borrow checker" in page
    both = search("rust", user=user)
    assert titles(both) == ["Rust in the kernel"] and not both.hits[0].in_notes, "the note does not say rust"


def test_another_users_notes_are_never_found(client, auth, user, cloud):
    rust = db.session.scalar(sa.select(Talk).where(Talk.title == "Rust in the kernel"))
    db.session.add(Note(user=user, talk=rust, body="My secret sauerkraut theory."))
    bob = create_user("bob@example.org", "bob password")
    db.session.commit()
    assert search("sauerkraut", user=bob).hits == []
    assert search("sauerkraut").hits == []
    for login in ((), ("bob@example.org", "bob password")):
        if login:
            auth.login(*login)
        page = client.get("/search", query_string={"q": "sauerkraut theory"}).get_data(as_text=True)
        assert "No sessions match" in page and "secret" not in page and "Rust in the kernel" not in page


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_do_not_error(client, cloud, user, query):
    results = search(query, user=user)
    assert all(isinstance(hit.snippet, Markup) for hit in results.hits)
    assert client.get("/search", query_string={"q": query}).status_code == 200


def test_operators_are_plain_words(app, cloud):
    assert titles(search("kernel OR kubernetes")) == [], "OR is a word that no session holds"
    assert titles(search("kernel*")) == ["Rust in the kernel"], "no prefix search: * is dropped by the tokenizers"


@pytest.mark.parametrize("query", ["", "   ", "++", '"" ""', "-"])
def test_empty_query_finds_nothing(client, cloud, query):
    assert search(query).hits == [] and not search(query).query
    page = text(client.get("/search", query_string={"q": query}))
    assert "Rust in the kernel" not in page


def test_conference_filter(client, cloud):
    other = conference("rustconf", "RustConf 2030")
    session(other, "Rust for beginners")
    db.session.commit()
    assert sorted(titles(search("rust"))) == ["Rust for beginners", "Rust in the kernel"]
    assert titles(search("rust", conference=other)) == ["Rust for beginners"]
    page = client.get("/search", query_string={"q": "rust", "conference": "cloudconf"}).get_data(as_text=True)
    assert "Rust in the kernel" in page and "Rust for beginners" not in page
    assert '<option value="cloudconf" selected>CloudConf 2030</option>' in page
    assert client.get("/search", query_string={"q": "rust", "conference": "nope"}).status_code == 404


def test_results_show_title_link_conference_time_speakers_and_snippet(client, demo):
    page = client.get("/search", query_string={"q": "storage"}).get_data(as_text=True)
    storage = db.session.scalar(sa.select(Talk).where(Talk.title == "What to Expect From Linux Storage"))
    assert f'<a href="/c/linuxcon-na-2011/talks/{storage.id}">What to Expect From Linux Storage</a>' in page
    shown = text(client.get("/search", query_string={"q": "storage"}))
    assert ("What to Expect From Linux Storage LinuxCon North America 2011 · "
            "Wed 17 Aug 2011, 11:00–11:50 PDT · Georgia A · James Bottomley") in shown
    assert "KVM Forum 2011" in shown, "every conference by default"
    assert "<mark>Storage</mark>" in page


def test_snippets_are_escaped(app, cloud):
    session(cloud, "Unsafe", "Say <img src=x onerror=alert(1)> kubernetes & co.", hour=13)
    db.session.commit()
    hit = next(hit for hit in search("kubernetes").hits if hit.talk.title == "Unsafe")
    assert "<img" not in hit.snippet and "&lt;img src=x onerror=alert(1)&gt; <mark>kubernetes</mark>" in hit.snippet


def test_search_follows_edits(app, cloud):
    rust = db.session.scalar(sa.select(Talk).where(Talk.title == "Rust in the kernel"))
    save_talk(rust, {"title": "Zig in the kernel"})
    db.session.commit()
    assert titles(search("zig")) == ["Zig in the kernel"] and titles(search("rust")) == []


def test_query_parsing_leaves_no_syntax_to_the_engine():
    query = parse_query('C++ say "hi  there" a"b "unclosed')
    assert query == SearchQuery(words=("C++", "say", 'a"b', "unclosed"), phrases=("hi there",))
    assert fts5_expression(query) == '"C++" "say" "a""b" "unclosed" "hi there"'
    assert not parse_query("++ -- \x00 **") and len(parse_query(" ".join(f"w{n}" for n in range(50))).terms) == 16
    assert parse_query("kernel Kernel KERNEL").words == ("kernel",)


def test_marked_snippets_are_well_formed():
    assert marked("a \x02b\x03 <c>") == Markup("a <mark>b</mark> &lt;c&gt;")
    assert marked("\x02open") == Markup("<mark>open</mark>")
    assert marked("stray\x03 end") == Markup("stray end")
    assert marked(None) == Markup("")


# The engine's index, and queries per page ------------------------------------------------

@contextmanager
def recording_statements() -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_search_runs_in_the_full_text_index(app, cloud, user):
    with recording_statements() as statements:
        search("kubernetes", user=user)
    searches = [(sql, params) for sql, params in statements if "talk_fts" in sql or "note_fts" in sql
                or "search_vector" in sql or "body_vector" in sql]
    assert len(searches) == 2, "one query for sessions, one for the user's notes"
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        plans = [" ".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                 for sql, params in searches]
        assert "talk_fts VIRTUAL TABLE INDEX" in plans[0] and "note_fts VIRTUAL TABLE INDEX" in plans[1]
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plans = [" ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params))
                 for sql, params in searches]
        assert "ix_talk_search_text_fts" in plans[0], plans[0]
        assert "ix_note_body_fts" in plans[1] or "ix_note_user_id_talk_id" in plans[1], plans[1]


def add_matching(conference: Conference, count: int, user) -> None:
    """`count` sessions about the kernel, each with two speakers and the user's note."""
    first = db.session.scalar(sa.select(sa.func.count(Talk.id)).where(Talk.conference_id == conference.id))
    for number in range(first, first + count):
        talk = session(conference, f"Kernel talk {number}", "All about the kernel.",
                       speakers=(f"Speaker {number}a", f"Speaker {number}b"), hour=9 + number % 10)
        db.session.add(Note(user=user, talk=talk, body=f"Kernel note {number}"))
    db.session.commit()


def statements_for(app, client, query: dict[str, str]) -> int:
    """SQL statements of one request, in an app context of its own as a real request has."""
    with app.app_context(), recording_statements() as statements:
        assert client.get("/search", query_string=query).status_code == 200
    return len(statements)


@pytest.mark.parametrize("query", [{"q": "kernel"}, {"q": "kernel", "conference": "many"}])
def test_search_queries_do_not_grow_with_the_results(app, client, logged_in, user, query):
    many = conference("many", "Many")
    add_matching(many, 6, user)
    few = statements_for(app, client, query)
    add_matching(many, 12, user)
    assert len(search("kernel", user=user).hits) == 18
    assert statements_for(app, client, query) == few


@pytest.mark.browser
def test_results_page_is_accessible(page, live_server, demo):
    log_in(page, live_server, demo.email, demo.password)
    page.goto(live_server + "/search?q=storage")
    page.get_by_label("Conference").select_option(label="KVM Forum 2011")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 session matching “storage” in KVM Forum 2011")).to_be_visible()
    assert axe_violations(page) == []
