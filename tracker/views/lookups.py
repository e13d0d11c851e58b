"""Loading what a URL names, or answering 404."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..extensions import db
from ..models import Conference


def get_conference(slug: str) -> Conference:
    """:raise 404: if no conference has this slug."""
    return db.first_or_404(sa.select(Conference).where(Conference.slug == slug))


def get_in_conference(model, conference: Conference, object_id: int):
    """A room, track, talk or speaker of this conference.

    :raise 404: if it does not exist or belongs to another conference.
    """
    thing = db.session.get(model, object_id)
    if thing is None or thing.conference_id != conference.id:
        abort(404)
    return thing


def require_admin() -> None:
    """:raise 403: unless the current user is an administrator."""
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(403)
