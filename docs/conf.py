"""Sphinx configuration: the valuekit documentation (`make docs`; CI builds it with warnings
as errors, so a broken reference or a malformed docstring fails the build)."""

import shutil
from pathlib import Path

import valuekit

HERE = Path(__file__).parent
ROOT = HERE.parent

project = "valuekit"
author = "the valuekit developers"
copyright = "valuekit developers, BSD-3-Clause"
release = version = valuekit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]

# The notebooks' gallery: the committed, executed notebooks, shown as they are (not re-run).
GALLERY = HERE / "_gallery"
shutil.rmtree(GALLERY, ignore_errors=True)
GALLERY.mkdir()
for notebook in sorted((ROOT / "valuekit" / "notebooks").glob("[0-9][0-9]_*.ipynb")):
    shutil.copy(notebook, GALLERY / notebook.name)
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # the notebooks' own heading levels are the reader's

autosummary_generate = True
templates_path = ["_templates"]  # an API page is titled by the name alone (load_survey), its module under it
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types, in words
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

html_theme = "pydata_sphinx_theme"
html_title = "valuekit"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["valuekit.css"]
