"""valuekit: a Jupyter workbook for customer-perceived value (Value = Benefits / Sacrifices).

The flow runs one way: a codebook says what each survey column means
(:mod:`valuekit.codebook`), loaders read the export (:mod:`valuekit.io`), and the audit
recodes, flags and accounts for every row (:mod:`valuekit.audit`).
"""

from .audit import CELL_PROBLEMS, DEFAULT_EXCLUDE, ROW_REASONS, Audit, Survey, audit_survey, load_survey
from .codebook import DIMENSIONS, LANGUAGES, SACRIFICES, Codebook, CodebookError, Item, Scale, read_codebook
from .config import DATA_DIR, DEMO_CODEBOOK, DEMO_DATA, DEMO_TRUTH, DEMO_TRUTH_META, NOTEBOOKS_DIR
from .io import SourceInfo, SurveyFileError, read_survey_file

__version__ = "0.1.0"

__all__ = [
    "Audit", "Survey", "audit_survey", "load_survey", "ROW_REASONS", "CELL_PROBLEMS",
    "DEFAULT_EXCLUDE", "Codebook", "CodebookError", "Item", "Scale", "read_codebook",
    "DIMENSIONS", "SACRIFICES", "LANGUAGES", "SourceInfo", "SurveyFileError",
    "read_survey_file", "DATA_DIR", "DEMO_DATA", "DEMO_CODEBOOK", "DEMO_TRUTH",
    "DEMO_TRUTH_META", "NOTEBOOKS_DIR",
]
