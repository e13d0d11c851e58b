"""Planning benchmark: server time of the timetable, search and agenda pages.

Builds the schema with the migrations (search needs their full-text tables) in a fresh
database, imports the two largest samples (36C3, 1,351 sessions over four days; FOSDEM
2025, 943 over two) and a synthetic 10,000-session conference, logs in with the Flask
test client, plans a few sessions (the imports gather the planner's statistics, as in
production), and prints the best of several runs, after a warm-up, of each page, with
its size and its number of SQL statements. Each request runs in an app context of its
own, as in production.

    .venv/bin/python bench/plan_bench.py                  # SQLite in a temporary folder
    .venv/bin/python bench/plan_bench.py --database-url postgresql://postgres@127.0.0.1/bench

--database-url names a database the benchmark may empty: it drops every table first.

Targets (issue 5): the grid of the largest sample's busiest day under 100 ms; a search
under 50 ms.
"""

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import sqlalchemy as sa
from flask.testing import FlaskClient
from import_bench import synthetic_frab_xml

from tracker import create_app
from tracker.config import database_uri
from tracker.extensions import db
from tracker.models import Talk
from tracker.services.accounts import create_user
from tracker.services.agenda import set_plan
from tracker.services.imports import import_schedule
from tracker.views.timetable import Day
from tracker.views.timetable import Filters
from tracker.views.timetable import conference_days

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "samples" / "frab-xml"
LARGEST = ("ccc-36c3-everything-merged-schedule.xml", "fosdem-2025-schedule.xml")
SYNTHETIC_SESSIONS = 10_000
WARM_UPS = 2
RUNS = 7
SLOW_S = 2
EMAIL = "bench@example.org"
PASSWORD = "bench password"
#: (query, conference slug or "" for all): common and rare words, a speaker, a phrase, and
#: the worst case, a word in every synthetic session
SEARCHES = (("security", ""), ("security", "36c3"), ("Muuß-Merholz", ""), ("rust", "fosdem-2025"),
            ("Speaker 2999", ""), ('"caching and résumé" speaker', "synthetic"), ("caching", "synthetic"))


def best_of(client: FlaskClient, engine: sa.Engine, url: str) -> tuple[float, int, int]:
    """(best seconds, response bytes, SQL statements) of GET `url`; a page slower than
    SLOW_S is timed once, so that the benchmark ends."""
    started = time.perf_counter()
    client.get(url)
    runs = 1 if time.perf_counter() - started > SLOW_S else RUNS
    for _ in range(WARM_UPS - 1 if runs > 1 else 0):
        client.get(url)
    statements = []

    def count(*args) -> None:
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    sa.event.remove(engine, "before_cursor_execute", count)
    return min(timings), len(response.data), len(statements) // runs


def fresh_schema() -> None:
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    metadata.drop_all(db.engine)
    flask_migrate.upgrade()


def load() -> dict[str, Day]:
    """Import the samples and the synthetic conference, and make a user who planned some
    sessions of each; the busiest day of each conference, by slug (the synthetic last)."""
    conferences = [import_schedule((SAMPLES / name).read_bytes(), source=name).conference for name in LARGEST]
    synthetic = synthetic_frab_xml(SYNTHETIC_SESSIONS)
    conferences.append(import_schedule(synthetic, source="synthetic", slug="synthetic").conference)
    user = create_user(EMAIL, PASSWORD)
    for conference in conferences:
        for talk in db.session.scalars(sa.select(Talk).where(Talk.conference_id == conference.id)
                                       .order_by(Talk.starts_at).limit(30)):
            set_plan(user, talk, "going")
    db.session.commit()
    return {conference.slug: max(conference_days(conference, Filters()), key=lambda day: day.sessions)
            for conference in conferences}


def report(label: str, measure: Callable[[], tuple[float, int, int]], target_ms: float | None = None) -> None:
    seconds, size, statements = measure()
    verdict = ""
    if target_ms is not None:
        verdict = f"  target {target_ms:.0f} ms: {'met' if seconds * 1000 < target_ms else 'MISSED'}"
    print(f"  {label:58} {seconds * 1000:7.1f} ms {size / 1024:7.0f} KiB {statements:4d} SQL{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        url = database_uri(args.database_url) if args.database_url else f"sqlite:///{instance}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False},
                         instance_path=instance)
        with app.app_context():
            fresh_schema()
            started = time.perf_counter()
            days = load()
            engine = db.engine
        # Requests run outside that app context, each in its own as in production, with
        # nothing of the import left in memory.
        gc.collect()
        print(f"{engine.dialect.name}: loaded {', '.join(days)} in {time.perf_counter() - started:.1f} s; "
              f"best of {RUNS} after {WARM_UPS} warm-ups")
        client = app.test_client()
        client.post("/login", data={"email": EMAIL, "password": PASSWORD})
        *samples, synthetic = days
        busiest = max(samples, key=lambda slug: days[slug].sessions)
        print("Timetable (logged in: every session carries its plan buttons)")
        for slug in (busiest, *[slug for slug in samples if slug != busiest], synthetic):
            day = days[slug]
            page = f"/c/{slug}/timetable?day={day.date.isoformat()}"
            what = f"{slug} {day.date:%a %d %b}, {day.sessions} sessions"
            report(f"grid {what}", lambda: best_of(client, engine, page), 100 if slug == busiest else None)
            report(f"list {what}", lambda: best_of(client, engine, page + "&view=list"))
        print("Search (all conferences, or one)")
        for text, slug in SEARCHES:
            query = "/search?" + urlencode({"q": text, **({"conference": slug} if slug else {})})
            report(f"{text!r} in {slug or 'all'}", lambda: best_of(client, engine, query), 50)
        print("Agenda")
        for slug in days:
            agenda = f"/c/{slug}/agenda"
            if client.get(agenda).status_code == 404:
                print(f"  {agenda}: 404, not built yet; skipped")
                continue
            report(agenda, lambda: best_of(client, engine, agenda))


if __name__ == "__main__":
    main()
