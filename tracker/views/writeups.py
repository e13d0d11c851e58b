"""Write-ups (blog posts, slides, recordings, articles, trip reports) and the sessions they
are about; suggestions of which sessions a pasted text mentions; the trip report draft.

Write-ups are shared, like the programme: anyone logged in adds, edits, unlinks and
deletes them. The trip report is the logged-in user's own, drafted from their data only.
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import DateField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from ..extensions import db
from ..mentions import Mention
from ..models import WRITEUP_KINDS
from ..models import Conference
from ..models import Talk
from ..models import WriteUp
from ..services.writeups import ListedWriteUp
from ..services.writeups import delete_writeup
from ..services.writeups import find_talks
from ..services.writeups import load_writeup
from ..services.writeups import save_writeup
from ..services.writeups import suggest_talks
from ..services.writeups import talks_with_speakers
from ..services.writeups import trip_report
from ..services.writeups import unlink
from ..services.writeups import url_taken
from ..services.writeups import writeups_by_talk
from .auth import safe_next
from .lookups import get_conference

bp = Blueprint("writeups", __name__)

#: the longest text suggestions are looked for in (a long blog post is ~50,000 characters)
MAX_TEXT = 200_000


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def http_url(form, field) -> None:
    """Only web addresses: a javascript: or data: link would run in the reader's browser."""
    parts = urlsplit(field.data or "")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a web address starting with http:// or https://.")


def ids(values) -> list[int]:
    """Integers from form values, the others ignored."""
    return [int(value) for value in values if str(value).isdigit()]


class WriteUpForm(FlaskForm):
    url = URLField("Address", [DataRequired(), Length(max=2000), http_url], filters=[strip])
    title = StringField("Title", [DataRequired(), Length(max=500)], filters=[strip])
    author = StringField("Author", [Length(max=200)], filters=[strip],
                         description="A person, a blog or a publication; optional")
    published_on = DateField("Published on", [Optional()])
    kind = SelectField("Kind", choices=[SelectChoice(kind, kind.replace("_", " ").capitalize())
                                        for kind in WRITEUP_KINDS], default="blog_post")
    excerpt = TextAreaField("Excerpt", [Length(max=5000)], filters=[strip],
                            description="A few sentences shown with the link; optional")
    text = TextAreaField("Text to find sessions in", [Length(max=MAX_TEXT)],
                         description="Paste the write-up's text and press “Suggest sessions”; "
                                     "it is not stored. Empty: the title and excerpt are used.")
    conference_ids = SelectMultipleField("Look in", coerce=int, validate_choice=False)
    find = StringField("Or find sessions by title or speaker", [Length(max=200)])
    talk_ids = SelectMultipleField("Sessions it is about", coerce=int, validate_choice=False)
    #: the sessions the form showed last time, so that suggesting again keeps the user's unticks
    shown_ids = HiddenField()

    def __init__(self, *args, writeup: WriteUp | None = None, **kwargs):
        super().__init__(*args, obj=writeup, **kwargs)
        self.writeup = writeup
        self.existing: WriteUp | None = None
        self.talks: list[Talk] = []

    def validate_url(self, field) -> None:
        self.existing = url_taken(field.data, self.writeup.id if self.writeup else None)
        if self.existing is not None:
            raise ValidationError(f"This address is already a write-up, “{self.existing.title}”: "
                                  "edit that one to link it to more sessions.")

    def validate_talk_ids(self, field) -> None:
        wanted = set(field.data or [])
        self.talks = talks_with_speakers(Talk.id.in_(wanted)) if wanted else []
        if len(self.talks) != len(wanted):
            raise ValidationError("A session you ticked no longer exists; untick it and save again.")

    def writeup_data(self) -> dict:
        return {name: self[name].data for name in ("url", "title", "author", "published_on", "kind", "excerpt")}

    def suggestion_text(self) -> str:
        return (self.text.data or "").strip()[:MAX_TEXT] or f"{self.title.data or ''}\n{self.excerpt.data or ''}"


class TripReportForm(FlaskForm):
    markdown = TextAreaField("Your trip report, in Markdown")


@dataclass
class TalkChoice:
    """A checkbox of the form: a session, whether it is ticked, and why it is offered."""

    talk: Talk
    ticked: bool
    mention: Mention | None = None
    found: bool = False


@bp.app_template_global("writeups_of")
def writeups_of(talk: Talk) -> list[ListedWriteUp]:
    """A session's write-ups, with its recording and slides from the schedule: one query."""
    return writeups_by_talk([talk])[talk.id]


@bp.get("/writeups/")
def index():
    """Every write-up, newest first, with the sessions it is about."""
    writeups = db.session.scalars(sa.select(WriteUp).options(
        selectinload(WriteUp.talks).selectinload(Talk.conference))
        .order_by(WriteUp.created_at.desc(), WriteUp.id.desc())).all()
    return render_template("writeups/index.html", writeups=writeups)


@bp.get("/writeups/<int:writeup_id>")
def detail(writeup_id: int):
    """A write-up and its sessions, by conference."""
    writeup = load_writeup(writeup_id) or abort(404)
    talks = sorted(writeup.talks, key=lambda talk: (talk.conference.start_date, talk.conference.name,
                                                    talk.starts_at, talk.id))
    groups = [(conference, list(conference_talks))
              for conference, conference_talks in groupby(talks, key=lambda talk: talk.conference)]
    return render_template("writeups/detail.html", writeup=writeup, groups=groups)


@bp.route("/writeups/new", methods=["GET", "POST"])
@login_required
def create():
    """Add a write-up; ?talk=<id> ticks that session, ?conference=<slug> looks there."""
    form = WriteUpForm()
    if not form.is_submitted():
        if (talk := db.session.get(Talk, request.args.get("talk", type=int) or 0)) is not None:
            form.talk_ids.data = [talk.id]
            form.conference_ids.data = [talk.conference_id]
        elif slug := request.args.get("conference"):
            form.conference_ids.data = [get_conference(slug).id]
    return form_page(form)


@bp.route("/writeups/<int:writeup_id>/edit", methods=["GET", "POST"])
@login_required
def edit(writeup_id: int):
    """Edit a write-up; unticking a session unlinks it."""
    writeup = load_writeup(writeup_id) or abort(404)
    form = WriteUpForm(writeup=writeup)
    if not form.is_submitted():
        form.talk_ids.data = [talk.id for talk in writeup.talks]
        form.conference_ids.data = sorted({talk.conference_id for talk in writeup.talks})
    return form_page(form)


def form_page(form: WriteUpForm):
    """Save the write-up, or (on "Suggest sessions", or with errors) show the form again
    with the sessions to tick."""
    action = request.form.get("action", "save")
    if form.is_submitted() and action == "save" and form.validate():
        writeup = form.writeup or WriteUp(added_by_id=current_user.id)
        save_writeup(writeup, form.writeup_data(), form.talks)
        db.session.commit()
        count = len(writeup.talks)
        flash(f"Saved “{writeup.title}”, about {count} session{'' if count == 1 else 's'}.")
        return redirect(url_for(".detail", writeup_id=writeup.id))
    conferences = db.session.scalars(
        sa.select(Conference).order_by(Conference.start_date.desc(), Conference.name)).all()
    known = {conference.id for conference in conferences}
    form.conference_ids.data = [i for i in form.conference_ids.data or [] if i in known]
    suggesting = form.is_submitted() and action == "suggest"
    choices = talk_choices(form, suggesting)
    form.shown_ids.data = " ".join(str(choice.talk.id) for choice in choices)
    return render_template("writeups/form.html", form=form, writeup=form.writeup, choices=choices,
                           conferences=conferences, suggesting=suggesting)


def talk_choices(form: WriteUpForm, suggesting: bool) -> list[TalkChoice]:
    """The sessions to show as checkboxes: the suggested ones best first (newly suggested
    ones ticked above the threshold), those found by the search, then the ones ticked or
    shown before, in time order."""
    scope = form.conference_ids.data
    mentions = suggest_talks(form.suggestion_text(), scope) if suggesting else []
    query = (form.find.data or "").strip()
    found = find_talks(query, scope) if suggesting and query else []
    ticked = set(form.talk_ids.data or [])
    shown = set(ids((form.shown_ids.data or "").split()))
    ticked |= {mention.talk.id for mention in mentions if mention.ticked and mention.talk.id not in shown}
    form.talk_ids.data = sorted(ticked)
    choices = [TalkChoice(mention.talk, mention.talk.id in ticked, mention) for mention in mentions]
    offered = {choice.talk.id for choice in choices}
    choices += [TalkChoice(talk, talk.id in ticked, found=True) for talk in found if talk.id not in offered]
    offered |= {talk.id for talk in found}
    rest = (ticked | shown) - offered
    if rest:
        choices += [TalkChoice(talk, talk.id in ticked) for talk in talks_with_speakers(Talk.id.in_(rest))]
    return choices


@bp.post("/writeups/<int:writeup_id>/talks/<int:talk_id>/unlink")
@login_required
def unlink_talk(writeup_id: int, talk_id: int):
    """The write-up is not about this session: remove the link, keep both."""
    writeup = db.get_or_404(WriteUp, writeup_id)
    talk = db.get_or_404(Talk, talk_id)
    unlink(writeup, talk)
    db.session.commit()
    flash(f"“{writeup.title}” is no longer linked to “{talk.title}”.")
    return redirect(safe_next(request.form.get("next")) if request.form.get("next")
                    else url_for(".detail", writeup_id=writeup.id))


@bp.post("/writeups/<int:writeup_id>/delete")
@login_required
def delete(writeup_id: int):
    """Delete a write-up and its links; its sessions stay."""
    writeup = db.get_or_404(WriteUp, writeup_id)
    delete_writeup(writeup)
    db.session.commit()
    flash(f"Deleted “{writeup.title}”.")
    return redirect(url_for(".index"))


@bp.get("/c/<slug>/trip-report")
@login_required
def trip_report_page(slug: str):
    """The current user's trip report draft, to edit and download."""
    conference = get_conference(slug)
    report = trip_report(current_user, conference)
    form = TripReportForm(markdown=report.markdown)
    return render_template("writeups/trip_report.html", conference=conference, report=report, form=form)


@bp.route("/c/<slug>/trip-report.md", methods=["GET", "POST"])
@login_required
def trip_report_download(slug: str):
    """The draft as a Markdown file; a POST downloads the text as edited in the page
    (line ends made \\n: browsers send a textarea's lines ended by \\r\\n)."""
    conference = get_conference(slug)
    if request.method == "POST":
        form = TripReportForm()
        if not form.validate():
            abort(400)
        markdown = (form.markdown.data or "").replace("\r\n", "\n")
    else:
        markdown = trip_report(current_user, conference).markdown
    return Response(markdown, mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="{conference.slug}-trip-report.md"'})
