"""Speakers: their pages and editing them."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import login_required

from ..extensions import db
from ..forms import SpeakerForm
from ..models import Speaker
from ..services.programme import refresh_search_text
from ..services.writeups import writeups_about
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("speakers", __name__, url_prefix="/c/<slug>/speakers")


@bp.get("/")
def index(slug: str):
    conference = get_conference(slug)
    return render_template("speakers/index.html", conference=conference)


@bp.get("/<int:speaker_id>")
def detail(slug: str, speaker_id: int):
    """A speaker, their sessions at this conference and the write-ups about those."""
    conference = get_conference(slug)
    speaker = get_in_conference(Speaker, conference, speaker_id)
    return render_template("speakers/detail.html", conference=conference, speaker=speaker,
                           writeups=writeups_about(speaker.talks))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    conference = get_conference(slug)
    form = SpeakerForm()
    if form.validate_on_submit():
        speaker = Speaker(conference=conference)
        form.populate_obj(speaker)
        db.session.add(speaker)
        db.session.commit()
        flash(f"Added {speaker.name}.")
        return redirect(url_for(".detail", slug=slug, speaker_id=speaker.id))
    return render_template("speakers/form.html", form=form, conference=conference, speaker=None)


@bp.route("/<int:speaker_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, speaker_id: int):
    conference = get_conference(slug)
    speaker = get_in_conference(Speaker, conference, speaker_id)
    form = SpeakerForm(obj=speaker)
    if form.validate_on_submit():
        form.populate_obj(speaker)
        for talk in speaker.talks:
            refresh_search_text(talk)
        db.session.commit()
        flash(f"Saved {speaker.name}.")
        return redirect(url_for(".detail", slug=slug, speaker_id=speaker.id))
    return render_template("speakers/form.html", form=form, conference=conference, speaker=speaker)


@bp.post("/<int:speaker_id>/delete")
@login_required
def delete(slug: str, speaker_id: int):
    """Delete a speaker; their sessions stay, without them."""
    conference = get_conference(slug)
    speaker = get_in_conference(Speaker, conference, speaker_id)
    talks = list(speaker.talks)
    db.session.delete(speaker)
    db.session.flush()
    for talk in talks:
        db.session.expire(talk, ["speakers"])
        refresh_search_text(talk)
    db.session.commit()
    flash(f"Deleted {speaker.name}.")
    return redirect(url_for(".index", slug=slug))
