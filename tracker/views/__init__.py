"""Blueprints, one per area, and what every page shares."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from ..extensions import db
from ..extensions import login_manager
from ..models import User
from . import agenda
from . import auth
from . import conferences
from . import errors
from . import exports
from . import imports
from . import notes
from . import parts
from . import plan
from . import search
from . import settings
from . import speakers
from . import talks
from . import timetable
from . import writeups
from .zones import shown_zone


def init_app(app: Flask) -> None:
    for module in (auth, conferences, talks, speakers, parts, imports, exports, settings, plan,
                   agenda, timetable, search, notes, writeups):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.add_template_filter(local_time)
    app.add_template_filter(clock)
    app.add_template_global(shown_zone)
    app.add_template_filter(datetime.fromisoformat, "fromiso")
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to do that."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def local_time(moment: datetime, zone: ZoneInfo | str) -> datetime:
    """`talk.starts_at|local_time(conference.zone)`: the instant, on the wall clock of `zone`."""
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def clock(moment: datetime, zone: ZoneInfo | str) -> str:
    """`talk.starts_at|clock(zone)`: "14:30" on the wall clock of `zone`, and "02:30 CEST"
    in the hour that clocks going back show twice, where 02:30 alone could be either."""
    local = local_time(moment, zone)
    shown = local.strftime("%H:%M")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        shown += local.strftime(" %Z")
    return shown
