"""Rooms and tracks: the named, ordered parts a programme is arranged by."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import login_required

from ..extensions import db
from ..forms import RoomForm
from ..forms import TrackForm
from ..models import Room
from ..models import Track
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("parts", __name__, url_prefix="/c/<slug>/<any(rooms, tracks):kind>")

#: URL segment -> (model, form)
PARTS = {"rooms": (Room, RoomForm), "tracks": (Track, TrackForm)}


def _render_index(conference, kind, form):
    parts = conference.rooms if kind == "rooms" else conference.tracks
    return render_template("parts/index.html", conference=conference, kind=kind, parts=parts, form=form)


@bp.get("/")
def index(slug: str, kind: str):
    """The conference's rooms or tracks, with a form to add one."""
    conference = get_conference(slug)
    model, form_class = PARTS[kind]
    return _render_index(conference, kind, form_class(model=model, conference=conference))


@bp.post("/")
@login_required
def create(slug: str, kind: str):
    conference = get_conference(slug)
    model, form_class = PARTS[kind]
    form = form_class(model=model, conference=conference)
    if not form.validate():
        return _render_index(conference, kind, form), 400
    part = model(conference=conference)
    form.populate_obj(part)
    db.session.add(part)
    db.session.commit()
    flash(f"Added {part.name}.")
    return redirect(url_for(".index", slug=slug, kind=kind))


@bp.route("/<int:part_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, kind: str, part_id: int):
    conference = get_conference(slug)
    model, form_class = PARTS[kind]
    part = get_in_conference(model, conference, part_id)
    form = form_class(model=model, conference=conference, part=part)
    if form.validate_on_submit():
        form.populate_obj(part)
        db.session.commit()
        flash(f"Saved {part.name}.")
        return redirect(url_for(".index", slug=slug, kind=kind))
    return render_template("parts/form.html", conference=conference, kind=kind, part=part, form=form)


@bp.post("/<int:part_id>/delete")
@login_required
def delete(slug: str, kind: str, part_id: int):
    """Delete a room or track; its sessions stay, without one."""
    conference = get_conference(slug)
    model, _ = PARTS[kind]
    part = get_in_conference(model, conference, part_id)
    db.session.delete(part)
    db.session.commit()
    flash(f"Deleted {part.name}.")
    return redirect(url_for(".index", slug=slug, kind=kind))
