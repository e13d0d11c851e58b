"""Notes on sessions: one's own notes on a session's page, editing and deleting them, the
notebook of a conference with its Markdown export, and read-only share links.

Notes are private: a note that is not the current user's is answered 404, as if it did
not exist. A note form never loses its text: failed validation, an expired CSRF token and a
logged-out session all give the form back with the text in it.
"""

from datetime import datetime

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..extensions import db
from ..markdown import render_markdown
from ..models import Note
from ..models import Talk
from ..models import utcnow
from ..services.notes import NotebookFilter
from ..services.notes import NoteContent
from ..services.notes import add_note
from ..services.notes import delete_note
from ..services.notes import normalise_tags
from ..services.notes import notebook
from ..services.notes import notebook_markdown
from ..services.notes import notebook_tags
from ..services.notes import notes_on
from ..services.notes import own_note
from ..services.notes import revoke_share
from ..services.notes import share_notebook
from ..services.notes import share_of
from ..services.notes import shared_by_token
from ..services.notes import update_note
from .auth import safe_next
from .errors import render_error
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("notes", __name__)

RATINGS = range(1, 6)
EXPIRED = ("This page was open too long, so your note was not saved. Your text is below: "
           "check it and send it again.")
LOGGED_OUT = ("You are logged out, so your note was not saved. Your text is below: log in "
              "(in another tab, to keep this page), then send it again.")
#: session key: drafts that notes.js may delete from the browser's storage, as their text is saved
FORGET_DRAFTS = "forget_note_drafts"
#: the session cookie is small: a user who saves this many notes without seeing a notes page
#: keeps the oldest drafts, which notes.js offers back and the user can discard
FORGET_AT_MOST = 20


def optional_int(value) -> int | None:
    return None if value in ("", None) else int(value)


class NoteForm(FlaskForm):
    # ids of their own: the form shares the session's page with other forms
    body = TextAreaField("Note", [Length(max=100_000)], id="note-body", render_kw={"rows": 6},
                         description="Markdown: **bold**, *italic*, - lists, [link text](https://…)")
    rating = SelectField("Rating", coerce=optional_int, id="note-rating", choices=[
        SelectChoice("", "No rating"), *(SelectChoice(str(stars), f"{stars} of 5") for stars in RATINGS)])
    tags = StringField("Tags", [Length(max=500)], id="note-tags",
                       description="Words separated by spaces, such as storage btrfs")
    #: when the form was shown, to recognise the same form sent twice (see services.notes.add_note)
    opened_at = HiddenField(id="note-opened-at", default=lambda: utcnow().isoformat())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.body.data.strip() and self.rating.data is None:
            self.body.errors = [*self.body.errors, "Write something, or give a rating."]
            return False
        return True

    def content(self) -> NoteContent:
        return NoteContent.clean(self.body.data, self.rating.data, self.tags.data)

    def opened(self) -> datetime | None:
        """When the form was shown, or None if the field is missing or garbled."""
        try:
            opened = datetime.fromisoformat(self.opened_at.data or "")
        except ValueError:
            return None
        return opened if opened.tzinfo is not None else None


@bp.app_template_global("note_draft_key")
def draft_key(*, talk_id: int | None = None, note_id: int | None = None) -> str:
    """The name notes.js keeps a form's draft under: one per session's new-note form, one per note."""
    return f"note-{note_id}" if note_id is not None else f"talk-{talk_id}"


def forget_draft(key: str) -> None:
    """Tell notes.js, on the next page, that this draft is saved and can go."""
    session[FORGET_DRAFTS] = [*session.get(FORGET_DRAFTS, []), key][-FORGET_AT_MOST:]


def own_note_or_404(note_id: int) -> Note:
    note = own_note(current_user, note_id)
    if note is None:
        abort(404)
    return note


def next_or(default: str) -> str:
    """Where to go after saving: ?next= (or a form's next) if it is on this site, else `default`."""
    target = request.values.get("next")
    return safe_next(target) if target else default


def note_url(note: Note) -> str:
    talk = note.talk
    return url_for("talks.detail", slug=talk.conference.slug, talk_id=talk.id, _anchor=f"note-{note.id}")


def form_page(form: NoteForm, talk: Talk | None, note: Note | None = None, *, message: str | None = None,
              status: int = 200, draft: str | None = None):
    """The note form on a page of its own, as sent, with what went wrong."""
    if draft is None:
        draft = draft_key(note_id=note.id) if note is not None else draft_key(talk_id=talk.id)
    return render_template("notes/form.html", form=form, talk=talk, note=note, message=message,
                           conference=talk.conference if talk else None, draft=draft), status


def logged_out_edit_page(note_id: int):
    """The text sent to edit a note, back to a user who is no longer logged in. Nothing about
    the note itself is shown: whose it is cannot be known."""
    return form_page(NoteForm(), None, message=LOGGED_OUT, status=401, draft=draft_key(note_id=note_id))


@bp.post("/c/<slug>/talks/<int:talk_id>/notes")
def create(slug: str, talk_id: int):
    """Add a note to a session; the same form sent twice adds it once."""
    talk = get_in_conference(Talk, get_conference(slug), talk_id)
    form = NoteForm()
    if not current_user.is_authenticated:
        return form_page(form, talk, message=LOGGED_OUT, status=401)
    if form.validate_on_submit():
        note, is_new = add_note(current_user, talk, form.content(), form.opened())
        db.session.commit()
        forget_draft(draft_key(talk_id=talk.id))
        flash("Note saved." if is_new else "This note was saved already; it was not added twice.")
        return redirect(note_url(note))
    return form_page(form, talk)


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit(note_id: int):
    """Edit one of one's notes; ?next= says where to go back to."""
    if not current_user.is_authenticated:
        if request.method == "GET":
            return current_app.login_manager.unauthorized()
        return logged_out_edit_page(note_id)
    note = own_note_or_404(note_id)
    form = NoteForm(obj=note)
    if form.validate_on_submit():
        update_note(note, form.content())
        db.session.commit()
        forget_draft(draft_key(note_id=note.id))
        flash("Note saved.")
        return redirect(next_or(note_url(note)))
    return form_page(form, note.talk, note)


@bp.post("/notes/<int:note_id>/delete")
@login_required
def delete(note_id: int):
    note = own_note_or_404(note_id)
    talk, key = note.talk, draft_key(note_id=note.id)
    delete_note(note)
    db.session.commit()
    forget_draft(key)
    flash("Note deleted.")
    return redirect(next_or(url_for("talks.detail", slug=talk.conference.slug, talk_id=talk.id, _anchor="notes")))


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A note form whose CSRF token expired (or whose session ended) comes back with its text,
    instead of the generic error page; other forms here changed nothing and say so."""
    try:
        return expired_form_page()
    except HTTPException as exc:  # Flask does not handle what an error handler raises
        return render_error(exc)


def expired_form_page():
    """What form_expired answers, by the endpoint the form was sent to."""
    if request.endpoint == "notes.create":
        talk = get_in_conference(Talk, get_conference(request.view_args["slug"]), request.view_args["talk_id"])
        if not current_user.is_authenticated:
            return form_page(NoteForm(), talk, message=LOGGED_OUT, status=401)
        return form_page(NoteForm(), talk, message=EXPIRED, status=400)
    if request.endpoint == "notes.edit" and current_user.is_authenticated:
        note = own_note_or_404(request.view_args["note_id"])
        return form_page(NoteForm(), note.talk, note, message=EXPIRED, status=400)
    if request.endpoint == "notes.edit":
        return logged_out_edit_page(request.view_args["note_id"])
    flash("This page was open too long, so nothing was changed: try again.", "error")
    if slug := (request.view_args or {}).get("slug"):
        return redirect(url_for(".notebook_page", slug=slug))
    return redirect(next_or(url_for("conferences.index")))


def notebook_filter(args: MultiDict) -> NotebookFilter:
    """?tag=...&min_rating=... as a filter; values that mean nothing are ignored."""
    tag = normalise_tags(args.get("tag", "")).partition(" ")[0] or None
    min_rating = args.get("min_rating", type=int)
    return NotebookFilter(tag, min_rating if min_rating in RATINGS else None)


@bp.get("/c/<slug>/notebook")
@login_required
def notebook_page(slug: str):
    """All my notes on a conference, session by session, filtered by tag and rating."""
    conference = get_conference(slug)
    only = notebook_filter(request.args)
    sessions = notebook(current_user, conference, only)
    return render_template(
        "notes/notebook.html", conference=conference, only=only, ratings=RATINGS, sessions=sessions,
        note_count=sum(len(notes) for _, notes in sessions), tags=notebook_tags(current_user, conference),
        share=share_of(current_user, conference))


@bp.get("/c/<slug>/notebook.md")
@login_required
def export(slug: str):
    """The notebook (with the same filters) as one Markdown file."""
    conference = get_conference(slug)
    text = notebook_markdown(conference, notebook(current_user, conference, notebook_filter(request.args)))
    return Response(text, content_type="text/markdown; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{conference.slug}-notes.md"'})


@bp.post("/c/<slug>/notebook/share")
@login_required
def share(slug: str):
    """Make (or show again) the secret link to my notes on the conference."""
    conference = get_conference(slug)
    share_notebook(current_user, conference)
    db.session.commit()
    flash("Anyone with the link below can now read your notes on this conference.")
    return redirect(url_for(".notebook_page", slug=slug, _anchor="share"))


@bp.post("/c/<slug>/notebook/share/revoke")
@login_required
def revoke(slug: str):
    """Stop the link working; sharing again makes a new one."""
    conference = get_conference(slug)
    if revoke_share(current_user, conference):
        db.session.commit()
        flash("The link is revoked: it no longer shows your notes.")
    return redirect(url_for(".notebook_page", slug=slug, _anchor="share"))


@bp.get("/shared/<token>")
def shared(token: str):
    """Someone's notes on one conference, read-only, for whoever has the secret link."""
    share = shared_by_token(token)
    if share is None:
        abort(404)
    response = make_response(render_template(
        "notes/shared.html", share=share, conference=share.conference,
        sessions=notebook(share.user, share.conference)))
    # the address is the secret: keep it out of Referer headers, search engines and caches
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def my_notes(talk: Talk) -> list[Note]:
    """The current user's notes on a session, for the session's page."""
    return notes_on(current_user, talk) if current_user.is_authenticated else []


@bp.app_template_global()
def new_note_form() -> NoteForm:
    return NoteForm(formdata=None)


@bp.app_template_global()
def note_drafts_to_forget() -> list[str]:
    """Drafts saved since the last page, once: notes.js deletes them from the browser."""
    return session.pop(FORGET_DRAFTS, [])


bp.add_app_template_filter(render_markdown, "markdown")
