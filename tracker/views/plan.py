"""Setting one's plan for a session with one click: a form post, or fetch() from plan.js."""

from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import redirect
from flask import request
from flask_login import current_user
from flask_login import login_required

from ..extensions import db
from ..models import AGENDA_STATUSES
from ..models import Talk
from ..services.agenda import plans_in
from ..services.agenda import set_plan
from .auth import safe_next

bp = Blueprint("plan", __name__)

#: what the buttons say, by status
LABELS = {"going": "Going", "maybe": "Maybe", "attended": "Attended", "skipped": "Skipped"}


@bp.post("/plan/<int:talk_id>")
@login_required
def update(talk_id: int):
    """Set (or with status "none", clear) the current user's plan for a session."""
    talk = db.get_or_404(Talk, talk_id)
    status = request.form.get("status", "")
    if status not in (*AGENDA_STATUSES, "none"):
        return jsonify(error=f"unknown status {status!r}"), 400
    set_plan(current_user, talk, None if status == "none" else status)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(talk_id=talk.id, status=None if status == "none" else status)
    flash(f"“{talk.title}”: {LABELS.get(status, 'not in your agenda')}.")
    return redirect(safe_next(request.form.get("next")))


@bp.app_template_global()
def plan_of(talk: Talk) -> str | None:
    """The current user's status for a session, loading their whole conference plan once
    per request (a page lists many sessions)."""
    if not current_user.is_authenticated:
        return None
    # on the request, not on g: g lives as long as the app context, which tests keep
    # open across requests
    cache = request.__dict__.setdefault("plans_by_conference", {})
    if talk.conference_id not in cache:
        cache[talk.conference_id] = plans_in(current_user, talk.conference_id)
    entry = cache[talk.conference_id].get(talk.id)
    return entry.status if entry is not None else None
