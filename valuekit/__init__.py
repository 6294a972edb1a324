"""valuekit: a Jupyter workbook for customer-perceived value (Value = Benefits / Sacrifices).

The package is grouped by the flow, one folder per stage, each importing only from the
stages below it:

- :mod:`valuekit.survey`: what the export means (codebook, levers, reading files, the
  audit, the drafted codebook, raking);
- :mod:`valuekit.datasets`: the bundled surveys and their generators;
- :mod:`valuekit.measure`: scores, reliability, CFA and the value path;
- :mod:`valuekit.analyse`: group comparisons, segments, drivers, the competitor, waves,
  banner tables;
- :mod:`valuekit.decide`: the playbook and the what-if scenarios;
- :mod:`valuekit.present`: charts, widgets, the dashboard page, the deck;
- :mod:`valuekit.engines`: the same work over Dask partitions;

with the command line (:mod:`valuekit.cli`), the report runner (:mod:`valuekit.report`),
the errors, the paths (:mod:`valuekit.config`) and the evidence floors
(:mod:`valuekit.evidence`) at the top level. The names below are the public API.
"""

import importlib

from . import _moved

_moved.install()  # the 0.1 submodule paths, for one release (valuekit/_moved.py)

# Names are imported from their modules on first use (PEP 562), so ``import valuekit`` stays
# light: scikit-learn, scipy and matplotlib load only when something needs them.
_LAZY = {
    "survey.audit": ["CELL_PROBLEMS", "DEFAULT_EXCLUDE", "ROW_REASONS", "Audit", "Survey", "audit_survey", "load_survey"],
    "survey.codebook": ["DIMENSIONS", "LANGUAGES", "SACRIFICES", "Codebook", "CodebookError", "Item",
                        "NoSacrificesError", "Scale", "read_codebook"],
    "config": ["DATA_DIR", "DEMO_CODEBOOK", "DEMO_DATA", "DEMO_TRUTH", "DEMO_TRUTH_META", "DEMO_WAVE3",
               "DEMO_WAVE3_TRUTH", "DEMO_WAVE3_TRUTH_META", "NOTEBOOKS_DIR"],
    "datasets": ["list_datasets", "load_demo"],
    "analyse.competitor": ["attribute_comparison", "value_map"],
    "evidence": ["Evidence", "evidence_settings"],
    "errors": ["ValuekitError", "FileError", "SurveyError", "ParameterError", "LeverError", "TablesError"],
    "analyse.drivers": ["importance_performance", "key_drivers", "outcome_slopes", "relative_weights", "shapley_r2"],
    "measure.sem": ["CFAResult", "PathResult", "compare_structures", "fit_cfa", "structure_verdict", "value_path"],
    "survey.io": ["SourceInfo", "SurveyFileError", "read_survey_file"],
    "decide.playbook": ["build_evidence", "manager_summary", "recommend"],
    "measure.reliability": ["cronbach_alpha", "mcdonald_omega", "reliability"],
    "decide.scenario": ["Scenario", "ScenarioEngine", "ScenarioError", "build_engine", "compare_scenarios"],
    "measure.scoring": ["ValueScorer", "mean_scores", "summarize_value"],
    "analyse.segments": ["ValueSegmenter", "bootstrap_stability", "choose_k", "explain_segments", "segment_profiles",
                         "share_destroyed", "where_value_is_destroyed"],
    "survey.weighting": ["RakeResult", "Targets", "TargetsError", "rake", "read_targets", "weight_survey"],
    "present.reader": ["ReaderTable", "reader_table"],
    "analyse.tables": ["Banner", "banner", "nps_groups"],
    "present.tables": ["style_banner", "write_tables", "BannerExplorer"],
    "present.tablespec": ["make_tables", "read_tables_spec", "default_tables_spec"],
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
    "read_survey_file", "list_datasets", "load_demo", "DATA_DIR", "DEMO_DATA", "DEMO_CODEBOOK", "DEMO_TRUTH",
    "DEMO_TRUTH_META", "DEMO_WAVE3", "DEMO_WAVE3_TRUTH", "DEMO_WAVE3_TRUTH_META", "NOTEBOOKS_DIR",
    "ValueScorer", "summarize_value", "mean_scores", "reliability", "cronbach_alpha", "mcdonald_omega",
    "ValueSegmenter", "choose_k", "bootstrap_stability", "segment_profiles", "explain_segments",
    "share_destroyed", "where_value_is_destroyed", "key_drivers", "relative_weights", "shapley_r2",
    "outcome_slopes", "importance_performance", "attribute_comparison", "value_map", "build_evidence",
    "recommend", "manager_summary", "Scenario", "ScenarioEngine", "ScenarioError", "build_engine",
    "compare_scenarios", "ValuekitError", "FileError", "SurveyError", "ParameterError", "LeverError",
    "rake", "weight_survey", "read_targets", "Targets", "RakeResult", "TargetsError",
    "fit_cfa", "compare_structures", "structure_verdict", "value_path", "CFAResult", "PathResult",
    "Evidence", "evidence_settings", "ReaderTable", "reader_table", "Banner", "banner", "nps_groups",
    "style_banner", "write_tables", "BannerExplorer", "make_tables", "read_tables_spec", "default_tables_spec", "TablesError",
]
