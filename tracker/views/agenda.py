"""A user's agenda: their sessions day by day with clashes, free time and backups; what
re-imports changed in it; and what is on now and next."""

from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from ..agenda import now_and_next
from ..extensions import db
from ..models import Talk
from ..models import utcnow
from ..schedule import schedule_day
from ..services.agenda import agenda_changes
from ..services.agenda import agenda_entries
from ..services.agenda import agenda_page
from ..services.agenda import backup_choice
from ..services.agenda import latest_change_time
from ..services.agenda import mark_all_seen
from ..services.agenda import on_now_or_next
from ..services.agenda import set_backup
from .auth import safe_next
from .lookups import get_conference
from .lookups import get_in_conference
from .zones import shown_zone

bp = Blueprint("agenda", __name__)


def current_time() -> datetime:
    """Now: from the CLOCK setting (a function returning an aware datetime) if set, as tests
    do, else the system clock."""
    return current_app.config.get("CLOCK", utcnow)()


@bp.get("/c/<slug>/agenda")
@login_required
def show(slug: str):
    """My going and maybe sessions, day by day: clashes with their alternatives, free time,
    backups, and what re-imports changed."""
    conference = get_conference(slug)
    page = agenda_page(current_user, conference)
    return render_template("agenda/show.html", conference=conference, page=page)


@bp.post("/c/<slug>/agenda/<int:talk_id>/backup")
@login_required
def backup(slug: str, talk_id: int):
    """Choose, or with an empty choice drop, the backup for a session I am going to."""
    conference = get_conference(slug)
    talk = get_in_conference(Talk, conference, talk_id)
    choice = request.form.get("backup", "")
    if choice and not choice.isdigit():
        abort(400)
    stand_in = get_in_conference(Talk, conference, int(choice)) if choice else None
    try:
        set_backup(current_user, talk, stand_in)
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Backup for “{talk.title}”: “{stand_in.title}”." if stand_in else
              f"No backup for “{talk.title}”.")
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for(".show", slug=slug))


@bp.get("/agenda/changes")
@login_required
def changes():
    """Across conferences, what re-imports changed in my agenda since I last looked."""
    changed = agenda_changes(current_user)
    return render_template("agenda/changes.html", changed=changed, upto=latest_change_time(changed))


@bp.post("/agenda/changes/seen")
@login_required
def seen():
    """Mark every change shown on the What changed page as seen (up to the newest shown)."""
    try:
        upto = datetime.fromisoformat(request.form.get("upto", ""))
    except ValueError:
        abort(400)
    if upto.tzinfo is None:
        abort(400)
    mark_all_seen(current_user, min(upto, utcnow()))
    db.session.commit()
    flash("Every change is marked as seen.")
    return redirect(url_for(".changes"))


@bp.get("/c/<slug>/now")
def now(slug: str):
    """What is on now and what starts next, in the whole conference and, for a logged-in
    user, in their agenda; open to anyone."""
    conference = get_conference(slug)
    moment = current_time()
    zone = conference.zone  # the conference's days, whatever zone times are read in
    day = schedule_day(moment, zone, conference.day_change)
    everyone = now_and_next(on_now_or_next(conference, moment), moment)
    mine = statuses = None
    shown = everyone.now + everyone.next
    if current_user.is_authenticated:
        entries = agenda_entries(current_user, conference)
        mine = now_and_next([entry.talk for entry in entries], moment)
        statuses = {entry.talk_id: entry.status for entry in entries}
        shown += mine.now + mine.next
    other_day = {talk.id for talk in shown if schedule_day(talk.starts_at, zone, conference.day_change) != day}
    return render_template("agenda/now.html", conference=conference, moment=moment, day=day,
                           everyone=everyone, mine=mine, statuses=statuses, other_day=other_day)


@bp.app_template_global()
def backup_choice_for(talk: Talk):
    """(entry, candidates) for the backup form of a session the current user is going to,
    else None; for templates/agenda/_backup.html on the session page."""
    if not current_user.is_authenticated:
        return None
    return backup_choice(current_user, talk)


@bp.app_template_filter()
def hours_minutes(duration: timedelta) -> str:
    """"1 h 30 min", "45 min", "2 h"."""
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
