"""Forms. Each validates on the server what the database would refuse, with a message
beside the field; CSRF comes from FlaskForm."""

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import DateField
from wtforms import DateTimeLocalField
from wtforms import EmailField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from .extensions import db
from .importers import IMPORTERS
from .models import TALK_KINDS
from .models import TALK_STATUSES
from .models import Conference
from .models import Room
from .models import Talk
from .models import Track
from .models import User
from .timezones import NonexistentLocalTime
from .timezones import is_zone
from .timezones import local_date
from .timezones import local_to_utc

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
optional_url = [Optional(), URL(message="Enter a full web address, starting with http:// or https://.")]


def validate_zone(form, field) -> None:
    if not is_zone(field.data.strip()):
        raise ValidationError(f"“{field.data}” is not an IANA time zone, such as Europe/Brussels.")


class ConferenceForm(FlaskForm):
    name = StringField("Name", [DataRequired(), Length(max=200)])
    slug = StringField("Short name in addresses", [
        DataRequired(), Length(max=100),
        Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and single hyphens, such as linuxcon-na-2011.")])
    timezone = StringField("Time zone", [DataRequired(), validate_zone],
                           description="IANA name, such as America/Vancouver")
    start_date = DateField("First day", [InputRequired()])
    end_date = DateField("Last day", [InputRequired()])
    venue = StringField("Venue", [Length(max=200)])
    url = URLField("Web site", optional_url)
    description = TextAreaField("Description")

    def __init__(self, *args, conference: Conference | None = None, **kwargs):
        super().__init__(*args, obj=conference, **kwargs)
        self.conference = conference

    def validate_slug(self, field) -> None:
        taken = db.session.scalar(sa.select(Conference.id).where(Conference.slug == field.data))
        if taken is not None and (self.conference is None or taken != self.conference.id):
            raise ValidationError("Another conference already uses this short name.")

    def validate_end_date(self, field) -> None:
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The last day cannot be before the first day.")
        if self.conference is None or self.start_date.data is None or field.data is None:
            return
        if not is_zone(self.timezone.data.strip()):
            return
        zone = ZoneInfo(self.timezone.data.strip())
        days = {local_date(talk.starts_at, zone) for talk in self.conference.talks}
        if days and (min(days) < self.start_date.data or max(days) > field.data):
            raise ValidationError(
                f"Sessions are scheduled from {min(days):%d %B %Y} to {max(days):%d %B %Y}; "
                "the dates must include them.")


class PartForm(FlaskForm):
    """A room or a track: a named, ordered part of one conference."""

    name = StringField("Name", [DataRequired(), Length(max=200)])
    position = IntegerField("Order", [Optional()], default=0,
                            description="Lower numbers come first")

    def __init__(self, *args, model: type[Room] | type[Track], conference: Conference,
                 part: Room | Track | None = None, **kwargs):
        super().__init__(*args, obj=part, **kwargs)
        self.model, self.conference, self.part = model, conference, part

    def validate_name(self, field) -> None:
        taken = db.session.scalar(sa.select(self.model.id).where(
            self.model.conference_id == self.conference.id, self.model.name == field.data))
        if taken is not None and (self.part is None or taken != self.part.id):
            raise ValidationError(f"This conference already has a {self.model.__name__.lower()} "
                                  f"called “{field.data}”.")


class RoomForm(PartForm):
    pass


class TrackForm(PartForm):
    color = StringField("Colour", [Optional(), Regexp(r"^#[0-9a-fA-F]{6}$",
                                                      message="Use the form #3366cc.")],
                        description="#rrggbb; leave empty for the default")


class SpeakerForm(FlaskForm):
    name = StringField("Name", [DataRequired(), Length(max=200)])
    affiliation = StringField("Affiliation", [Length(max=200)])
    url = URLField("Web page", optional_url)
    bio = TextAreaField("Biography")


class TalkForm(FlaskForm):
    """A session. Times are entered in the conference's zone and validated against its dates."""

    title = StringField("Title", [DataRequired(), Length(max=500)])
    subtitle = StringField("Subtitle", [Length(max=500)])
    kind = SelectField("Kind", choices=[SelectChoice(kind, kind.capitalize()) for kind in TALK_KINDS],
                       default="talk")
    status = SelectField("Status", choices=[SelectChoice(s, s.capitalize()) for s in TALK_STATUSES],
                         default="confirmed")
    starts_at = DateTimeLocalField("Starts", [InputRequired()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField("Ends", [InputRequired()], format="%Y-%m-%dT%H:%M")
    room_id = SelectField("Room", coerce=int)
    track_id = SelectField("Track", coerce=int)
    speaker_ids = SelectMultipleField("Speakers", coerce=int)
    language = StringField("Language", [Length(max=20)], description="Such as en or de")
    abstract = TextAreaField("Abstract")
    description = TextAreaField("Description")
    url = URLField("Page on the conference site", optional_url)
    slides_url = URLField("Slides", optional_url)
    video_url = URLField("Recording", optional_url)

    def __init__(self, *args, conference: Conference, talk: Talk | None = None, **kwargs):
        if talk is not None:
            kwargs["data"] = self._talk_values(talk, conference)
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.room_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(room.id, room.name) for room in conference.rooms]
        self.track_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(track.id, track.name) for track in conference.tracks]
        self.speaker_ids.choices = [SelectChoice(speaker.id, speaker.name) for speaker in conference.speakers]
        self.starts_at.description = self.ends_at.description = f"Local time, {conference.timezone}"

    @staticmethod
    def _talk_values(talk: Talk, conference: Conference) -> dict:
        """What the form shows for a saved talk: its fields, with times on the conference's clock."""
        values = {name: getattr(talk, name) for name in (
            "title", "subtitle", "kind", "status", "language", "abstract", "description",
            "url", "slides_url", "video_url")}
        values["starts_at"] = talk.starts_at.astimezone(conference.zone).replace(tzinfo=None)
        values["ends_at"] = talk.ends_at.astimezone(conference.zone).replace(tzinfo=None)
        values["room_id"] = talk.room_id or 0
        values["track_id"] = talk.track_id or 0
        values["speaker_ids"] = [speaker.id for speaker in talk.speakers]
        return values

    def _utc(self, field) -> datetime | None:
        try:
            return local_to_utc(field.data, self.conference.zone)
        except NonexistentLocalTime as exc:
            raise ValidationError(str(exc)) from exc

    def validate_starts_at(self, field) -> None:
        if field.data is None:  # unreadable; WTForms has said so
            return
        self._utc(field)
        day = field.data.date()
        if not self.conference.start_date <= day <= self.conference.end_date:
            raise ValidationError(
                f"The session must start during the conference, {self.conference.start_date:%d %B %Y} "
                f"to {self.conference.end_date:%d %B %Y}.")

    def validate_ends_at(self, field) -> None:
        if field.data is None:
            return
        end = self._utc(field)
        if self.starts_at.data is None:
            return
        try:
            start = local_to_utc(self.starts_at.data, self.conference.zone)
        except NonexistentLocalTime:
            return
        if end <= start:
            raise ValidationError("The session must end after it starts.")
        if end - start > timedelta(days=1):
            raise ValidationError("A session cannot last more than a day.")

    def talk_data(self) -> dict:
        """The form's values in the model's terms: UTC times, ids or None."""
        data = {name: self[name].data for name in (
            "title", "subtitle", "kind", "status", "language", "abstract", "description",
            "url", "slides_url", "video_url")}
        data["starts_at"] = local_to_utc(self.starts_at.data, self.conference.zone)
        data["ends_at"] = local_to_utc(self.ends_at.data, self.conference.zone)
        data["room_id"] = self.room_id.data or None
        data["track_id"] = self.track_id.data or None
        data["speaker_ids"] = list(self.speaker_ids.data)
        return data


class ImportForm(FlaskForm):
    """A schedule to import: a file or a URL, and what the file may not say itself."""

    file = FileField("Schedule file", description="frab XML or JSON, iCalendar (.ics) or CSV")
    url = URLField("or its address", [Optional(), URL(message="Enter an http:// or https:// address.")])
    format = SelectField("Format", choices=[SelectChoice("", "Detect from the content")] + [
        SelectChoice(name, importer.label) for name, importer in IMPORTERS.items()], default="")
    timezone = StringField("Time zone", [Optional(), validate_zone],
                           description="For files whose times carry no zone, such as FOSDEM's; "
                                       "IANA name, such as Europe/Brussels")
    conference = StringField("Conference short name", [Optional(), Regexp(SLUG_PATTERN, message=(
        "Use lower-case letters, digits and single hyphens."))],
        description="An existing conference to update; empty to use the schedule's own")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if bool(self.file.data) == bool(self.url.data and self.url.data.strip()):
            self.url.errors = [*self.url.errors, "Give either a file or an address, not both or neither."]
            return False
        return valid


class SettingsForm(FlaskForm):
    display_name = StringField("Name shown to others", [Length(max=100)])
    timezone = StringField("Show times in", [Optional(), validate_zone],
                           description="An IANA zone, such as Europe/Brussels; empty to show each "
                                       "conference in its own zone")
    reminder_minutes = IntegerField("Remind me before each session", [
        Optional(), NumberRange(min=0, max=24 * 60, message="Between 0 and 1440 minutes.")],
        description="Minutes, in your agenda feed; empty for no reminder")


class RegisterForm(FlaskForm):
    email = EmailField("E-mail", [DataRequired(), Email(check_deliverability=False), Length(max=254)])
    display_name = StringField("Name shown to others", [Length(max=100)])
    password = PasswordField("Password", [DataRequired(), Length(min=8, message="Use at least 8 characters.")])
    confirm = PasswordField("Password again", [DataRequired(), EqualTo("password", message="The passwords differ.")])

    def validate_email(self, field) -> None:
        email = field.data.strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise ValidationError("An account with this e-mail address exists already; log in instead.")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", [DataRequired()])
    password = PasswordField("Password", [DataRequired()])
    remember = BooleanField("Keep me logged in")
