"""valuekit: a Jupyter workbook for customer-perceived value (Value = Benefits / Sacrifices).

The flow runs one way: a codebook says what each survey column means
(:mod:`valuekit.codebook`), loaders read the export (:mod:`valuekit.io`), the audit
recodes, flags and accounts for every row (:mod:`valuekit.audit`); then scoring and
reliability, segments, drivers and comparisons, the playbook, and what-if scenarios.
Raking to population margins is in :mod:`valuekit.weighting`; the confirmatory factor
analysis, discriminant validity and the value path model in :mod:`valuekit.measurement`.
Plots live in :mod:`valuekit.plots`, the dashboard in :mod:`valuekit.widgets`.
"""

import importlib

# Names are imported from their modules on first use (PEP 562), so ``import valuekit`` stays
# light: scikit-learn, scipy and matplotlib load only when something needs them.
_LAZY = {
    "audit": ["CELL_PROBLEMS", "DEFAULT_EXCLUDE", "ROW_REASONS", "Audit", "Survey", "audit_survey", "load_survey"],
    "codebook": ["DIMENSIONS", "LANGUAGES", "SACRIFICES", "Codebook", "CodebookError", "Item",
                 "NoSacrificesError", "Scale", "read_codebook"],
    "config": ["DATA_DIR", "DEMO_CODEBOOK", "DEMO_DATA", "DEMO_TRUTH", "DEMO_TRUTH_META", "DEMO_WAVE3",
               "DEMO_WAVE3_TRUTH", "DEMO_WAVE3_TRUTH_META", "NOTEBOOKS_DIR"],
    "compare": ["attribute_comparison", "value_map"],
    "errors": ["ValuekitError", "FileError", "SurveyError", "ParameterError", "LeverError"],
    "drivers": ["importance_performance", "key_drivers", "outcome_slopes", "relative_weights", "shapley_r2"],
    "measurement": ["CFAResult", "PathResult", "compare_structures", "fit_cfa", "structure_verdict", "value_path"],
    "io": ["SourceInfo", "SurveyFileError", "read_survey_file"],
    "playbook": ["build_evidence", "manager_summary", "recommend"],
    "reliability": ["cronbach_alpha", "mcdonald_omega", "reliability"],
    "scenario": ["Scenario", "ScenarioEngine", "ScenarioError", "build_engine", "compare_scenarios"],
    "scoring": ["ValueScorer", "mean_scores", "summarize_value"],
    "segments": ["ValueSegmenter", "bootstrap_stability", "choose_k", "explain_segments", "segment_profiles",
                 "share_destroyed", "where_value_is_destroyed"],
    "weighting": ["RakeResult", "Targets", "TargetsError", "rake", "read_targets", "weight_survey"],
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'valuekit' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_WHERE])


__version__ = "0.1.0"

__all__ = [
    "Audit", "Survey", "audit_survey", "load_survey", "ROW_REASONS", "CELL_PROBLEMS",
    "DEFAULT_EXCLUDE", "Codebook", "CodebookError", "NoSacrificesError", "Item", "Scale", "read_codebook",
    "DIMENSIONS", "SACRIFICES", "LANGUAGES", "SourceInfo", "SurveyFileError",
    "read_survey_file", "DATA_DIR", "DEMO_DATA", "DEMO_CODEBOOK", "DEMO_TRUTH",
    "DEMO_TRUTH_META", "DEMO_WAVE3", "DEMO_WAVE3_TRUTH", "DEMO_WAVE3_TRUTH_META", "NOTEBOOKS_DIR",
    "ValueScorer", "summarize_value", "mean_scores", "reliability", "cronbach_alpha", "mcdonald_omega",
    "ValueSegmenter", "choose_k", "bootstrap_stability", "segment_profiles", "explain_segments",
    "share_destroyed", "where_value_is_destroyed", "key_drivers", "relative_weights", "shapley_r2",
    "outcome_slopes", "importance_performance", "attribute_comparison", "value_map", "build_evidence",
    "recommend", "manager_summary", "Scenario", "ScenarioEngine", "ScenarioError", "build_engine",
    "compare_scenarios", "ValuekitError", "FileError", "SurveyError", "ParameterError", "LeverError",
    "rake", "weight_survey", "read_targets", "Targets", "RakeResult", "TargetsError",
    "fit_cfa", "compare_structures", "structure_verdict", "value_path", "CFAResult", "PathResult",
]
