"""The data model; see DESIGN.md. Import models from here."""

from .conference import Conference
from .conference import Room
from .conference import Track
from .exports import ExportVersion
from .imports import CHANGE_KINDS
from .imports import ImportRun
from .imports import TalkChange
from .talk import SEQUENCED_FIELDS
from .talk import TALK_KINDS
from .talk import TALK_STATUSES
from .talk import Speaker
from .talk import Talk
from .talk import TalkSpeaker
from .types import UTCDateTime
from .types import utcnow
from .user import AGENDA_STATUSES
from .user import AgendaEntry
from .user import AgendaRemoval
from .user import Note
from .user import NoteShare
from .user import User
from .writeup import WRITEUP_KINDS
from .writeup import WriteUp
from .writeup import writeup_talk

__all__ = [
    "AGENDA_STATUSES", "CHANGE_KINDS", "SEQUENCED_FIELDS", "TALK_KINDS", "TALK_STATUSES", "WRITEUP_KINDS",
    "AgendaEntry", "AgendaRemoval", "Conference", "ExportVersion", "ImportRun", "Note", "NoteShare", "Room", "Speaker", "Talk", "TalkChange",
    "TalkSpeaker", "Track",
    "UTCDateTime", "User", "WriteUp", "utcnow", "writeup_talk",
]
