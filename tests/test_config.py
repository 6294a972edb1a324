"""The paths (valuekit.config): the bundled files inside the package, where a wheel puts them too."""

import valuekit as vk
from valuekit import config


def test_the_bundled_files_are_inside_the_package():
    package = config.PROJ_ROOT / "valuekit"
    for path in (config.DEMO_DATA, config.DEMO_CODEBOOK, config.DEMO_TRUTH, config.DEMO_WAVE3):
        assert path.is_file() and package in path.parents, path
    assert config.DATA_DIR == package / "datasets" / "data"
    assert (config.NOTEBOOKS_DIR / "00_overview.ipynb").is_file()


def test_the_top_level_names_are_the_same_paths():
    assert vk.DEMO_DATA == config.DEMO_DATA and vk.NOTEBOOKS_DIR == config.NOTEBOOKS_DIR
