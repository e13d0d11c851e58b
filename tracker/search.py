"""Full-text search over sessions and the searcher's own notes.

Each talk keeps a `search_text` (title, subtitle, abstract, speakers' names) that the
services refresh whenever one of those changes. The database indexes it with its own
full-text engine: SQLite FTS5 tables kept in step by triggers, PostgreSQL GIN indexes on
to_tsvector('simple', ...) ('simple': conferences are multilingual, so no stemming).
Both are created by the migration "search".
"""

from collections.abc import Iterable


def search_document(title: str, subtitle: str, abstract: str, speaker_names: Iterable[str]) -> str:
    """The text a session is found by."""
    return "\n".join(part for part in (title, subtitle, " ".join(speaker_names), abstract) if part)


#: database objects the search migration makes outside the models (FTS5 tables and their
#: shadow tables on SQLite, GIN expression indexes on PostgreSQL)
INDEX_OBJECTS = ("talk_fts", "note_fts", "ix_talk_search_text_fts", "ix_note_body_fts")


def is_model_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """For Alembic's include_object: leave the search indexes out of schema comparisons."""
    return not (name and name.startswith(INDEX_OBJECTS))
