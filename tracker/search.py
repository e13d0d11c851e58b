"""Full-text search over sessions and the searcher's own notes.

Each talk keeps a `search_text` (title, subtitle, abstract, speakers' names) that the
services refresh whenever one of those changes. The database indexes it with its own
full-text engine: SQLite FTS5 tables kept in step by triggers, PostgreSQL GIN indexes on
to_tsvector('simple', ...) ('simple': conferences are multilingual, so no stemming).
Both are created by the migration "search".

The engines differ in one way users notice: SQLite's tokenizer removes diacritics, so
"joran" finds "Jöran"; PostgreSQL's 'simple' configuration keeps them, so only "jöran"
(in any case) does.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Conference
from .models import Note
from .models import Speaker
from .models import Talk
from .models import TalkSpeaker
from .models import User


def search_document(title: str, subtitle: str, abstract: str, speaker_names: Iterable[str]) -> str:
    """The text a session is found by."""
    return "\n".join(part for part in (title, subtitle, " ".join(speaker_names), abstract) if part)


#: database objects the search migrations make outside the models (FTS5 tables and their
#: shadow tables on SQLite; generated tsvector columns and their GIN indexes on PostgreSQL)
INDEX_OBJECTS = ("talk_fts", "note_fts", "ix_talk_search_text_fts", "ix_note_body_fts",
                 "search_vector", "body_vector")
#: document column -> its generated tsvector column on PostgreSQL
PG_VECTORS = {"search_text": "search_vector", "body": "body_vector"}


def is_model_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """For Alembic's include_object: leave the search indexes out of schema comparisons."""
    return not (name and name.startswith(INDEX_OBJECTS))


# Searching ------------------------------------------------------------------------------

#: what the databases' snippet functions put around matched words: control characters that
#: schedule text does not hold, turned into <mark> once the text around them is escaped
MARK_START = "\x02"
MARK_END = "\x03"
MAX_QUERY_CHARS = 200
MAX_TERMS = 16
#: results shown; more than this and the page asks for a narrower search
RESULTS = 50
SNIPPET_WORDS = 24
#: a query term found in a session's title outweighs any relevance the engine gives
TITLE_WEIGHT = 1000
#: and one found in a speaker's name outweighs it too, a title's match still more
SPEAKER_WEIGHT = 100
#: the configuration of the PostgreSQL indexes, as a literal so that the planner matches
#: the indexes' expressions (a bound parameter would not)
SIMPLE = sa.literal_column("'simple'::regconfig")
HEADLINE_OPTIONS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=8, "
                    'MaxFragments=2, FragmentDelimiter=" … "')
TERM = re.compile(r'"([^"]*)"|(\S+)')
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TALK_FTS = sa.table("talk_fts", sa.column("rowid", sa.Integer))
NOTE_FTS = sa.table("note_fts", sa.column("rowid", sa.Integer))


@dataclass(frozen=True)
class SearchQuery:
    """What the user typed, as words and "quoted phrases", every one of which must match.

    Nothing else is syntax: AND, OR, NEAR, *, ^, - and column names are plain words.
    """

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return self.words + self.phrases

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse_query(text: str) -> SearchQuery:
    """Words and quoted phrases, the first MAX_TERMS different ones; an unclosed quote is
    ignored, and a term without a letter or digit (such as "++") dropped, since no engine
    indexes it."""
    terms: dict[str, tuple[str, bool]] = {}  # folded term -> (term, is a phrase), as typed
    for phrase, word in TERM.findall(CONTROL.sub(" ", text[:MAX_QUERY_CHARS])):
        term = " ".join(phrase.split()) if phrase else word.strip('"')
        if _has_word(term) and len(terms) < MAX_TERMS:
            terms.setdefault(term.casefold(), (term, bool(phrase)))
    return SearchQuery(tuple(term for term, is_phrase in terms.values() if not is_phrase),
                       tuple(term for term, is_phrase in terms.values() if is_phrase))


def _has_word(text: str) -> bool:
    return any(character.isalnum() for character in text)


def fts5_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: each term as an FTS5 string (double quotes, inner ones
    doubled), so that none of it is read as FTS5 syntax; strings side by side all match."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in query.terms)


def pg_tsquery(query: SearchQuery) -> sa.ColumnElement:
    """A tsquery that every word and each phrase (its words in order) must match."""
    parts = [sa.func.phraseto_tsquery(SIMPLE, phrase) for phrase in query.phrases]
    if query.words:
        parts.insert(0, sa.func.plainto_tsquery(SIMPLE, " ".join(query.words)))
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


def pg_document(column: sa.ColumnElement) -> sa.ColumnElement:
    """The indexed tsvector of a document column: the generated column beside it, which
    the migration "postgresql search vectors" adds and the GIN index covers."""
    return sa.literal_column(f"{column.table.name}.{PG_VECTORS[column.key]}")


def marked(snippet: str | None) -> Markup:
    """A snippet from the database as HTML: the text escaped, the matches in <mark>, and
    always well formed, whatever markers the text itself may hold."""
    if not snippet:
        return Markup("")
    first, *marked_parts = snippet.split(MARK_START)
    pieces = [escape(first.replace(MARK_END, ""))]
    for part in marked_parts:
        found, _, rest = part.partition(MARK_END)
        pieces.append(Markup("<mark>%s</mark>%s") % (found, rest.replace(MARK_END, "")))
    return Markup("").join(pieces)


@dataclass
class Hit:
    """A session that matched, through its own text, the searcher's notes on it, or both."""

    talk: Talk
    score: float
    snippet: Markup = field(default_factory=Markup)
    #: from the searcher's own note, when the note matched
    note_snippet: Markup | None = None

    @property
    def in_notes(self) -> bool:
        return self.note_snippet is not None


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    hits: list[Hit]
    #: more sessions matched than are shown
    more: bool = False


def search(text: str, *, user: User | None = None, conference: Conference | None = None,
           limit: int = RESULTS) -> SearchResults:
    """Sessions whose title, subtitle, abstract or speakers match `text`, and those the
    user's own notes match (never anyone else's notes), best first, in a constant number
    of queries. Ranking: how many of the terms the title holds, then the engine's own
    relevance (bm25 on SQLite, ts_rank on PostgreSQL)."""
    query = parse_query(text)
    if not query:
        return SearchResults(query, [])
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    talk_rows = (_sqlite_talk_rows if sqlite else _pg_talk_rows)(query, conference, limit + 1)
    note_rows = (_sqlite_note_rows if sqlite else _pg_note_rows)(query, user, conference, limit + 1) if user else []
    found: dict[int, dict[str, Any]] = {}
    for talk_id, score, snippet in talk_rows:
        found[talk_id] = {"score": score, "snippet": marked(snippet)}
    for talk_id, score, snippet in note_rows:
        hit = found.setdefault(talk_id, {"score": score})
        hit["score"] = max(hit["score"], score)
        hit.setdefault("note_snippet", marked(snippet))
    best = sorted(found, key=lambda talk_id: -found[talk_id]["score"])[:limit]
    talks = {talk.id: talk for talk in db.session.scalars(
        sa.select(Talk).where(Talk.id.in_(best))
        .options(joinedload(Talk.conference), joinedload(Talk.room), joinedload(Talk.track),
                 selectinload(Talk.speakers)))}
    hits = [Hit(talks[talk_id], **found[talk_id]) for talk_id in best]
    return SearchResults(query, hits, more=len(found) > limit)


def _title_matches(query: SearchQuery) -> sa.ColumnElement:
    """How many of the terms the session's title contains (case-insensitively)."""
    return sum(sa.case((Talk.title.ilike(_contains(term), escape="\\"), 1), else_=0)
               for term in query.terms)


def _speaker_matches(query: SearchQuery) -> sa.ColumnElement:
    """How many of the terms the names of the session's speakers contain: someone's own
    sessions rank above those whose abstracts only mention them."""
    def named(term: str) -> sa.ColumnElement[bool]:
        # not correlated: the database finds the speakers once, not once per match
        return Talk.id.in_(sa.select(TalkSpeaker.talk_id).join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
                           .where(Speaker.name.ilike(_contains(term), escape="\\")))
    return sum(sa.case((named(term), 1), else_=0) for term in query.terms)


def _score(query: SearchQuery, engine_rank: sa.ColumnElement) -> sa.ColumnElement:
    """Title matches first, then speakers' names, then the engine's own rank."""
    return _title_matches(query) * TITLE_WEIGHT + _speaker_matches(query) * SPEAKER_WEIGHT + engine_rank


def _contains(term: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"


def _in_conference(conference: Conference | None) -> list[sa.ColumnElement[bool]]:
    return [Talk.conference_id == conference.id] if conference is not None else []


def _sqlite_talk_rows(query: SearchQuery, conference: Conference | None, limit: int):
    fts = sa.literal_column("talk_fts")
    score = _score(query, -sa.func.bm25(fts))
    return db.session.execute(
        sa.select(Talk.id, score.label("score"),
                  sa.func.snippet(fts, 0, MARK_START, MARK_END, "…", SNIPPET_WORDS))
        .select_from(TALK_FTS).join(Talk, Talk.id == TALK_FTS.c.rowid)
        .where(fts.op("MATCH")(fts5_expression(query)), *_in_conference(conference))
        .order_by(sa.desc("score"), Talk.starts_at, Talk.id).limit(limit)).all()


def _sqlite_note_rows(query: SearchQuery, user: User, conference: Conference | None, limit: int):
    fts = sa.literal_column("note_fts")
    score = -sa.func.bm25(fts)
    statement = (
        sa.select(Note.talk_id, score.label("score"),
                  sa.func.snippet(fts, 0, MARK_START, MARK_END, "…", SNIPPET_WORDS))
        .select_from(NOTE_FTS).join(Note, Note.id == NOTE_FTS.c.rowid)
        .where(fts.op("MATCH")(fts5_expression(query)), Note.user_id == user.id)
        .order_by(sa.desc("score"), Note.id).limit(limit))
    if conference is not None:
        statement = statement.join(Talk, Talk.id == Note.talk_id).where(*_in_conference(conference))
    return db.session.execute(statement).all()


def _pg_talk_rows(query: SearchQuery, conference: Conference | None, limit: int):
    tsquery = pg_tsquery(query)
    document = pg_document(Talk.search_text)
    score = _score(query, sa.func.ts_rank(document, tsquery))
    best = (sa.select(Talk.id, Talk.search_text, Talk.starts_at, score.label("score"))
            .where(document.bool_op("@@")(tsquery), *_in_conference(conference))
            .order_by(sa.desc("score"), Talk.starts_at, Talk.id).limit(limit).subquery())
    return db.session.execute(
        sa.select(best.c.id, best.c.score,
                  sa.func.ts_headline(SIMPLE, best.c.search_text, tsquery, HEADLINE_OPTIONS))
        .order_by(best.c.score.desc(), best.c.starts_at, best.c.id)).all()


def _pg_note_rows(query: SearchQuery, user: User, conference: Conference | None, limit: int):
    tsquery = pg_tsquery(query)
    document = pg_document(Note.body)
    score = sa.func.ts_rank(document, tsquery)
    best = (sa.select(Note.id, Note.talk_id, Note.body, score.label("score"))
            .where(document.bool_op("@@")(tsquery), Note.user_id == user.id)
            .order_by(sa.desc("score"), Note.id).limit(limit))
    if conference is not None:
        best = best.join(Talk, Talk.id == Note.talk_id).where(*_in_conference(conference))
    best = best.subquery()
    return db.session.execute(
        sa.select(best.c.talk_id, best.c.score,
                  sa.func.ts_headline(SIMPLE, best.c.body, tsquery, HEADLINE_OPTIONS))
        .order_by(best.c.score.desc(), best.c.id)).all()
