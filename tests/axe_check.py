"""An automated accessibility check of an HTML page in a real browser: axe-core run through Playwright, driving
the system Chromium (browser downloads are not needed).

axe-core (Deque, MPL-2.0) is not vendored: its npm package is fetched once with ``npm pack`` into the user cache
and read from there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

AXE_VERSION = "4.12.1"
SERIOUS = ("serious", "critical")


def axe_script() -> str:
    """The text of axe-core's ``axe.min.js``, fetched from npm into the cache on first use."""
    cache = Path(os.environ.get("ANCHOR_ANALYSIS_CACHE", Path.home() / ".cache" / "anchor-analysis"))
    script = cache / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"npm is needed once to fetch axe-core {AXE_VERSION} (apt-get install npm)")
        folder = script.parent
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(folder)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"npm pack axe-core@{AXE_VERSION} failed: {done.stderr.strip()[-500:]}")
        with tarfile.open(folder / f"axe-core-{AXE_VERSION}.tgz") as archive:
            member = archive.extractfile("package/axe.min.js")
            script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


def axe_violations(page_path: Path, chromium: str) -> list[dict]:
    """Every axe-core violation of ``page_path`` (WCAG 2 A and AA and best-practice rules), as axe reports them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=180_000)
            page.add_script_tag(content=axe_script())
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        finally:
            browser.close()
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """The violations in a few lines each: impact, rule, help and the first elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} ({len(violation['nodes'])})")
        lines += [f"    {node['target']}" for node in violation["nodes"][:3]]
    return "\n".join(lines)
