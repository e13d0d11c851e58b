"""Sessions: one session's page, and adding, editing and deleting sessions."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from ..changes import mark_seen
from ..changes import unseen_changes
from ..extensions import db
from ..forms import TalkForm
from ..models import Talk
from ..services.programme import InUseError
from ..services.programme import delete_talk
from ..services.programme import save_talk
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("talks", __name__, url_prefix="/c/<slug>/talks")


@bp.get("/<int:talk_id>")
def detail(slug: str, talk_id: int):
    """A session: when and where in the conference's zone, who, what, and what was written about it."""
    conference = get_conference(slug)
    talk = get_in_conference(Talk, conference, talk_id)
    changes = unseen_changes(current_user, talk) if current_user.is_authenticated else []
    return render_template("talks/detail.html", conference=conference, talk=talk, changes=changes)


@bp.post("/<int:talk_id>/seen")
@login_required
def seen(slug: str, talk_id: int):
    """The user has read what changed in a session of their agenda: stop flagging it."""
    conference = get_conference(slug)
    talk = get_in_conference(Talk, conference, talk_id)
    mark_seen(current_user, talk)
    db.session.commit()
    return redirect(url_for(".detail", slug=slug, talk_id=talk_id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    conference = get_conference(slug)
    form = TalkForm(conference=conference)
    if form.validate_on_submit():
        talk = save_talk(Talk(conference=conference), form.talk_data())
        db.session.commit()
        flash(f"Added “{talk.title}”.")
        return redirect(url_for(".detail", slug=slug, talk_id=talk.id))
    return render_template("talks/form.html", form=form, conference=conference, talk=None)


@bp.route("/<int:talk_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, talk_id: int):
    conference = get_conference(slug)
    talk = get_in_conference(Talk, conference, talk_id)
    form = TalkForm(conference=conference, talk=talk)
    if form.validate_on_submit():
        save_talk(talk, form.talk_data())
        db.session.commit()
        flash(f"Saved “{talk.title}”.")
        return redirect(url_for(".detail", slug=slug, talk_id=talk.id))
    return render_template("talks/form.html", form=form, conference=conference, talk=talk)


@bp.post("/<int:talk_id>/delete")
@login_required
def delete(slug: str, talk_id: int):
    conference = get_conference(slug)
    talk = get_in_conference(Talk, conference, talk_id)
    try:
        delete_talk(talk)
    except InUseError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".edit", slug=slug, talk_id=talk_id))
    db.session.commit()
    flash(f"Deleted “{talk.title}”.")
    return redirect(url_for("conferences.detail", slug=slug))
