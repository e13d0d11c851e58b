"""Register, log in, log out."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from ..extensions import db
from ..forms import LoginForm
from ..forms import RegisterForm
from ..services.accounts import authenticate
from ..services.accounts import create_user

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("conferences.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and log in with it."""
    if not current_app.config["REGISTRATION_OPEN"]:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        user = create_user(form.email.data, form.password.data, display_name=form.display_name.data)
        db.session.commit()
        login_user(user)
        flash(f"Welcome, {user.label}.")
        return redirect(url_for("conferences.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("conferences.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Wrong e-mail address or password.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out; a POST, so that another site cannot log a user out with a link."""
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("conferences.index"))
