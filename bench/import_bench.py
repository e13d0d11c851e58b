"""Import benchmark: the largest sample and a synthetic schedule ten times its size.

Each case runs in its own process, into a fresh database, so that its peak memory is its
own. Prints wall time (parse, save and commit), sessions per second and peak RSS.

    .venv/bin/python bench/import_bench.py                  # SQLite in a temporary folder
    .venv/bin/python bench/import_bench.py --database-url postgresql://postgres@127.0.0.1/test

Targets (issue 3): the largest sample in under 1 s; ten times its size in under 10 s
and 300 MB.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
LARGEST = ROOT / "tests" / "samples" / "frab-xml" / "ccc-36c3-everything-merged-schedule.xml"


def synthetic_frab_xml(sessions: int) -> bytes:
    """A frab schedule of `sessions` 30-minute sessions over 4 days and 40 rooms, with
    speakers shared between sessions, shaped like the real files."""
    rooms, days = 40, 4
    per_room_day = -(-sessions // (rooms * days))
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<schedule><version>bench</version>'
           "<conference><acronym>bench</acronym><title>Benchmark Conference</title>"
           "<start>2030-01-01</start><end>2030-01-04</end>"
           "<time_zone_name>Europe/Brussels</time_zone_name></conference>"]
    made = 0
    for day_index in range(days):
        day = date(2030, 1, 1) + timedelta(days=day_index)
        out.append(f'<day index="{day_index + 1}" date="{day}">')
        for room in range(rooms):
            out.append(f'<room name="Room {room}">')
            for slot in range(per_room_day):
                if made == sessions:
                    break
                made += 1
                minutes = 9 * 60 + slot * 30
                start = f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
                offset = (day_index + minutes // (24 * 60))
                date_value = (date(2030, 1, 1) + timedelta(days=offset)).isoformat()
                out.append(
                    f'<event id="{made}" guid="00000000-0000-4000-8000-{made:012d}">'
                    f"<date>{date_value}T{start}:00+01:00</date><start>{start}</start>"
                    f"<duration>00:30</duration><room>Room {room}</room>"
                    f"<title>{escape(f'Session {made}: Über caching and résumé parsing')}</title>"
                    f"<subtitle/><track>Track {made % 25}</track><type>lecture</type><language>en</language>"
                    f"<abstract>{'An abstract of some length. ' * 20}</abstract><description/>"
                    f'<persons><person id="{made % 3000}">Speaker {made % 3000}</person>'
                    f'<person id="{(made * 7) % 3000}">Speaker {(made * 7) % 3000}</person></persons>'
                    f'<links><link href="https://example.org/{made}">Recording</link></links></event>')
            out.append("</room>")
        out.append("</day>")
    out.append("</schedule>")
    return "".join(out).encode()


def fresh_schema() -> None:
    """Drop whatever the database holds and build the schema with the migrations."""
    import flask_migrate
    import sqlalchemy as sa

    from tracker.extensions import db

    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    metadata.drop_all(db.engine)
    flask_migrate.upgrade()


def run_case(data: bytes, source: str, database_url: str) -> dict:
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.imports import content_hash
    from tracker.services.imports import parse_schedule
    from tracker.services.imports import save_schedule
    from tracker.services.imports import slug_for

    with tempfile.TemporaryDirectory() as instance:
        url = database_url or f"sqlite:///{instance}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=instance)
        with app.app_context():
            fresh_schema()  # by the migrations: with the full-text indexes production keeps
            started = time.perf_counter()
            parsed, format = parse_schedule(data, timezone="Europe/Brussels")
            parsed_at = time.perf_counter()
            save_schedule(parsed, slug=slug_for(parsed), source=source, format=format,
                          content_hash=content_hash(data))
            db.session.commit()
            finished = time.perf_counter()
            fresh_schema()
    return {"source": source, "sessions": len(parsed.talks), "parse_s": parsed_at - started,
            "total_s": finished - started,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--case", choices=["largest", "synthetic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        if args.case == "largest":
            result = run_case(LARGEST.read_bytes(), LARGEST.name, args.database_url)
        else:
            result = run_case(synthetic_frab_xml(10 * 1351), "synthetic x10", args.database_url)
        print(json.dumps(result))
        return
    print(f"{'schedule':42} {'sessions':>8} {'parse s':>8} {'total s':>8} {'sessions/s':>10} {'peak RSS MB':>11}")
    for case in ("largest", "synthetic"):
        output = subprocess.run([sys.executable, __file__, "--case", case, "--database-url", args.database_url],
                                check=True, capture_output=True, text=True).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(f"{r['source']:42} {r['sessions']:8d} {r['parse_s']:8.2f} {r['total_s']:8.2f} "
              f"{r['sessions'] / r['total_s']:10.0f} {r['peak_rss_mb']:11.0f}")


if __name__ == "__main__":
    main()
