"""Export benchmark: the largest sample's conference as iCalendar (and frab XML and JSON).

Imports tests/samples/frab-xml/ccc-36c3-everything-merged-schedule.xml (1,351 sessions)
into a fresh SQLite database (or --database-url), then times loading the sessions and
rendering each format, best of five. Target (issue 4): iCalendar under 100 ms for a
thousand sessions.
"""

import argparse
import tempfile
import time
from pathlib import Path

from tracker import create_app
from tracker.exporters import EXPORTERS
from tracker.extensions import db
from tracker.selections import conference_selection
from tracker.services.imports import import_schedule

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "samples" / "frab-xml" / "ccc-36c3-everything-merged-schedule.xml"


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        url = args.database_url or f"sqlite:///{instance}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=instance)
        with app.app_context():
            db.drop_all()
            db.create_all()
            conference = import_schedule(SAMPLE.read_bytes(), source=SAMPLE.name).conference
            db.session.commit()

            def load():
                db.session.expire_all()
                return conference_selection(conference, "https://tracker.example.org")

            selection = load()
            per_thousand = 1000 / len(selection.talks)
            print(f"{SAMPLE.name}: {len(selection.talks)} sessions; best of 5, and per 1,000 sessions")
            loading = best_of(5, load)
            print(f"  load sessions   {loading * 1000:7.1f} ms  {loading * 1000 * per_thousand:7.1f} ms")
            for name, exporter in EXPORTERS.items():
                size = len(exporter.render(selection))
                seconds = best_of(5, lambda: exporter.render(selection))
                print(f"  render {name:8} {seconds * 1000:7.1f} ms  {seconds * 1000 * per_thousand:7.1f} ms"
                      f"  ({size / 1024:.0f} KiB)")
            both = best_of(5, lambda: EXPORTERS["ics"].render(load()))
            print(f"  load + ics      {both * 1000:7.1f} ms  {both * 1000 * per_thousand:7.1f} ms")
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
