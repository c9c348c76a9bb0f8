"""Passwords and user names: argon2id hashing and verification, the password policy and the
user-name rules (no database; :mod:`perfwatch.auth` re-exports every name for its callers).

User names are compared by :func:`username_key` (NFKC + case folding): ``Admin1`` and full-width
``ａｄｍｉｎ1`` are the same name as ``admin1``. Passwords need :data:`PASSWORD_MIN_LENGTH`
characters, must not be in the shipped list of common passwords (``perfwatch/common_passwords.txt``),
must not contain the user name, and must not be one short piece repeated or a plain run (``abcdefghij``).
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from perfwatch.errors import ValidationError

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
USERNAME_MAX_LENGTH = 64

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    """An argon2id hash (salted) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a missing or malformed hash)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _burn_time(password: str) -> None:
    """Spend the time of one verification, so unknown usernames answer as slowly as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("perfwatch-timing-equaliser")
    verify_password(_dummy_hash, password)


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


def clean_username(username: str) -> str:
    """The username as stored: stripped; 1-64 characters, no spaces or control characters."""
    if not isinstance(username, str):
        raise ValidationError("用户名应为文本。")
    name = username.strip()
    if not name:
        raise ValidationError("用户名不能为空。")
    if len(name) > USERNAME_MAX_LENGTH:
        raise ValidationError(f"用户名不能超过 {USERNAME_MAX_LENGTH} 个字符。")
    if any(ch.isspace() for ch in name) or _has_control_chars(name):
        raise ValidationError("用户名不能包含空格或控制字符。")
    return name


def username_key(username: str) -> str:
    """The name as compared: NFKC-normalised and case-folded (``Ａｄｍｉｎ1`` -> ``admin1``)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username.strip()).casefold())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to accept (case-folded)."""
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def _is_run(text: str) -> bool:
    """``abcdefghij``, ``9876543210``: every character one code point after (or before) the last."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {1, -1}


def _is_repeated(text: str) -> bool:
    """One piece repeated: ``aaaaaaaaaa``, ``abcabcabcabc``, ``admin1admin1``."""
    n = len(text)
    return any(n % k == 0 and text[:k] * (n // k) == text for k in range(1, n // 2 + 1))


def check_password(password: str, username: str | None = None) -> None:
    """Refuse passwords that are too short or too long, common, built from the user name, one
    piece repeated or a plain run of characters."""
    if not isinstance(password, str):
        raise ValidationError("密码应为文本。")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(f"密码至少需要 {PASSWORD_MIN_LENGTH} 个字符。")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(f"密码不能超过 {PASSWORD_MAX_LENGTH} 个字符。")
    if not password.strip():
        raise ValidationError("密码不能全是空格。")
    if "\x00" in password:
        raise ValidationError("密码不能包含控制字符。")
    folded = unicodedata.normalize("NFKC", password).casefold()
    base = folded.rstrip("0123456789!@#$%^&*.?_-+=~ ")
    common = common_passwords()
    if folded in common or (len(base) >= 3 and base in common):
        raise ValidationError("这个密码太常见，很容易被猜中。请换一个更长、不常见的密码（例如几个词加数字）。")
    if username and len(username_key(username)) >= 3 and username_key(username) in folded:
        raise ValidationError("密码不能包含用户名。")
    if _is_repeated(folded) or _is_run(folded):
        raise ValidationError("密码不能是重复的字符或连续的字符（如 aaaaaaaaaa、1234567890、abcabcabc）。")
