"""Friendly error pages."""

from flask import Flask
from flask import render_template
from flask_wtf.csrf import CSRFError

from ..extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account may not do that."),
    404: ("Not found", "There is nothing at this address. It may have been moved or deleted."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this instance accepts."),
    500: ("Something went wrong", "The server hit an error; nothing was saved. Try again, "
          "and tell the instance's administrator if it keeps happening."),
}


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, csrf_error)


def render_error(error):
    code = getattr(error, "code", 500) or 500
    if code == 500:
        db.session.rollback()
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message), code


def csrf_error(error: CSRFError):
    """A form whose token is missing or expired: say so, and how to send it again."""
    message = (f"{error.description} Your form was not saved. Go back, reload the page "
               "(your text is still in the form in most browsers) and send it again.")
    return render_template("errors/error.html", code=400, title="Form expired", message=message), 400
