"""Accounts: creating users and checking passwords."""

from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import User
from ..models.user import new_feed_token


@cache
def _decoy_hash() -> str:
    """Checked against when the e-mail is unknown, so that both failures take as long."""
    return generate_password_hash("no such user")


def create_user(email: str, password: str, *, display_name: str = "", is_admin: bool = False) -> User:
    user = User(email=email.strip().lower(), display_name=display_name.strip(), is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None."""
    user = find_user(email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return None
    return user if user.check_password(password) else None


def user_by_feed_token(token: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.feed_token == token))


def replace_feed_token(user: User) -> None:
    """Revoke the user's feed URL by giving them a new secret one."""
    user.feed_token = new_feed_token()
