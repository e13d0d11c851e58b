"""What re-imports changed in a user's agenda since they last looked."""

import sqlalchemy as sa

from .extensions import db
from .models import AgendaEntry
from .models import Conference
from .models import ImportRun
from .models import Talk
from .models import TalkChange
from .models import User
from .models import utcnow


def _unseen(user: User):
    """TalkChanges (not additions) on the user's agenda, made after they last looked."""
    return (sa.select(TalkChange)
            .join(ImportRun, TalkChange.import_run_id == ImportRun.id)
            .join(AgendaEntry, sa.and_(AgendaEntry.talk_id == TalkChange.talk_id,
                                       AgendaEntry.user_id == user.id))
            .where(TalkChange.kind != "added", ImportRun.created_at > AgendaEntry.seen_at))


def flagged_talk_ids(user: User, conference: Conference) -> set[int]:
    """The user's sessions in this conference that changed since they last looked."""
    query = _unseen(user).join(Talk, Talk.id == TalkChange.talk_id).where(
        Talk.conference_id == conference.id).with_only_columns(TalkChange.talk_id)
    return set(db.session.scalars(query))


def unseen_changes(user: User, talk: Talk) -> list[TalkChange]:
    query = _unseen(user).where(TalkChange.talk_id == talk.id).order_by(TalkChange.id)
    return list(db.session.scalars(query))


def mark_seen(user: User, talk: Talk) -> None:
    db.session.execute(sa.update(AgendaEntry)
                       .where(AgendaEntry.user_id == user.id, AgendaEntry.talk_id == talk.id)
                       .values(seen_at=utcnow()))
