"""Running one notebook with Papermill, its kernel started one notebook ahead.

In: a notebook, its parameters and (from :class:`KernelQueue`) a kernel already booting in its folder. Out: the
executed notebook, written by Papermill; a failing cell raises. Nothing here runs in a docstring example: every
kernel is started by a run (``tests/test_report.py`` runs them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from anchor_analysis.core.files import disk_full_message, full_disk_error
from anchor_analysis.reporting.options import KERNEL_NAME, Notebook

# --- running one notebook -------------------------------------------------------------------------------------


IPYKERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR")
"""What nbclient adds when it starts an IPython kernel itself (no history database), and the kernel's own log
held to errors: ipykernel 7 warns on every start that its local TCP sockets are unencrypted, a line per notebook
between the run's progress lines. Anything a notebook prints or raises is in its outputs, not in this log."""


def start_kernel(kernel_name: str, cwd: Path):
    """Start a kernel in ``cwd`` as nbclient would for Papermill, without waiting for it to be ready.

    The process boots in the background, with :data:`IPYKERNEL_ARGUMENTS`.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel (``python3``).
    cwd : Path
        The kernel's working directory: the folder of the notebook it will run.

    Returns
    -------
    jupyter_client.AsyncKernelManager
        The kernel's manager; pass it to :func:`execute_notebook`, or to :func:`stop_kernel` when unused.

    See Also
    --------
    KernelQueue : Starts each notebook's kernel one notebook ahead.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=list(IPYKERNEL_ARGUMENTS))
    return km


def stop_kernel(km) -> None:
    """Kill a kernel that is still running (one started ahead and not used, or left by a failed run).

    Errors are ignored, and a manager whose kernel never started or already stopped is left as it is.

    Parameters
    ----------
    km : jupyter_client.KernelManager
        The kernel's manager.

    Examples
    --------
    >>> from jupyter_client import AsyncKernelManager
    >>> km = AsyncKernelManager(kernel_name="python3")  # never started
    >>> stop_kernel(km)
    >>> km.has_kernel
    False
    """
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


def _handing_over(km) -> type:
    """A kernel manager class for nbclient whose "instances" are the already started ``km``: nbclient then connects
    to that kernel, runs the notebook and shuts the kernel down exactly as it does a kernel it started itself."""

    class StartedKernelManager(type(km)):
        """``km``'s class, whose every "new instance" is ``km`` itself."""

        def __new__(cls, *args, **kwargs):
            """Return ``km``."""
            return km  # not an instance of this subclass, so __init__ does not run again

    return StartedKernelManager


def execute_notebook(source: Path, executed: Path, parameters: dict, kernel_name: str = KERNEL_NAME,
                     km=None) -> None:
    """Run ``source`` with Papermill into ``executed``, in the notebook's own folder.

    Either way the kernel is shut down when the notebook is done (or fails).

    Parameters
    ----------
    source : Path
        The notebook to run.
    executed : Path
        Where the executed notebook (outputs included) is written, even when a cell fails.
    parameters : dict
        Injected after the cell tagged ``parameters``.
    kernel_name : str, default "python3"
        The Jupyter kernel.
    km : jupyter_client.AsyncKernelManager, optional
        A kernel already started for this notebook (:class:`KernelQueue`), in ``source``'s folder; by default
        Papermill starts one.

    Raises
    ------
    papermill.PapermillExecutionError
        When a cell raises (the executed notebook shows where).
    Exception
        Whatever stops Papermill before that (e.g. a notebook that cannot be read, a kernel that does not start).
    """
    import papermill

    handover = {"kernel_manager_class": _handing_over(km)} if km is not None else {}
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=kernel_name,
            cwd=str(source.parent),
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            extra_arguments=list(IPYKERNEL_ARGUMENTS),
            **handover,
        )
    finally:
        if km is not None:
            stop_kernel(km)  # when Papermill stopped before handing it to nbclient


class KernelQueue:
    """The kernels of a run's notebooks, each started one notebook ahead.

    Starting a kernel (Python, ipykernel, IPython) takes half a second to a second, on the critical path of every
    notebook when Papermill starts it. Here, when a notebook starts, the kernel of the next one in ``plan`` (the
    order the notebooks will run in, as ``(year, notebook)``) starts too, in that notebook's folder, on a core the
    running notebook leaves idle; the first one starts before validation. Each kernel is fresh and runs exactly one
    notebook, as with Papermill's own; nothing is run in it before the notebook.
    A kernel that fails to start is left to Papermill, which then reports the error as usual. :meth:`close` kills
    every kernel of the queue still running (one started ahead for a notebook that never ran, after a failure or an
    interrupt). Creating a queue starts nothing: :meth:`start_next` and :meth:`take` do.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel of every notebook.
    plan : iterable of (int, Notebook)
        The notebooks in the order they will run, with their year.

    Examples
    --------
    >>> from anchor_analysis.reporting.options import Notebook
    >>> nb = Notebook.from_path("notebooks/01_baseline.ipynb")
    >>> queue = KernelQueue("python3", [(2023, nb)])
    >>> queue.take(2023, nb) is None  # nothing started ahead: Papermill starts this one; none follows it
    True
    >>> queue.next
    1
    >>> queue.close()
    """

    def __init__(self, kernel_name: str, plan: Iterable[tuple[int, Notebook]]):
        """Hold the plan; no kernel is started yet."""
        self.kernel_name = kernel_name
        self.plan = [(int(year), nb.path) for year, nb in plan]
        self.ahead: dict[int, object] = {}  # position in the plan -> kernel manager started for it
        self.every: list[object] = []  # every kernel manager started, for close()
        self.next = 0  # position of the next notebook to run

    def _start(self, position: int) -> None:
        """Start the kernel of the notebook at ``position`` of the plan, unless it was (None when it fails)."""
        if position < len(self.plan) and position not in self.ahead:
            try:
                km = start_kernel(self.kernel_name, self.plan[position][1].parent)
            except Exception:  # Papermill will try again, and report why it fails
                km = None
            self.ahead[position] = km
            if km is not None:
                self.every.append(km)

    def start_next(self) -> None:
        """Start the kernel of the next notebook in the plan (if it is not started yet).

        The run calls it once, before validating the returns, for the first notebook.
        """
        self._start(self.next)

    def take(self, year: int, nb: Notebook):
        """Hand over the kernel started for ``nb`` of ``year``, and start the following notebook's.

        Kernels started for notebooks of the plan before this one (which did not run) are stopped.

        Parameters
        ----------
        year : int
            The notebook's year.
        nb : Notebook
            The notebook about to run.

        Returns
        -------
        jupyter_client.AsyncKernelManager or None
            Its kernel; None to let Papermill start one (none was started, it failed to start, or ``(year, nb)``
            is not next in the plan).
        """
        key = (int(year), nb.path)
        position = next((i for i in range(self.next, len(self.plan)) if self.plan[i] == key), None)
        if position is None:
            return None
        for skipped in [p for p in self.ahead if p < position]:
            km = self.ahead.pop(skipped)
            if km is not None:
                stop_kernel(km)
        km = self.ahead.pop(position, None)
        self.next = position + 1
        self._start(self.next)
        return km

    def close(self) -> None:
        """Kill every kernel of the queue that is still running, and forget them all."""
        for km in self.every:
            stop_kernel(km)
        self.ahead.clear()
        self.every.clear()


def _error_text(exc: BaseException) -> str:
    """One line (at most 200 characters) saying what failed: a full disk as such, a cell's ``ename: evalue``, else
    the exception."""
    full = full_disk_error(exc)
    if full is not None:
        return disk_full_message(full.filename or "a file", full)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"
