"""One run at a time on a folder: a lock that the operating system releases when its process ends, however it ends.

``report`` holds its output folder, ``collect`` the network folder it writes into, a derived build the network's
folder of builds. A second run on the same folder waits (``wait`` seconds) or stops with a message naming the run
that holds it (:class:`~anchor_analysis.core.errors.FolderLocked`). Only a run holding the lock clears what a killed
run left behind (its hidden staging folders), so a run never mistakes another's folders for leftovers. The lock is
`filelock <https://py-filelock.readthedocs.io>`_'s (``flock`` on Linux and macOS, ``LockFileEx`` on Windows): a
run killed with SIGKILL or by a power cut holds nothing afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from anchor_analysis.core.errors import FolderLocked
from anchor_analysis.core.files import atomic_write_text

LOCK_FILE = ".anchor-analysis.lock"
"""The lock itself, in the folder it guards (empty; never removed, so two runs always lock the same file)."""
HOLDER_FILE = ".anchor-analysis.lock.json"
"""Who holds the lock: process id, host, what it is doing and since when (for the message a second run prints)."""


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], doing: str, wait: float = 0) -> Iterator[Path]:
    """Hold ``folder`` for this run while the block runs.

    Parameters
    ----------
    folder : str or path-like
        The folder to hold; created if missing.
    doing : str
        What this run does there, for the message another run prints (``"anchor-analysis report"``).
    wait : float, default 0
        Seconds to wait for another run to let go; 0 stops at once, a negative number waits for ever.

    Yields
    ------
    Path
        ``folder``.

    Raises
    ------
    FolderLocked
        Another run holds ``folder`` (still, after ``wait`` seconds); the message names it.
    OSError
        The lock file cannot be created (a read-only folder, say).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with folder_lock(folder, "a report"):
    ...     holder = lock_holder(folder)
    ...     with folder_lock(folder, "a second report"):
    ...         pass
    Traceback (most recent call last):
    anchor_analysis.core.errors.FolderLocked: ... is in use by another run (a report, process ... on ..., since ...): \
wait for it to finish, or run again with --wait SECONDS to wait for it
    >>> holder["doing"], holder["pid"] == os.getpid()
    ('a report', True)
    >>> with folder_lock(folder, "a third report"):
    ...     lock_holder(folder)["doing"]
    'a third report'
    >>> lock_holder(folder) is None
    True
    """
    from filelock import FileLock, Timeout

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_FILE, thread_local=False)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise FolderLocked(f"{folder} is in use by another run ({_describe(lock_holder(folder))}): wait for it to "
                           "finish, or run again with --wait SECONDS to wait for it") from None
    try:
        _write_holder(folder, doing)
        yield folder
    finally:
        with contextlib.suppress(OSError):
            (folder / HOLDER_FILE).unlink()
        lock.release()


def lock_holder(folder: str | os.PathLike[str]) -> dict | None:
    """Who holds ``folder``'s lock, as the holder wrote it.

    Parameters
    ----------
    folder : str or path-like
        A folder guarded by :func:`folder_lock`.

    Returns
    -------
    dict or None
        ``pid``, ``host``, ``doing`` and ``since`` (ISO time); None when no run has said it holds the folder.

    Examples
    --------
    >>> import tempfile
    >>> lock_holder(tempfile.mkdtemp()) is None
    True
    """
    try:
        holder = json.loads((Path(folder) / HOLDER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _write_holder(folder: Path, doing: str) -> None:
    """Say who holds the lock (best effort: a full disk must not stop the run from locking)."""
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "doing": doing,
              "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    with contextlib.suppress(OSError):
        atomic_write_text(folder / HOLDER_FILE, json.dumps(holder) + "\n")


def _describe(holder: dict | None) -> str:
    """The holder in words."""
    if not holder:
        return "a run that has not said what it is"
    return f"{holder.get('doing')}, process {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}"
