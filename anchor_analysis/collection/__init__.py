"""Collecting the year's returns: a workbook for each anchor, taking the returned workbooks in, who has returned what.

In: a network folder (``data/raw/<network>``: its anchors, its earlier returns, ``network.toml``'s deadline and
contact) and, once the anchors have filled them in, a folder of returned workbooks (``returns/<year>/``) with any
ledger exports beside them. Out: one template per member (:func:`write_templates`); the collection
(:func:`collect`): every returned workbook checked against the same contracts as a CSV return, failures named by
workbook, sheet and cell, plausibility warnings for the analyst to review, and the valid returns written into the
network's tables as a new version (``versions/`` keeps every earlier one and the change log); and the status of
the year (:func:`return_status`): per anchor, what is in, what is missing and the open warnings, as a terminal
table and an HTML page.
"""
