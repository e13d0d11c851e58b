"""Conferences: the list, one conference's programme, and editing them."""

import sqlalchemy as sa
from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from ..changes import flagged_talk_ids
from ..extensions import db
from ..forms import ConferenceForm
from ..models import Conference
from ..schedule import group_by_day
from ..schedule import programme
from ..services.programme import InUseError
from ..services.programme import delete_conference
from ..timezones import zone_names
from .lookups import get_conference
from .lookups import require_admin

bp = Blueprint("conferences", __name__)


@bp.get("/")
def index():
    """Every conference on this instance, newest first."""
    conferences = db.session.scalars(
        sa.select(Conference).order_by(Conference.start_date.desc(), Conference.name))
    return render_template("conferences/index.html", conferences=conferences)


@bp.get("/c/<slug>")
def detail(slug: str):
    """A conference's sessions, grouped by day in the conference's zone."""
    conference = get_conference(slug)
    days = group_by_day(programme(conference), conference.zone, conference.day_change)
    flagged = flagged_talk_ids(current_user, conference) if current_user.is_authenticated else set()
    return render_template("conferences/detail.html", conference=conference, days=days, flagged=flagged)


@bp.route("/c/new", methods=["GET", "POST"])
@login_required
def create():
    form = ConferenceForm()
    if form.validate_on_submit():
        conference = Conference()
        form.populate_obj(conference)
        conference.timezone = conference.timezone.strip()
        db.session.add(conference)
        db.session.commit()
        flash(f"Created {conference.name}.")
        return redirect(url_for(".detail", slug=conference.slug))
    return render_template("conferences/form.html", form=form, conference=None, zones=sorted(zone_names()))


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    conference = get_conference(slug)
    form = ConferenceForm(conference=conference)
    if form.validate_on_submit():
        form.populate_obj(conference)
        conference.timezone = conference.timezone.strip()
        db.session.commit()
        flash(f"Saved {conference.name}.")
        return redirect(url_for(".detail", slug=conference.slug))
    return render_template("conferences/form.html", form=form, conference=conference,
                           zones=sorted(zone_names()))


@bp.post("/c/<slug>/delete")
@login_required
def delete(slug: str):
    """Delete a conference and its programme (administrators only)."""
    require_admin()
    conference = get_conference(slug)
    try:
        delete_conference(conference)
    except InUseError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".edit", slug=slug))
    db.session.commit()
    flash(f"Deleted {conference.name}.")
    return redirect(url_for(".index"))
