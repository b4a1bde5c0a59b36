"""The executive summary at the front of the combined report: key messages, headline figures, commitments.

In: the network's derived tables and the year (and, optionally, further headline figures). Out: one HTML section
(``id="summary"``, its commitments table ``id="commitments"``) in the reader's words: the key messages of
:func:`~anchor_analysis.analysis.summary.key_messages` with the rule of each and a link to its section, the
headline figures with their change since last year and coverage, and one row per commitment with a trend chart.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from anchor_analysis.analysis.commitments import STATUS_RULE, commitment_unit, commitments_progress
from anchor_analysis.analysis.summary import MESSAGE_RULES, change_display, headline_changes, key_messages
from anchor_analysis.core.errors import AnchorAnalysisError, NoDataError
from anchor_analysis.core.years import fy_label
from anchor_analysis.derived.network import processed_network
from anchor_analysis.figures.sparkline import trend_sparkline
from anchor_analysis.publish.formatting import format_value

SUMMARY_ID = "summary"
COMMITMENTS_ID = "commitments"
STATUS_MARK = {"on track": "●", "at risk": "◐", "off track": "○", "not yet measurable": "–"}
"""A shape beside each status, so the column reads without colour."""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def executive_summary_html(network, year: int, *, links: Mapping[str, str], imd_edition: int | None = None,
                           extra: pd.DataFrame | None = None) -> str:
    """The executive summary section of ``year``'s report.

    Parameters
    ----------
    network : Network
        The network (its derived tables).
    year : int
        The financial year.
    links : mapping of str to str
        Section key (``baseline``, ``commitments``, ``coverage``) -> the id it links to; a key messages whose
        section is not in the report gets no link.
    imd_edition : int, optional
        The IMD edition of "most deprived" (default: the place's for each year).
    extra : DataFrame, optional
        Further headline figures (:func:`~anchor_analysis.analysis.summary.headline_changes`).

    Returns
    -------
    str
        ``<section class="report-section summary" id="summary">...</section>``.

    Examples
    --------
    >>> from anchor_analysis.derived import processed_network
    >>> page = executive_summary_html(processed_network("data/raw/demo"), 2024,
    ...                               links={"baseline": "section-baseline"})  # doctest: +PUBLIC_DATA
    >>> page.count('<li class="message">'), 'id="commitments"' in page  # doctest: +PUBLIC_DATA
    (5, True)
    """
    try:
        headlines = headline_changes(network, year, imd_edition=imd_edition, extra=extra)
        no_headlines = ""
    except NoDataError as exc:
        headlines, no_headlines = None, f'<p class="note">No headline figures for {fy_label(year)}: {_esc(exc)}.</p>'
    try:
        progress = commitments_progress(network, year)
    except NoDataError:
        progress = None
    empty = pd.DataFrame(columns=["change", "coverage", "n_reporting"])
    messages = key_messages(headlines if headlines is not None else empty, progress, year)
    links = {COMMITMENTS_ID: COMMITMENTS_ID, **links}
    tag = '<span class="synthetic-tag">SYNTHETIC DATA</span>' if network.synthetic else ""
    parts = [f'<section class="report-section summary" id="{SUMMARY_ID}">',
             f'<p class="section-eyebrow">{tag}Executive summary · {fy_label(year)}</p>',
             "<h1>Executive summary</h1>",
             f"<p>The {_esc(network.name)} in {fy_label(year)}: the key messages, the headline figures and the "
             "commitments, each figure with who it covers.</p>",
             "<h2>Key messages</h2>", _messages_html(messages, links),
             "<h2>Headline figures</h2>", no_headlines or _headlines_html(headlines, year),
             f'<h2 class="new-page" id="{COMMITMENTS_ID}">Commitments</h2>', _commitments_html(progress, network),
             "</section>"]
    return "\n".join(parts)


REPORT_SECTIONS = {"baseline": "section-baseline", "coverage": "coverage"}
"""Where the key messages of each section link to in the combined report (the baseline only when it is there)."""


def report_summary(settings, year: int, sections: list[str]) -> str:
    """The executive summary of a report run's year, or "" when the run does not include the baseline section
    (an anchor profile on its own, say).

    Parameters
    ----------
    settings : RunSettings
        The run's settings (:func:`anchor_analysis.reporting.run.prepare`).
    year : int
        The financial year.
    sections : list of str
        The sections the report has (:attr:`~anchor_analysis.reporting.options.Notebook.section`).

    Returns
    -------
    str

    Examples
    --------
    >>> report_summary(None, 2024, ["anchor_profile"])
    ''

    When the network cannot be read the section says why instead:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from types import SimpleNamespace
    >>> nowhere = SimpleNamespace(data_dir=Path(tempfile.mkdtemp()) / "missing", place_config=None)
    >>> "could not be made: " in report_summary(nowhere, 2024, ["baseline"])
    True
    """
    if "baseline" not in sections:
        return ""
    try:
        network = processed_network(settings.data_dir, settings.place_config)
        return executive_summary_html(network, year, links=REPORT_SECTIONS)
    except AnchorAnalysisError as exc:  # said on the page, where the summary would be, and the sections stand
        reason = " ".join(str(exc).split())
        return (f'<section class="report-section summary" id="{SUMMARY_ID}"><h1>Executive summary</h1>'
                f'<p class="note">The executive summary could not be made: {_esc(reason[:600])}</p>'
                f'<h2 id="{COMMITMENTS_ID}">Commitments</h2><p class="note">Not computed.</p></section>')


def _messages_html(messages: list[dict], links: Mapping[str, str]) -> str:
    """The key messages as a list, each with its rule and a link to its section."""
    items = []
    for message in messages:
        target = links.get(message["section"])
        more = f' <a href="#{_esc(target)}">More</a>' if target else ""
        items.append(f'<li class="message">{_esc(message["text"])}{more}<br><span class="rule">Rule: '
                     f'{_esc(MESSAGE_RULES[message["rule"]])}.</span></li>')
    if not items:
        return '<p class="note">No key messages: no figure had an earlier year or a commitment to compare with.</p>'
    return f'<ol class="messages">{"".join(items)}</ol>'


def _headlines_html(headlines: pd.DataFrame, year: int) -> str:
    """The headline figures table: this year, last year, the change and who each covers."""
    head = ("Figure", fy_label(year), fy_label(year - 1), "Change", "Who it covers")
    rows = []
    for row in headlines.itertuples(index=False):
        cells = [f'<th scope="row">{_esc(row.label)}</th>', f"<td>{_esc(row.display)}</td>",
                 f"<td>{_esc(row.previous_display or 'none')}</td>", f"<td>{_esc(change_display(row.change))}</td>",
                 f'<td class="text">{_esc(row.coverage_statement)}</td>']
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
    return (f'<table class="summary-table"><caption>Headline figures, {fy_label(year)} beside '
            f"{fy_label(year - 1)}</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _commitments_html(progress: pd.DataFrame | None, network) -> str:
    """The commitments table (one row per commitment, a trend chart each) and the status rule."""
    if progress is None:
        return ('<p class="note">The network has recorded no commitments: a <code>commitments.csv</code> in its '
                "folder (README, Commitments) puts them here, each tracked against its target.</p>")
    head = ("Commitment", "Baseline", "Latest", "On the straight line", "Target", "Projection", "Status", "Trend")
    rows = [_commitment_row(row, network) for _, row in progress.iterrows()]
    header = "".join(f'<th scope="col">{_esc(h)}</th>' for h in head)
    owners = ", ".join(sorted(set(progress["committed_by"])))
    sources = "".join(f"<li><strong>{_esc(r['label'])}</strong>: {_esc(r['source'])}</li>"
                      for _, r in progress.iterrows())
    return (f'<table class="summary-table commitments"><caption>Commitments of the {_esc(owners)}: progress to '
            f"their targets</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="note"><strong>Status rule.</strong> {_status_rule_html()} A metric commitment adds its '
            "metrics over the members that reported all of them that year, so its coverage is given with each value; "
            "a dimension commitment is the network score (the mean over the anchors that assessed it). In the trend "
            "chart the values are the solid blue line, the straight line to the target the dashed grey one ending in "
            "the open circle, the projection the dotted orange line in its shaded interval.</p>"
            f'<p class="note">Sources:</p><ul class="note">{sources}</ul>')


def _status_rule_html() -> str:
    """:data:`~anchor_analysis.analysis.commitments.STATUS_RULE` with each status in bold where it is defined."""
    rule = _esc(STATUS_RULE)
    for status in ("on track", "at risk", "off track"):
        rule = rule.replace(f"is {status} when", f"is <strong>{status}</strong> when", 1).replace(
            f"; {status} when", f"; <strong>{status}</strong> when", 1)
    return rule


def _value_cell(value: str, when: str, note: str) -> str:
    """A value kept on one line, then when it is for, then a note in small type."""
    parts = [f'<span class="num">{_esc(value)}</span>']
    if when:
        parts.append(f'<span class="num">{_esc(when)}</span>')
    if note:
        parts.append(f'<span class="note">{_esc(note)}</span>')
    return "<br>".join(parts)


def _short_coverage(row: pd.Series) -> str:
    """``11 of 13 reporting`` from a coverage statement (``11 of 13 anchors reporting (85%)``)."""
    return str(row["latest_coverage"]).replace(" anchors reporting", " reporting")


def _short_method(row: pd.Series) -> str:
    """The projection's method in a few words."""
    method = str(row["projection_method"])
    if method.startswith("line through"):
        return "2 years: no interval"
    if method.startswith("one year"):
        return "no trend yet"
    return method.replace("least-squares trend of", "trend of").replace(" prediction interval", " interval")


def _trend_chart(row: pd.Series, shown) -> str:
    """The row's trend chart, its alt text saying every value, the straight line, the projection and the status."""
    projection = "–" if pd.isna(row["projected"]) else shown(row["projected"])
    if not pd.isna(row["low"]):
        projection += f" ({shown(row['low'])} to {shown(row['high'])})"
    series = row["series"]
    values = ", ".join(f"{shown(v)} in {fy_label(int(y))}" for y, v in zip(series["year"], series["value"],
                                                                            strict=True))
    alt = (f"Trend of {row['label']}: {values}; straight line from {shown(row['baseline_value'])} to "
           f"{shown(row['target_value'])} by {fy_label(int(row['target_year']))}; projected {projection}; "
           f"{row['status']}.")
    return trend_sparkline(series["year"].tolist(), series["value"].astype(float).tolist(),
                           baseline=(int(row["baseline_year"]), float(row["baseline_value"])),
                           target=(int(row["target_year"]), float(row["target_value"])),
                           projection=(row["projected"], row["low"], row["high"]), alt=alt)


def _commitment_row(row: pd.Series, network) -> str:
    """One commitment's table row."""
    unit = commitment_unit(row, network.place)

    def shown(value: float) -> str:
        return format_value(value, unit) if not pd.isna(value) else "–"

    base_note = "from the returns" if row["baseline_from_returns"] else ""
    chart = _trend_chart(row, shown)
    status = row["status"]
    latest_cell = ("–" if row["latest_year"] is None or pd.isna(row["latest_year"]) else
                   _value_cell(shown(row["latest_value"]), f"in {fy_label(int(row['latest_year']))}",
                               _short_coverage(row)))
    interval = "" if pd.isna(row["low"]) else f"{shown(row['low'])} to {shown(row['high'])}"
    projection_cell = _value_cell("–" if pd.isna(row["projected"]) else shown(row["projected"]), interval,
                                  _short_method(row))
    base_year, target_year = fy_label(int(row["baseline_year"])), fy_label(int(row["target_year"]))
    cells = [f'<th scope="row">{_esc(row["label"])}</th>',
             f"<td>{_value_cell(shown(row['baseline_value']), f'in {base_year}', base_note.strip())}</td>",
             f"<td>{latest_cell}</td>",
             f"<td>{_value_cell(shown(row['path_value']), '', '')}</td>",
             f"<td>{_value_cell(shown(row['target_value']), f'by {target_year}', '')}</td>",
             f"<td>{projection_cell}</td>",
             f'<td class="text status status-{status.replace(" ", "-")}">{STATUS_MARK[status]} {_esc(status)}</td>',
             f'<td class="chart">{chart}</td>']
    return f"<tr>{''.join(cells)}</tr>"
