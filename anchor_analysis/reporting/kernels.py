"""Running one notebook with Papermill, its kernel started one notebook ahead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from anchor_analysis.reporting.options import KERNEL_NAME, Notebook

# --- running one notebook -------------------------------------------------------------------------------------


IPYKERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR")
"""What nbclient adds when it starts an IPython kernel itself (no history database), and the kernel's own log
held to errors: ipykernel 7 warns on every start that its local TCP sockets are unencrypted, a line per notebook
between the run's progress lines. Anything a notebook prints or raises is in its outputs, not in this log."""


def start_kernel(kernel_name: str, cwd: Path):
    """Start a kernel in ``cwd`` as nbclient would for Papermill, without waiting for it to be ready; returns its
    (asynchronous) kernel manager. The process boots in the background."""
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=list(IPYKERNEL_ARGUMENTS))
    return km


def stop_kernel(km) -> None:
    """Kill a kernel that is still running (one started ahead and not used, or left by a failed run)."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)


def _handing_over(km) -> type:
    """A kernel manager class for nbclient whose "instances" are the already started ``km``: nbclient then connects
    to that kernel, runs the notebook and shuts the kernel down exactly as it does a kernel it started itself."""

    class StartedKernelManager(type(km)):
        def __new__(cls, *args, **kwargs):
            return km  # not an instance of this subclass, so __init__ does not run again

    return StartedKernelManager


def execute_notebook(source: Path, executed: Path, parameters: dict, kernel_name: str = KERNEL_NAME,
                     km=None) -> None:
    """Run ``source`` with Papermill into ``executed``, in the notebook's own folder; raises on a failing cell.

    ``km``: a kernel already started for this notebook (:class:`KernelQueue`), in ``source``'s folder; by default
    Papermill starts one. Either way the kernel is shut down when the notebook is done."""
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
    interrupt).
    """

    def __init__(self, kernel_name: str, plan: Iterable[tuple[int, Notebook]]):
        self.kernel_name = kernel_name
        self.plan = [(int(year), nb.path) for year, nb in plan]
        self.ahead: dict[int, object] = {}  # position in the plan -> kernel manager started for it
        self.every: list[object] = []  # every kernel manager started, for close()
        self.next = 0  # position of the next notebook to run

    def _start(self, position: int) -> None:
        if position < len(self.plan) and position not in self.ahead:
            try:
                km = start_kernel(self.kernel_name, self.plan[position][1].parent)
            except Exception:  # Papermill will try again, and report why it fails
                km = None
            self.ahead[position] = km
            if km is not None:
                self.every.append(km)

    def start_next(self) -> None:
        """Start the kernel of the next notebook in the plan (if it is not started yet)."""
        self._start(self.next)

    def take(self, year: int, nb: Notebook):
        """The kernel started for ``nb`` of ``year`` (None: let Papermill start one), and start the following one."""
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
        """Kill every kernel of the queue that is still running."""
        for km in self.every:
            stop_kernel(km)
        self.ahead.clear()
        self.every.clear()


def _error_text(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"
