"""Start the app: ``streamlit run dashboard.py`` plus one setting Streamlit has no option for.

With a folder named ``pages/`` next to dashboard.py, Streamlit (1.67) treats the very first script run
after the server starts as a "pages directory" app (``PagesManager.uses_pages_directory``): it first
registers dashboard.py as the only page, so a deep link such as /spend gets Streamlit's English
"Page not found" dialog once, before dashboard.py's own ``st.navigation`` (which switches the flag off
for good) registers every page. Setting the flag off before the server starts removes that first-run
dialog; nothing else changes (pages live in pages/<section>/, which Streamlit never auto-discovers).
tests/browser/test_links_browser.py opens a deep link as the first request after start and checks.

Usage: ``python scripts/serve.py [streamlit run options…]`` (run.py app uses it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(REPO / "dashboard.py"), *argv]
    return int(cli.main(standalone_mode=False) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
