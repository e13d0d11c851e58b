"""Changing a user's plan: which sessions they go to, might go to, attended or skipped."""

import sqlalchemy as sa

from ..extensions import db
from ..models import AGENDA_STATUSES
from ..models import AgendaEntry
from ..models import Talk
from ..models import User


def set_plan(user: User, talk: Talk, status: str | None) -> AgendaEntry | None:
    """Set the user's status for the session; None takes it out of their agenda.

    :raise ValueError: for a status that is not one of AGENDA_STATUSES
    """
    if status is not None and status not in AGENDA_STATUSES:
        raise ValueError(f"unknown agenda status {status!r}")
    entry = db.session.scalar(sa.select(AgendaEntry).where(
        AgendaEntry.user_id == user.id, AgendaEntry.talk_id == talk.id))
    if status is None:
        if entry is not None:
            db.session.delete(entry)
        return None
    if entry is None:
        entry = AgendaEntry(user_id=user.id, talk_id=talk.id)
        db.session.add(entry)
    entry.status = status
    db.session.flush()
    return entry


def plans_in(user: User, conference_id: int) -> dict[int, AgendaEntry]:
    """The user's agenda entries in one conference, by talk id: one query."""
    entries = db.session.scalars(sa.select(AgendaEntry).join(Talk, AgendaEntry.talk_id == Talk.id).where(
        AgendaEntry.user_id == user.id, Talk.conference_id == conference_id))
    return {entry.talk_id: entry for entry in entries}
