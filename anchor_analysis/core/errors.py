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
    """Base of every error the kit raises on purpose; the message says what is wrong and what to do."""


# --- configuration and arguments ------------------------------------------------------------------------------


class ConfigError(AnchorAnalysisError, ValueError):
    """A place or run configuration that cannot be used."""


class ArgumentError(AnchorAnalysisError, ValueError):
    """A function was given an argument it cannot use; the message names the argument, what was expected and
    what came."""


# --- public data ----------------------------------------------------------------------------------------------

_HOW_TO_CONFIGURE = (
    f"set {PUBLIC_DATA_ENV} to the folder holding the public data (e.g. ../shared/data/public), "
    f"or set {PUBLIC_DATA_URL_ENV} to download it"
)


class PublicDataError(AnchorAnalysisError):
    """Base of the errors about the public reference data."""


class PublicDataMissing(PublicDataError, FileNotFoundError):
    """A registered public dataset cannot be found (no folder configured, file absent, or download failed)."""

    def __init__(self, key: str, file: str, reason: str = "no public data folder or download URL is set"):
        super().__init__(f"public dataset {key!r} ({file}) is not available: {reason}; {_HOW_TO_CONFIGURE}")
        self.key = key
        self.file = file


class PublicDataChecksumError(PublicDataError, ValueError):
    """A public data file does not have the SHA-256 recorded in the registry."""

    def __init__(self, file: object, expected: str, actual: str):
        super().__init__(
            f"{file}: sha256 mismatch (expected {expected}, actual {actual}); the file is corrupted or is "
            "not the published version this kit was written for: replace it with the file named in "
            "anchor_analysis/data/public_datasets.toml"
        )
        self.file = str(file)
        self.expected = expected
        self.actual = actual


class PublicDataFormatError(PublicDataError, ValueError):
    """A public data file (or a table built from one) does not have the shape the kit expects."""


# --- a network's returns --------------------------------------------------------------------------------------


class ValidationFailed(AnchorAnalysisError):
    """Input data broke the contracts; ``str()`` is the formatted report, ``.report`` the failures.

    ``report`` is a :class:`anchor_analysis.contracts.report.ValidationReport` (anything with ``format()``).
    """

    def __init__(self, report: object):
        super().__init__(report.format())
        self.report = report

    def __str__(self) -> str:
        return self.report.format()


class FileProblem(AnchorAnalysisError):
    """A file cannot be read as a table at all; ``.failure`` is the one validation failure that says why (the
    readers turn it into a line of the validation report)."""

    def __init__(self, failure: object):
        super().__init__(getattr(failure, "rule", str(failure)))
        self.failure = failure


class PostcodeLookupUnavailable(AnchorAnalysisError):
    """Postcodes cannot be mapped to LSOAs (the public postcode lookup is missing)."""


class ProcessedDataError(AnchorAnalysisError):
    """A network's derived tables (``data/processed``) cannot be built or written; the message says why."""


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
    """A user-supplied priority neighbourhood list cannot be used; ``failures`` lists every problem."""

    def __init__(self, source: str, failures: list[str]):
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
    """The network's returns failed validation; ``.report`` is the validation report (``.ok``, ``.format()``)."""

    def __init__(self, report: object):
        super().__init__("the network's returns failed validation")
        self.report = report


class PdfError(AnchorAnalysisError, RuntimeError):
    """Chromium is missing or could not print the report."""
