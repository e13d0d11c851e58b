"""Since when an export has had its current content, for HTTP Last-Modified."""

import hashlib
from datetime import datetime
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ExportVersion
from ..models import utcnow


def changed_at(what: str, etag: str) -> datetime:
    """When the export `what` (any text naming it) first had the content `etag`.

    Writes only when the content changed. Times are whole seconds and grow by at least one
    per change, so that two changes within a second still give a newer Last-Modified.
    """
    key = hashlib.sha256(what.encode()).hexdigest()
    version = db.session.get(ExportVersion, key)
    if version is not None and version.etag == etag:
        return version.changed_at
    now = utcnow().replace(microsecond=0)
    if version is None:
        version = ExportVersion(key=key, etag=etag, changed_at=now)
        db.session.add(version)
    else:
        version.etag = etag
        version.changed_at = max(now, version.changed_at + timedelta(seconds=1))
    try:
        db.session.commit()
    except IntegrityError:  # another process saw the same new export first
        db.session.rollback()
        return db.session.get(ExportVersion, key).changed_at
    return version.changed_at
