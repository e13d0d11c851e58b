"""A user's settings: name, time zone, reminders, and the secret address of their agenda feed."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from ..extensions import db
from ..forms import SettingsForm
from ..services.accounts import replace_feed_token

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.timezone = form.timezone.data.strip() or None
        current_user.reminder_minutes = form.reminder_minutes.data
        db.session.commit()
        flash("Saved your settings.")
        return redirect(url_for(".index"))
    feed_url = url_for("exports.agenda", token=current_user.feed_token, _external=True)
    return render_template("settings/index.html", form=form, feed_url=feed_url,
                           webcal_url="webcal://" + feed_url.split("://", 1)[1])


@bp.post("/feed-token")
@login_required
def new_feed_token():
    """Revoke the agenda feed's address and make a new one."""
    replace_feed_token(current_user)
    db.session.commit()
    flash("Your agenda feed has a new address; the old one no longer works. "
          "Subscribe again with the new one.")
    return redirect(url_for(".index"))
