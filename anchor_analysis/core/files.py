"""Writing files safely: atomically (a temporary file renamed into place) and with ordinary permissions.

A failed or interrupted run must never leave half a file, and whatever the kit writes must be readable by a
colleague or a web server serving the outputs: Python's temporary files are created with mode 0600, so every
file renamed into place gets the mode an ordinary ``open()`` would have given it (0644 under the usual umask).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> target = atomic_write_text(folder / "index.html", "<html></html>")
>>> oct(target.stat().st_mode & 0o777) == oct(ordinary_file_mode())
True
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@functools.cache
def _umask() -> int:
    """This process's umask (read once)."""
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def ordinary_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file under this process's umask.

    Returns
    -------
    int
        The permission bits, e.g. ``0o644`` under the usual umask 022.

    Examples
    --------
    >>> import os
    >>> mask = os.umask(0o022)
    >>> os.umask(mask) == mask
    True
    >>> ordinary_file_mode() == 0o666 & ~mask
    True
    """
    return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to, renamed onto ``path`` when the block ends.

    The temporary file is renamed onto ``path`` (with ordinary permissions, :func:`ordinary_file_mode`) when the
    ``with`` block ends without an error, and removed when it raises, so ``path`` never holds half a file. The
    folder is created if needed.

    Parameters
    ----------
    path : str or path-like
        The file to write.

    Yields
    ------
    Path
        The temporary file beside ``path`` (hidden, ending ``.part``) to write to.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "tables" / "shares.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("anchor,share")
    ...     target.exists()
    False
    >>> target.read_text()
    'anchor,share'
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("half a")
    ...     raise RuntimeError("interrupted")
    Traceback (most recent call last):
    RuntimeError: interrupted
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('anchor,share', ['shares.csv'])
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, ordinary_file_mode())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, with ordinary permissions.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder is created if needed.
    data : bytes
        The file's content.

    Returns
    -------
    Path
        ``path``.

    See Also
    --------
    atomic_path : The context manager behind it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = atomic_write_bytes(pathlib.Path(tempfile.mkdtemp()) / "figure.bin", b"PNG")
    >>> path.name, path.read_bytes()
    ('figure.bin', b'PNG')
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, with ordinary permissions.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder is created if needed.
    text : str
        The file's content.
    encoding : str, default "utf-8"
        The encoding of the file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = atomic_write_text(pathlib.Path(tempfile.mkdtemp()) / "note.txt", "£1", encoding="cp1252")
    >>> len(path.read_bytes()), len("£1".encode("utf-8"))
    (2, 3)
    """
    return atomic_write_bytes(path, text.encode(encoding))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in blocks.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    str
        The digest in hex (64 characters).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = atomic_write_text(pathlib.Path(tempfile.mkdtemp()) / "empty.txt", "")
    >>> sha256_file(path)
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
