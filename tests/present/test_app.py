"""The dashboard page (valuekit.present.app): the whole page for one survey, or a readable
message on the page when it cannot be built."""

import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA
from valuekit.errors import ParameterError, ValuekitError
from valuekit.present.app import dashboard_page, free_kernel_on_close, startup_error
from valuekit.present.widgets import WhatIfDashboard


@pytest.mark.slow
def test_the_demo_page_is_a_title_over_the_dashboard(tmp_path):
    page = dashboard_page(save_dir=tmp_path / "scenarios", figure=False)
    assert isinstance(page.dashboard, WhatIfDashboard) and "vk-page" in page._dom_classes
    title = page.children[0].value
    assert "Casa Aurora" in title and "customers scored" in title and "levers (demo_levers.yaml)" in title
    assert page.children[1] is page.dashboard.widget
    # four segments; the customers without one are not counted as a fifth
    from valuekit.decide.scenario import NO_SEGMENT
    levels = page.dashboard.engine.segment_levels
    assert NO_SEGMENT in levels and "· 4 segments" in title


@pytest.mark.adversarial("error")
def test_the_dashboard_page_says_why_it_cannot_start(tmp_path):
    from valuekit.present.app import dashboard_page

    page = dashboard_page(tmp_path / "gone.csv", DEMO_CODEBOOK, figure=False)
    assert page.dashboard is None and isinstance(page.error, ValuekitError)
    text = page.children[0].value
    assert "could not start" in text and "gone.csv" in text and "not found" in text


@pytest.mark.adversarial("error")
def test_data_without_its_codebook_is_refused_on_the_page():
    page = dashboard_page(DEMO_DATA, None, figure=False)
    assert isinstance(page.error, ParameterError) and "give both data and codebook" in page.children[0].value


def test_a_bug_is_said_to_be_one():
    page = startup_error(RuntimeError("index 3 out of range"))
    text = page.children[0].value
    assert "a bug in valuekit" in text and "RuntimeError: index 3 out of range" in text
    assert "problem with the survey" in startup_error(ValuekitError("x")).children[0].value


def test_the_closing_script_sets_the_cookie_only_when_missing():
    script = free_kernel_on_close().data
    assert "_xsrf=" in script and "if (!/(^|;\\s*)_xsrf=/.test(document.cookie))" in script
    assert "crypto.getRandomValues" in script  # a random token, not a fixed one
