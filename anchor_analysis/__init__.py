"""anchor-analysis: an analysis kit for anchor institution networks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("anchor-analysis")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
