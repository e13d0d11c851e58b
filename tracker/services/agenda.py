"""A user's plan: which sessions they go to, might go to, attended or skipped; their
agenda with its clashes, backups and what re-imports changed in it."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from ..agenda import AgendaDay
from ..agenda import agenda_days
from ..agenda import backup_candidates
from ..extensions import db
from ..models import AGENDA_STATUSES
from ..models import AgendaEntry
from ..models import AgendaRemoval
from ..models import Conference
from ..models import ImportRun
from ..models import Talk
from ..models import TalkChange
from ..models import User
from ..models import utcnow


def set_plan(user: User, talk: Talk, status: str | None) -> AgendaEntry | None:
    """Set the user's status for the session; None takes it out of their agenda (and
    leaves an AgendaRemoval, so that their feed says it is cancelled).

    :raise ValueError: for a status that is not one of AGENDA_STATUSES
    """
    if status is not None and status not in AGENDA_STATUSES:
        raise ValueError(f"unknown agenda status {status!r}")
    entry = db.session.scalar(sa.select(AgendaEntry).where(
        AgendaEntry.user_id == user.id, AgendaEntry.talk_id == talk.id))
    removal = db.session.get(AgendaRemoval, (user.id, talk.id))
    if status is None:
        if entry is not None:
            db.session.delete(entry)
            if removal is None:
                db.session.add(AgendaRemoval(user_id=user.id, talk_id=talk.id))
            else:
                removal.removed_at = utcnow()
        return None
    if removal is not None:
        db.session.delete(removal)
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


@dataclass(frozen=True)
class BackupNotice:
    """A backup that took the place of a session a re-import cancelled or moved."""

    original: Talk
    backup: Talk
    #: what happened to the original: "cancelled" or "moved"
    kind: str


@dataclass(frozen=True)
class AgendaPage:
    """What the agenda page shows for one user and one conference."""

    days: list[AgendaDay]
    #: re-import changes the user has not seen yet, by talk id, oldest first
    changes: dict[int, list[TalkChange]]
    notices: list[BackupNotice]

    @property
    def clash_count(self) -> int:
        return sum(1 for day in self.days for item in day.items if item.kind == "clash")


@dataclass(frozen=True)
class ChangedSession:
    """A session of the user's agenda with the changes they have not seen yet."""

    talk: Talk
    #: the user's agenda status for it now
    status: str
    changes: list[TalkChange]
    #: the user's entry for the backup that took its place, if one did
    stand_in: AgendaEntry | None

    @property
    def replaced_because(self) -> str | None:
        """"cancelled" or "moved": the latest change that let the backup take its place."""
        if self.stand_in is None:
            return None
        return next((change.kind for change in reversed(self.changes) if replaces(change)), None)


#: the statuses the agenda shows: what the user plans to attend
PLANNED = ("going", "maybe")


def agenda_entries(user: User, conference: Conference) -> list[AgendaEntry]:
    """The user's going and maybe entries in one conference, their sessions loaded with
    what the agenda shows: a constant number of queries."""
    return list(db.session.scalars(
        sa.select(AgendaEntry).join(Talk, AgendaEntry.talk_id == Talk.id)
        .where(AgendaEntry.user_id == user.id, Talk.conference_id == conference.id,
               AgendaEntry.status.in_(PLANNED))
        .options(joinedload(AgendaEntry.talk).options(*_listing()),
                 joinedload(AgendaEntry.replaced_talk), joinedload(AgendaEntry.backup_talk))
        .order_by(Talk.starts_at, Talk.ends_at, Talk.id)))


def _listing() -> list:
    """Loader options for what a listed session shows: room, track and speakers."""
    return [joinedload(Talk.room), joinedload(Talk.track), selectinload(Talk.speakers)]


def slot_neighbours(user: User, conference: Conference) -> list[Talk]:
    """The conference's sessions that overlap any session the user is going to (those
    included): the alternatives of every clash and the backup candidates of every session,
    in one query however long the agenda is."""
    going = aliased(Talk)
    overlapping_going = (
        sa.select(AgendaEntry.id).join(going, AgendaEntry.talk_id == going.id)
        .where(AgendaEntry.user_id == user.id, AgendaEntry.status == "going",
               going.conference_id == conference.id,
               going.starts_at < Talk.ends_at, Talk.starts_at < going.ends_at))
    return list(db.session.scalars(
        sa.select(Talk).where(Talk.conference_id == conference.id, overlapping_going.exists())
        .options(*_listing()).order_by(Talk.starts_at, Talk.ends_at, Talk.id)))


def unseen_agenda_changes(user: User,
                          conference: Conference | None = None) -> list[tuple[TalkChange, AgendaEntry]]:
    """Changes re-imports made to sessions of the user's agenda (whatever its status) since
    they last looked, with the user's entry; by conference, session, then oldest first."""
    query = (
        sa.select(TalkChange, AgendaEntry)
        .join(ImportRun, TalkChange.import_run_id == ImportRun.id)
        .join(AgendaEntry, sa.and_(AgendaEntry.talk_id == TalkChange.talk_id, AgendaEntry.user_id == user.id))
        .join(Talk, Talk.id == TalkChange.talk_id)
        .join(Conference, Conference.id == Talk.conference_id)
        .where(TalkChange.kind != "added", ImportRun.created_at > AgendaEntry.seen_at)
        .options(contains_eager(TalkChange.run),
                 contains_eager(TalkChange.talk).options(
                     contains_eager(Talk.conference), joinedload(Talk.room)))
        .order_by(Conference.start_date.desc(), Conference.id, Talk.starts_at, Talk.id,
                  ImportRun.created_at, TalkChange.id))
    if conference is not None:
        query = query.where(Talk.conference_id == conference.id)
    return [(change, entry) for change, entry in db.session.execute(query)]


def agenda_page(user: User, conference: Conference) -> AgendaPage:
    """The user's agenda in one conference, in a constant number of queries. Days are the
    conference's, whatever zone the user reads times in: a Saturday evening talk stays on
    Saturday for someone reading it in Tokyo, as on the timetable."""
    entries = agenda_entries(user, conference)
    days = agenda_days(entries, slot_neighbours(user, conference), conference.zone, conference.day_change)
    changes: dict[int, list[TalkChange]] = {}
    for change, _entry in unseen_agenda_changes(user, conference):
        changes.setdefault(change.talk_id, []).append(change)
    notices = [BackupNotice(entry.replaced_talk, entry.talk, change.kind)
               for entry in entries if entry.replaced_talk is not None
               for change in changes.get(entry.replaced_talk_id, []) if replaces(change)]
    return AgendaPage(days=days, changes=changes, notices=notices)


def agenda_changes(user: User) -> list[tuple[Conference, list[ChangedSession]]]:
    """Across conferences, each session of the user's agenda that re-imports changed since
    they last looked, with the backup that took its place if one did."""
    rows = unseen_agenda_changes(user)
    stand_ins = {entry.replaced_talk_id: entry for entry in db.session.scalars(
        sa.select(AgendaEntry)
        .where(AgendaEntry.user_id == user.id,
               AgendaEntry.replaced_talk_id.in_({change.talk_id for change, _entry in rows}))
        .options(joinedload(AgendaEntry.talk)))}
    sessions: dict[int, ChangedSession] = {}
    for change, entry in rows:
        if change.talk_id not in sessions:
            sessions[change.talk_id] = ChangedSession(
                change.talk, entry.status, [], stand_ins.get(change.talk_id))
        sessions[change.talk_id].changes.append(change)
    by_conference: dict[int, tuple[Conference, list[ChangedSession]]] = {}
    for session in sessions.values():
        conference = session.talk.conference
        by_conference.setdefault(conference.id, (conference, []))[1].append(session)
    return list(by_conference.values())


def latest_change_time(changed: list[tuple[Conference, list[ChangedSession]]]) -> datetime | None:
    """When the newest of these changes was made: what "mark all as seen" marks seen up to."""
    return max((change.run.created_at for _conference, sessions in changed
                for session in sessions for change in session.changes), default=None)


def mark_all_seen(user: User, upto: datetime) -> None:
    """The user has read every change made up to `upto` (an import time, as shown on the
    page): stop flagging them. Changes made by a re-import after the page was shown stay
    flagged, and no entry's seen_at goes back."""
    db.session.execute(sa.update(AgendaEntry)
                       .where(AgendaEntry.user_id == user.id, AgendaEntry.seen_at < upto)
                       .values(seen_at=upto))


def backup_choice(user: User, talk: Talk) -> tuple[AgendaEntry, list[Talk]] | None:
    """The user's entry for a session they are going to and the sessions that could be its
    backup; None unless they are going to it."""
    entry = db.session.scalar(sa.select(AgendaEntry).where(
        AgendaEntry.user_id == user.id, AgendaEntry.talk_id == talk.id, AgendaEntry.status == "going"))
    if entry is None:
        return None
    nearby = db.session.scalars(
        sa.select(Talk).where(Talk.conference_id == talk.conference_id,
                              Talk.starts_at < talk.ends_at, Talk.ends_at > talk.starts_at)
        .options(joinedload(Talk.room)))
    return entry, backup_candidates(talk, nearby)


def set_backup(user: User, talk: Talk, backup: Talk | None) -> AgendaEntry:
    """Choose (or with None, drop) the session to go to instead if `talk` is cancelled or
    moved by a re-import.

    :raise ValueError: unless the user is going to `talk` and `backup` is another session,
        not cancelled, overlapping it in the same conference
    """
    entry = db.session.scalar(sa.select(AgendaEntry).where(
        AgendaEntry.user_id == user.id, AgendaEntry.talk_id == talk.id))
    if entry is None or entry.status != "going":
        raise ValueError("Only a session you are going to can have a backup.")
    if backup is not None and (backup.conference_id != talk.conference_id
                               or not backup_candidates(talk, [backup])):
        raise ValueError(f"“{backup.title}” is not on at the same time, so it cannot be the backup.")
    entry.backup_talk_id = backup.id if backup is not None else None
    db.session.flush()
    return entry


#: the kinds of change that can make a chosen backup take a session's place (see replaces())
REPLACING_KINDS = ("cancelled", "moved")


def replaces(change: TalkChange) -> bool:
    """Whether this change makes a chosen backup take the session's place: a cancellation,
    or a move to another time. A new room or a new end time alone keeps the user's choice,
    since they can still go."""
    return change.kind == "cancelled" or (change.kind == "moved" and "starts_at" in change.fields)


def apply_backups(run: ImportRun) -> None:
    """After a re-import: where it cancelled or moved a session that someone is going to
    and has chosen a backup for, the backup takes its place. The backup's entry becomes
    "going" and records the session it replaced; the original entry is kept, "skipped"."""
    rows = db.session.execute(
        sa.select(AgendaEntry, TalkChange)
        .join(TalkChange, TalkChange.talk_id == AgendaEntry.talk_id)
        .join(Talk, Talk.id == AgendaEntry.backup_talk_id)
        .where(TalkChange.import_run_id == run.id, TalkChange.kind.in_(REPLACING_KINDS),
               AgendaEntry.status == "going", Talk.status != "cancelled")).all()
    replaced = [entry for entry, change in rows if replaces(change)]
    if not replaced:
        return
    existing = {(entry.user_id, entry.talk_id): entry for entry in db.session.scalars(
        sa.select(AgendaEntry).where(
            AgendaEntry.user_id.in_({entry.user_id for entry in replaced}),
            AgendaEntry.talk_id.in_({entry.backup_talk_id for entry in replaced})))}
    for entry in replaced:
        key = (entry.user_id, entry.backup_talk_id)
        if (stand_in := existing.get(key)) is None:
            stand_in = existing[key] = AgendaEntry(user_id=entry.user_id, talk_id=entry.backup_talk_id)
            db.session.add(stand_in)
        stand_in.status = "going"
        stand_in.replaced_talk_id = entry.talk_id
        entry.status = "skipped"


def on_now_or_next(conference: Conference, moment: datetime) -> list[Talk]:
    """The conference's sessions on at `moment` and those starting first after it (not
    cancelled), for now_and_next(): one query, however large the programme."""
    live = sa.and_(Talk.conference_id == conference.id, Talk.status != "cancelled")
    next_start = sa.select(sa.func.min(Talk.starts_at)).where(live, Talk.starts_at > moment).scalar_subquery()
    return list(db.session.scalars(
        sa.select(Talk)
        .where(live, sa.or_(sa.and_(Talk.starts_at <= moment, Talk.ends_at > moment),
                            Talk.starts_at == next_start))
        .options(*_listing()).order_by(Talk.starts_at, Talk.ends_at, Talk.id)))
