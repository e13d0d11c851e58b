"""Search: one box over every conference's sessions and the searcher's own notes."""

import sqlalchemy as sa
from flask import Blueprint
from flask import render_template
from flask import request
from flask_login import current_user

from ..extensions import db
from ..models import Conference
from ..search import search
from .lookups import get_conference

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():
    """?q=words and "phrases", optionally ?conference=<slug>; public, and a logged-in
    user's own notes are searched too."""
    text = request.args.get("q", "").strip()
    slug = request.args.get("conference", "")
    conference = get_conference(slug) if slug else None
    user = current_user if current_user.is_authenticated else None
    conferences = db.session.scalars(
        sa.select(Conference).order_by(Conference.start_date.desc(), Conference.name)).all()
    return render_template("search/results.html", text=text, conference=conference,
                           conferences=conferences, found=search(text, user=user, conference=conference))
