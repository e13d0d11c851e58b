"""Importing schedules from the web: upload or URL, the report of each import, re-import."""

from collections.abc import Callable
from functools import partial

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.exc import DataError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..forms import ImportForm
from ..importers import ScheduleError
from ..models import ImportRun
from ..models import TalkChange
from ..services.imports import import_schedule
from ..sources import is_url
from ..sources import read_source
from ..sources import too_large
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("imports", __name__)


def _run_import(read: Callable[..., bytes], *, source: str, **options):
    """Read (with the instance's size cap and timeout) and import; on any refusal roll
    back and return the message instead of the report."""
    try:
        data = read(max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                    timeout=current_app.config["IMPORT_TIMEOUT"])
        report = import_schedule(data, source=source, user=current_user, **options)
        db.session.commit()
    except ScheduleError as exc:
        db.session.rollback()
        return None, f"{source}: {exc}. Nothing was imported."
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        return None, f"{source}: the database refused the schedule ({exc.orig}). Nothing was imported."
    return report, None


def _public_only() -> bool:
    return not current_app.config["IMPORT_ALLOW_PRIVATE_ADDRESSES"]


def _read_upload(upload: FileStorage, *, max_bytes: int, timeout: float) -> bytes:
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ScheduleError(too_large(upload.filename, max_bytes))
    return data


@bp.route("/import", methods=["GET", "POST"])
@login_required
def new():
    """Upload a schedule file or give its URL."""
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        if form.file.data:
            source, read = form.file.data.filename or "upload", partial(_read_upload, form.file.data)
        else:
            source = form.url.data.strip()
            read = partial(read_source, source, public_only=_public_only())
        report, error = _run_import(read, source=source, format=form.format.data or None,
                                    timezone=form.timezone.data.strip() or None,
                                    slug=form.conference.data.strip() or None)
        if report is not None:
            flash(f"Imported {report.conference.name}: {report.run.added} new, {report.run.changed} changed, "
                  f"{report.run.moved} moved, {report.run.cancelled} cancelled.")
            return redirect(url_for(".report", slug=report.conference.slug, run_id=report.run.id))
    return render_template("imports/new.html", form=form, error=error), 400 if error or form.errors else 200


@bp.post("/c/<slug>/reimport")
@login_required
def reimport(slug: str):
    """Fetch the conference's schedule again from the URL it came from."""
    conference = get_conference(slug)
    source = conference.source_location
    if not source or not is_url(source):
        flash("This conference was not imported from a URL; upload the new file instead.", "error")
        return redirect(url_for(".new"))
    report, error = _run_import(partial(read_source, source, public_only=_public_only()), source=source,
                                format=conference.source_format, slug=slug)
    if error:
        flash(error, "error")
        return redirect(url_for("conferences.detail", slug=slug))
    return redirect(url_for(".report", slug=slug, run_id=report.run.id))


@bp.get("/c/<slug>/imports/<int:run_id>")
def report(slug: str, run_id: int):
    """What one import added, changed, moved and cancelled."""
    conference = get_conference(slug)
    run = get_in_conference(ImportRun, conference, run_id)
    changes = db.session.scalars(sa.select(TalkChange).where(TalkChange.import_run_id == run.id)
                                 .options(selectinload(TalkChange.talk)).order_by(TalkChange.id))
    by_kind: dict[str, list[TalkChange]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    return render_template("imports/report.html", conference=conference, run=run, by_kind=by_kind)
