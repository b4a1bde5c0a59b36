"""Every error the kit raises, in one module (as ``pandas.errors`` does for pandas).

All of them derive from :class:`AnchorAnalysisError`, so a caller (the command line first) can tell the kit's
clear, expected errors from bugs. Most also derive from the built-in exception they used to be (``ValueError``,
``FileNotFoundError``), so code that caught those still works.

>>> issubclass(ConfigError, AnchorAnalysisError), issubclass(ConfigError, ValueError)
(True, True)
>>> issubclass(DisclosureError, AssertionError)
False
"""

from __future__ import annotations

from anchor_analysis.core.settings import PUBLIC_DATA_ENV, PUBLIC_DATA_URL_ENV


class AnchorAnalysisError(Exception):
    """Base of every error the kit raises on purpose.

    The message says what is wrong and what to do. The command line prints it (no traceback) and exits with
    code 1; any other exception is a bug.

    Examples
    --------
    >>> try:
    ...     raise ConfigError("unknown place 'york'")
    ... except AnchorAnalysisError as exc:
    ...     print(f"Error: {exc}")
    Error: unknown place 'york'
    """


# --- configuration and arguments ------------------------------------------------------------------------------


class ConfigError(AnchorAnalysisError, ValueError):
    """A place or run configuration that cannot be used."""


class ArgumentError(AnchorAnalysisError, ValueError):
    """A function was given an argument it cannot use.

    The message names the argument, what was expected and what came.
    """


# --- public data ----------------------------------------------------------------------------------------------

_HOW_TO_CONFIGURE = (
    f"set {PUBLIC_DATA_ENV} to the folder holding the public data (e.g. ../shared/data/public), "
    f"or set {PUBLIC_DATA_URL_ENV} to download it"
)


class PublicDataError(AnchorAnalysisError):
    """Base of the errors about the public reference data."""


class PublicDataMissing(PublicDataError, FileNotFoundError):
    """A registered public dataset cannot be found (no folder configured, file absent, or download failed).

    The message adds how to configure the public data.

    Parameters
    ----------
    key : str
        The dataset's key in the registry (``anchor_analysis/data/public_datasets.toml``).
    file : str
        The dataset's file name.
    reason : str, optional
        Why it is not available; default: no public data folder or download URL is set.

    Attributes
    ----------
    key : str
        The dataset's key.
    file : str
        The dataset's file name.

    Examples
    --------
    >>> print(PublicDataMissing("imd2019_file1", "imd.csv.gz"))
    public dataset 'imd2019_file1' (imd.csv.gz) is not available: no public data folder or download URL is set;
    set ANCHOR_ANALYSIS_PUBLIC_DATA to the folder holding the public data (e.g. ../shared/data/public), or set
    ANCHOR_ANALYSIS_PUBLIC_DATA_URL to download it
    """

    def __init__(self, key: str, file: str, reason: str = "no public data folder or download URL is set"):
        """Name the dataset and why it is missing; see the class for the parameters."""
        super().__init__(f"public dataset {key!r} ({file}) is not available: {reason}; {_HOW_TO_CONFIGURE}")
        self.key = key
        self.file = file


class PublicDataChecksumError(PublicDataError, ValueError):
    """A public data file does not have the SHA-256 recorded in the registry.

    Parameters
    ----------
    file : str or path-like
        The file (or URL) whose bytes were checked.
    expected : str
        The SHA-256 recorded in the registry (hex).
    actual : str
        The SHA-256 of the file's bytes (hex).

    Attributes
    ----------
    file : str
        The file, as text.
    expected, actual : str
        The two checksums.

    Examples
    --------
    >>> error = PublicDataChecksumError("imd.csv.gz", "ab12", "cd34")
    >>> print(error)
    imd.csv.gz: sha256 mismatch (expected ab12, actual cd34); the file is corrupted or is not the published version
    this kit was written for: replace it with the file named in anchor_analysis/data/public_datasets.toml
    >>> isinstance(error, ValueError), error.actual
    (True, 'cd34')
    """

    def __init__(self, file: object, expected: str, actual: str):
        """Name the file and both checksums; see the class for the parameters."""
        super().__init__(
            f"{file}: sha256 mismatch (expected {expected}, actual {actual}); the file is corrupted or is "
            "not the published version this kit was written for: replace it with the file named in "
            "anchor_analysis/data/public_datasets.toml"
        )
        self.file = str(file)
        self.expected = expected
        self.actual = actual


class BoundariesUnavailable(PublicDataError, LookupError):
    """A place has no boundaries of the kind asked for: its configuration names no such dataset.

    Maps cannot be drawn for it; everything that needs no map still runs. Map sections catch this error and say
    so in the report.

    Parameters
    ----------
    place : str
        The place's name (``"Bradford"``).
    what : str
        The boundaries asked for (``"ward"``, ``"LSOA 2021"``).
    setting : str
        The ``[datasets]`` entry of the place configuration that would name them (``"ward_boundaries"``).

    Attributes
    ----------
    place, what : str
        As given.

    Examples
    --------
    >>> print(BoundariesUnavailable("Bradford", "ward", "ward_boundaries"))
    no ward boundaries are available for Bradford: its place configuration names none (ward_boundaries in its \
[datasets] table), so its maps cannot be drawn
    """

    def __init__(self, place: str, what: str, setting: str):
        """Keep ``place`` and ``what``; the message names the setting that would provide the boundaries."""
        self.place = place
        self.what = what
        super().__init__(f"no {what} boundaries are available for {place}: its place configuration names none "
                         f"({setting} in its [datasets] table), so its maps cannot be drawn")


class PublicDataFormatError(PublicDataError, ValueError):
    """A public data file (or a table built from one) does not have the shape the kit expects."""


# --- a network's returns --------------------------------------------------------------------------------------


class ValidationFailed(AnchorAnalysisError):
    """Input data broke the contracts; ``str()`` is the formatted report, ``.report`` the failures.

    Parameters
    ----------
    report : ValidationReport
        A :class:`anchor_analysis.contracts.report.ValidationReport` (anything with ``format()``).

    Attributes
    ----------
    report : ValidationReport
        The report, with every failure.

    Examples
    --------
    >>> from anchor_analysis.contracts.report import Failure, ValidationReport
    >>> report = ValidationReport()
    >>> report.add(Failure("anchors.csv", 3, "sector", "nhs trust", "sector must be one of nhs, university"))
    >>> print(ValidationFailed(report))
    anchors.csv: 1 error
      anchors.csv row 3, column 'sector': value 'nhs trust': sector must be one of nhs, university
    1 error, 0 warnings in 1 file
    """

    def __init__(self, report: object):
        """Keep ``report``; the message is its formatted text."""
        super().__init__(report.format())
        self.report = report

    def __str__(self) -> str:
        """The formatted report, as it stands now."""
        return self.report.format()


class FileProblem(AnchorAnalysisError):
    """A file cannot be read as a table at all.

    The readers raise it internally and turn it into a line of the validation report.

    Parameters
    ----------
    failure : Failure
        The one validation failure (:class:`anchor_analysis.contracts.report.Failure`) that says why.

    Attributes
    ----------
    failure : Failure
        The failure; the message is its rule.
    """

    def __init__(self, failure: object):
        """Keep ``failure``; the message is its rule."""
        super().__init__(getattr(failure, "rule", str(failure)))
        self.failure = failure


class FolderLocked(AnchorAnalysisError):
    """Another run holds the folder (a report's output folder, a network folder being collected into, a network's
    derived tables being built) and this one did not wait for it; the message names the run that holds it.

    Examples
    --------
    >>> str(FolderLocked("outputs is in use by another run"))
    'outputs is in use by another run'
    """


class DiskFull(AnchorAnalysisError, OSError):
    """A file could not be written because the disk (or the user's quota) is full; nothing was replaced.

    Examples
    --------
    >>> import errno
    >>> error = DiskFull(errno.ENOSPC, "no space left on the disk: could not write index.html in outputs")
    >>> isinstance(error, OSError), error.errno == errno.ENOSPC
    (True, True)
    >>> str(error)
    'no space left on the disk: could not write index.html in outputs'
    """

    def __str__(self) -> str:
        """The message alone (not OSError's ``[Errno 28] ...``)."""
        return str(self.strerror)


class PostcodeLookupUnavailable(AnchorAnalysisError):
    """Postcodes cannot be mapped to LSOAs (the public postcode lookup is missing)."""


class ProcessedDataError(AnchorAnalysisError):
    """A network's derived tables (``data/processed``) cannot be built or written; the message says why."""


class CollectionError(AnchorAnalysisError):
    """Collecting the year's returns cannot go ahead: templates, ``collect`` or ``status`` (the message says why).

    Raised for a problem with the run, not with one returned workbook (a workbook's problems are failures in the
    collection report): a network folder that is not valid, no workbooks in the returns folder, a table kept in
    a form the collection cannot rewrite, an output folder that cannot be written.
    """


# --- analysis -------------------------------------------------------------------------------------------------


class NoDataError(AnchorAnalysisError, ValueError):
    """A year or metric has no returns at all, so there is nothing honest to show."""


class NoReturnsError(AnchorAnalysisError, ValueError):
    """A year has no progression returns at all (instead of an empty table or chart)."""


class UnknownAnchorError(AnchorAnalysisError, ValueError):
    """The anchor asked for is not in the network's anchors table; the message lists the ones that are."""


class SpendError(AnchorAnalysisError, ValueError):
    """A ledger, lookup or rule set that the spend analysis cannot use; the message says what to fix."""


class GeographyError(AnchorAnalysisError, ValueError):
    """A geography request the kit cannot answer (an unknown edition or level, an area without a lookup row)."""


class PriorityListError(GeographyError):
    """A user-supplied priority neighbourhood list cannot be used; ``failures`` lists every problem.

    Parameters
    ----------
    source : str
        Where the list came from (a file name).
    failures : list of str
        Every problem found, one text each.

    Attributes
    ----------
    source : str
        Where the list came from.
    failures : list of str
        Every problem found.

    Examples
    --------
    >>> print(PriorityListError("priority.csv", ["row 2: E0101 is not an LSOA code"]))
    priority.csv: row 2: E0101 is not an LSOA code
    >>> print(PriorityListError("priority.csv", ["row 2: blank", "row 3: blank"]))
    priority.csv: 2 problems:
      row 2: blank
      row 3: blank
    """

    def __init__(self, source: str, failures: list[str]):
        """Keep ``source`` and ``failures``; one problem makes a one-line message, several one line each."""
        self.source = source
        self.failures = failures
        super().__init__(f"{source}: " + "; ".join(failures) if len(failures) == 1
                         else f"{source}: {len(failures)} problems:\n" + "\n".join(f"  {f}" for f in failures))


class CannotCompute(AnchorAnalysisError):
    """The data at hand cannot give a published figure; the message says why."""


# --- publishing -----------------------------------------------------------------------------------------------


class DisclosureError(AnchorAnalysisError):
    """A table about to be published would reveal a small count."""


# --- the report run -------------------------------------------------------------------------------------------


class ReportError(AnchorAnalysisError):
    """A report run that cannot start (bad options, no notebooks, unreadable network.toml, unknown place)."""


class InvalidReturns(AnchorAnalysisError):
    """The network's returns failed validation, so a report run did not start.

    Parameters
    ----------
    report : ValidationReport
        The validation report (``.ok``, ``.format()``).

    Attributes
    ----------
    report : ValidationReport
        The validation report; the message only says that validation failed.
    """

    def __init__(self, report: object):
        """Keep ``report``; the message is a fixed sentence."""
        super().__init__("the network's returns failed validation")
        self.report = report


class PdfError(AnchorAnalysisError, RuntimeError):
    """Chromium is missing or could not print the report."""


class SupplierMatchingError(AnchorAnalysisError, ValueError):
    """Supplier resolution settings or review decisions that cannot be used (a threshold out of range, an unknown
    scorer, a decision other than ``same`` or ``different``)."""
