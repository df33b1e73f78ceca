"""Sphinx configuration for fastcors' documentation.

Build locally (CI runs the same command, with warnings as errors):

    python -m pip install '.[docs]'
    python -m sphinx -W --keep-going -b html docs build/docs
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

project = "fastcors"
author = "The fastcors developers"
copyright = "the fastcors developers"

try:
    release = version("fastcors")
except PackageNotFoundError:  # not installed: the API page's autodoc fails and says so
    release = "unknown"
version = ".".join(release.split(".")[:2])

# The pages are MyST Markdown, like the README, CHANGES.md and bench/*.md, so the changelog is
# included rather than copied. The API page uses autodoc on the installed package. No
# extension that needs the network (intersphinx, linkcheck): the build runs offline in CI.
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
# Every heading up to ### gets an anchor, so pages can link to a section as `page.md#slug`.
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"

# Theme: Furo. Reasons:
# - it installs from PyPI as one pure-Python wheel (plus sphinx-basic-ng) and builds warning-free
#   with current Sphinx, which matters because CI builds with -W;
# - a neutral look: pallets-sphinx-themes (the theme of Flask's own documentation) would make
#   fastcors look like a Pallets project, which it is not;
# - readable wide tables (the options and differences tables scroll instead of squashing), a
#   light and a dark mode that follow the reader's system setting, a usable phone layout, and a
#   sidebar with the whole toctree, so every page is one click away from every other;
# - no configuration to speak of: nothing here can drift from the theme's own defaults.
html_theme = "furo"
html_title = f"fastcors {release}"
html_theme_options = {
    "source_repository": "https://github.com/fastcors/fastcors/",
    "source_branch": "main",
    "source_directory": "docs/",
}
pygments_style = "friendly"
pygments_dark_style = "monokai"
