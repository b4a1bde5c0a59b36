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
import errno
import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from anchor_analysis.core.errors import DiskFull


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
    with disk_full_said(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
    tmp = Path(name)
    try:
        with disk_full_said(target):
            yield tmp
        os.chmod(tmp, ordinary_file_mode())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""The errors of a disk (or quota, or file size limit) that has no room left."""


@contextlib.contextmanager
def disk_full_said(target: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a full disk met while writing ``target`` into a :class:`~anchor_analysis.core.errors.DiskFull` that
    says so; any other error goes through as it is.

    Parameters
    ----------
    target : str or path-like
        The file (or folder) being written, for the message.

    Raises
    ------
    DiskFull
        The block met ENOSPC, EDQUOT or EFBIG.

    Examples
    --------
    >>> with disk_full_said("outputs/index.html"):
    ...     raise OSError(errno.ENOSPC, "No space left on device")
    Traceback (most recent call last):
    anchor_analysis.core.errors.DiskFull: no space left on the disk: could not write index.html in outputs; free some \
space and run again (the file was not replaced)
    """
    try:
        yield
    except DiskFull:
        raise
    except OSError as exc:
        if exc.errno not in FULL_DISK_ERRNOS:
            raise
        raise DiskFull(exc.errno, disk_full_message(target, exc)) from exc


def full_disk_error(exc: BaseException) -> OSError | None:
    """The full-disk error behind ``exc``, if any: libraries (papermill, nbconvert) meet ENOSPC while writing and
    then fail in their own words (an empty notebook "does not appear to be JSON"), the cause chained behind.

    Parameters
    ----------
    exc : BaseException
        The error met.

    Returns
    -------
    OSError or None
        The first error of ``exc``'s chain (causes and contexts) that is a full disk, quota or file size limit.

    Examples
    --------
    >>> try:
    ...     try:
    ...         raise OSError(errno.ENOSPC, "No space left on device", "out/a.ipynb")
    ...     except OSError:
    ...         raise ValueError("Notebook does not appear to be JSON")
    ... except ValueError as exc:
    ...     full_disk_error(exc).filename
    'out/a.ipynb'
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in FULL_DISK_ERRNOS:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def disk_full_message(target: str | os.PathLike[str], exc: OSError | None = None) -> str:
    """What to say when the disk is full while ``target`` is written.

    Parameters
    ----------
    target : str or path-like
        The file being written.
    exc : OSError, optional
        The error met (a quota or file size limit is named as such).

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> disk_full_message("data/processed/demo/manifest.json")
    'no space left on the disk: could not write manifest.json in data/processed/demo; free some space and run again \
(the file was not replaced)'
    """
    target = Path(target)
    what = {errno.EDQUOT: "disk quota full", errno.EFBIG: "file larger than the system allows"
            }.get(getattr(exc, "errno", None), "no space left on the disk")
    return (f"{what}: could not write {target.name} in {target.parent}; free some space and run again (the file "
            "was not replaced)")


def clear_partial_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of :func:`atomic_path` that a killed process left under ``folder``.

    Call it only while holding the folder (:func:`~anchor_analysis.core.locks.folder_lock`): another run's
    temporary files are not leftovers.

    Parameters
    ----------
    folder : str or path-like
        The folder, searched through.

    Returns
    -------
    list of Path
        The files removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".metrics.csv.k1ll3d.part").write_text("half a")
    >>> _ = (folder / "metrics.csv").write_text("whole")
    >>> [p.name for p in clear_partial_files(folder)], [p.name for p in folder.iterdir()]
    (['.metrics.csv.k1ll3d.part'], ['metrics.csv'])
    """
    removed = []
    for path in sorted(Path(folder).rglob(".*.part")):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def exchange_paths(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """Swap two existing files or folders in one step, so that no moment sees either path missing.

    Linux's ``renameat2(RENAME_EXCHANGE)``; elsewhere (or on a file system without it) nothing is done and the
    caller falls back to two renames.

    Parameters
    ----------
    first, second : str or path-like
        Two existing paths on the same file system.

    Returns
    -------
    bool
        True when they were swapped; False when this system cannot swap them in one step (nothing changed).

    Raises
    ------
    OSError
        The swap was possible but failed (a path missing, say).

    Examples
    --------
    >>> import sys, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "new").write_text("new"), (folder / "old").write_text("old")
    >>> swapped = exchange_paths(folder / "new", folder / "old")
    >>> swapped or sys.platform != "linux", (folder / "old").read_text() == ("new" if swapped else "old")
    (True, True)
    """
    import ctypes
    import sys

    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if rename is None:
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if rename(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system (or kernel) without the exchange
    raise OSError(code, os.strerror(code), str(first))


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
