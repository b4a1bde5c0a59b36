"""anchor-analysis: an analysis kit for anchor institution networks.

The kit is laid out by pipeline stage; each stage imports only from the stages below it (an import-linter
contract in ``pyproject.toml`` checks this in the test suite):

==============  ====================================================================================
``cli``         the command line (``anchor-analysis validate | report | reproduce | demo-data | collect ...``)
``reporting``   the annual batch run: notebooks under Papermill, HTML and PDF reports, provenance, index;
                and the set-up every notebook shares (:mod:`anchor_analysis.reporting.section`)
``demo``        the synthetic demo network
``figures``     plots and maps in one house style
``derived``     a network's derived tables in ``data/processed``: validated, typed, ledgers classified
``analysis``    progression, metrics, baseline, profile, published figures, spend, geography
``collection``  the year's returns: workbook templates, collecting them, who has returned what (beside analysis)
``publish``     disclosure control, anonymisation, formatting and writing tables for publication
``contracts``   table contracts, readers (CSV/XLSX) and the validation report
``public``      the public reference data: registry, checksums, loaders
``core``        places, financial years, framework, sectors and metric catalogue, postcodes, membership,
                errors, environment settings, safe file writing
==============  ====================================================================================

The package itself holds only ``__version__``: the installed distribution's version, or ``"0.0.0+unknown"``
when run from a source tree without installing.

>>> import anchor_analysis
>>> from importlib.metadata import version
>>> anchor_analysis.__version__ == version("anchor-analysis")
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("anchor-analysis")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
