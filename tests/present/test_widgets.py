"""The comparison explorer: a thin view over compare_groups (the browser test drives it live)."""

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.analyse.significance import compare_groups
from valuekit.present.widgets import ComparisonExplorer, format_comparisons

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo(demo_scores):
    survey, scores = demo_scores
    segments = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
    groupings = {"segment": segments, "world_view": "world_view", "channel": "channel"}
    kw = dict(codebook=survey.codebook, data=survey.data, weights=survey.weights)
    return scores, groupings, kw


@pytest.fixture(scope="module")
def explorer(demo):
    scores, groupings, kw = demo
    return ComparisonExplorer(scores, groupings, names={"segment": {1: "Fans"}}, **kw)


def test_view_equals_filtering_compare_groups(demo, explorer):
    scores, groupings, kw = demo
    table = compare_groups(scores, groupings, **kw)  # the whole table: p adjusted across all of it
    for grouping, measures in (("segment", ["value_ratio"]), ("channel", ["money", "share_destroyed"])):
        rows, html = explorer.view(grouping, measures)
        expected = table[(table["grouping"] == grouping) & table["measure"].isin(measures)]
        pd.testing.assert_frame_equal(rows, expected)
        assert rows.attrs["n_tests"] == table.attrs["n_tests"]
        assert 'class="dataframe vk-comparison-detail"' in html
    assert explorer.view("channel", "money")[0]["measure"].unique().tolist() == ["money"]


def test_html_carries_the_evidence_of_every_compared_group(explorer):
    rows, html = explorer.view("segment", ["value_ratio", "share_destroyed"])
    detail = format_comparisons(rows, names={1: "Fans"})
    assert detail.to_html(classes="vk-comparison-detail", index=False, border=0) in html
    assert list(detail.columns) == ["group", "measure", "n", "effective n", "value [95% CI]", "rest",
                                    "difference [95% CI]", "effect size", "p (adjusted)", "result"]
    for (_, r), (_, text) in zip(rows.iterrows(), detail.iterrows()):
        assert text["n"] == str(r["n"])
        if r["note"]:
            assert text["result"] == f"not compared: {r['note']}" and text["p (adjusted)"] == "–"
            continue
        share = r["statistic_type"] == "share"
        fmt = "{:.1%}" if share else "{:.2f}"
        assert text["value [95% CI]"] == (f"{fmt.format(r['group_value'])} [{fmt.format(r['group_ci_low'])}, "
                                          f"{fmt.format(r['group_ci_high'])}]")
        assert text["effect size"] == f"{'h' if share else 'g'} = {r['effect']:+.2f}"
        p = r["p_adj"]
        assert text["p (adjusted)"] == ("< 0.001" if p < 0.001 else f"{p:.3f}")
        assert text["result"].startswith("▲" if r["direction"] == "higher" else "▼") == bool(r["finding"])
    assert "1: Fans" in set(detail["group"])
    assert "Value destroyed (share)" in html  # the styled overview, labelled in English


def test_format_comparisons_share_in_points_and_not_significant():
    row = pd.DataFrame({"group": [2], "label": ["Destroyed"], "statistic_type": ["share"], "n": [200],
                        "n_eff": [180.2], "group_value": [0.25], "group_ci_low": [0.19], "group_ci_high": [0.32],
                        "rest_value": [0.2], "diff": [0.05], "ci_low": [-0.01], "ci_high": [0.11],
                        "effect": [0.12], "effect_size": ["cohen_h"], "p_adj": [0.0712], "significant": [False],
                        "finding": [False], "direction": [""], "grade": [""], "note": [""]})
    row.attrs["confidence"] = 0.9
    text = format_comparisons(row).iloc[0]
    assert text["value [90% CI]"] == "25.0% [19.0%, 32.0%]"
    assert text["difference [90% CI]"] == "+5.0 pp [-1.0, +11.0]"
    assert (text["rest"], text["effect size"], text["p (adjusted)"], text["result"]) == (
        "20.0%", "h = +0.12", "0.071", "not significant")


def test_changing_the_grouping_updates_table_and_chart(demo):
    scores, groupings, kw = demo
    explorer = ComparisonExplorer(scores, groupings, **kw)
    assert explorer.grouping.value == "segment" and explorer.measures.value == ("value_ratio",)
    html, image = explorer.html.value, bytes(explorer.image.value)  # a memoryview in the widget
    assert html == explorer.view("segment", ["value_ratio"])[1]
    assert image.startswith(PNG)

    explorer.grouping.value = "channel"
    assert explorer.html.value == explorer.view("channel", ["value_ratio"])[1] != html
    assert bytes(explorer.image.value).startswith(PNG) and bytes(explorer.image.value) != image
    assert ">online<" in explorer.html.value and ">online<" not in html

    explorer.measures.value = ("money", "value_ratio")
    assert explorer.html.value == explorer.view("channel", ["money", "value_ratio"])[1]
    assert len(explorer.figure("channel", ["money", "value_ratio"]).axes) == 2

    explorer.measures.value = ()
    assert "Choose at least one measure" in explorer.html.value
    assert explorer.image.layout.display == "none"
    explorer.measures.value = ("value_ratio",)
    assert explorer.image.layout.display is None
    assert explorer.display() is explorer.widget


def test_unknown_grouping_or_measure_names_it(explorer, demo):
    with pytest.raises(ValueError, match="unknown grouping 'shop'.*'segment', 'world_view', 'channel'"):
        explorer.view("shop", ["value_ratio"])
    with pytest.raises(ValueError, match=r"unknown measure\(s\) \['happiness'\]"):
        explorer.view("segment", ["value_ratio", "happiness"])
    with pytest.raises(ValueError, match="at least one measure"):
        explorer.view("segment", [])
    with pytest.raises(ValueError, match="unknown grouping 'shop'"):
        explorer.figure("shop", ["value_ratio"])
    scores, _, kw = demo
    with pytest.raises(ValueError, match="grouping column 'shop' not found"):
        ComparisonExplorer(scores, {"shop": "shop"}, **kw)
    with pytest.raises(ValueError, match="non-empty dict"):
        ComparisonExplorer(scores, "channel", **kw)


def test_names_and_escaping_in_the_html(demo):
    scores, _, kw = demo
    data = kw["data"].assign(shop=np.where(kw["data"]["channel"] == "store", "<b>Main & Co</b>", "web"))
    explorer = ComparisonExplorer(scores, {"shop": "shop"}, **dict(kw, data=data), figure=False)
    html = explorer.html.value
    assert "<b>Main" not in html and "&lt;b&gt;Main &amp; Co&lt;/b&gt;" in html
    assert explorer.image.layout.display == "none" and bytes(explorer.image.value) == b""


# -- the what-if dashboard, without a browser ------------------------------------------------

def test_whatif_dashboard_shows_what_the_engine_computes(scenario_engine, tmp_path):
    import html

    from valuekit.decide.scenario import Scenario, format_comparison, format_segments, format_summary, format_tiles
    from valuekit.present.widgets import WhatIfDashboard

    engine = scenario_engine
    dash = WhatIfDashboard(engine, save_dir=tmp_path, figure=False)
    assert set(dash.sliders) == set(engine.levers.levers)
    assert dash._labels["vat"].value == "<b>VAT rate</b>" and dash._units["vat"].value == "VAT points"
    assert "—" in dash.headline.value and "±0" not in dash.headline.value + dash.table.value  # nothing moved yet
    assert dash.image.layout.display == "none" and dash.comparison_image.layout.display == "none"  # no empty image
    dash.sliders["price"].value = 20
    expected = engine.apply(Scenario(levers={"price": 20.0}))
    tiles = format_tiles(expected)
    for tile in tiles:  # the key numbers, each as the engine's result says it
        assert html.escape(tile["value"]) in dash.headline.value and html.escape(tile["detail"]) in dash.headline.value
    assert tiles[0]["tone"] == "bad"  # dearer: more customers with value destroyed, never shown as good
    compact, full = format_segments(expected), format_summary(expected)
    assert compact.shape[1] + 1 <= 6 and "vk-summary" in dash.table.value  # the segment column and at most five
    assert compact.to_html(classes="vk-summary", border=0) in dash.table.value
    assert dash.table_full.value == ""  # the detail, one click away: written when opened, and kept current
    dash.detail.selected_index = 0
    assert dash.table_full.value == full.to_html(classes="vk-summary-full", border=0)
    dash.segment.value = 2
    assert dash.scenario().segments == (2,)
    dash.name.value = "dearer"
    path = dash.save()
    assert path.name == "dearer.yaml" and Scenario.load(path) == Scenario(name="dearer", levers={"price": 20.0},
                                                                            segments=(2,), built_on=engine.built_on([2]))
    dash.language.value = "it"
    assert "Clienti con valore distrutto" in dash.headline.value and dash.save_button.description == "Salva scenario"
    assert dash._units["vat"].value == "punti IVA" and dash._units["staff"].value == "punti"
    dash.reset()
    assert dash.scenario() == Scenario(name="dearer")
    dash.saved.value = (str(path),)
    dash.load()
    assert dash.scenario() == Scenario(name="dearer", levers={"price": 20.0}, segments=(2,))
    table = dash.compare()
    assert table.equals(format_comparison(engine, [Scenario.load(path)], lang="it"))
    assert dash.tabs.selected_index == 1 and "Prezzo +20 %" in dash.comparison.value  # in view, with its levers
    dash.language.value = "es"  # the comparison on screen follows the language
    assert "Precio +20 %" in dash.comparison.value and dash.name.value == "dearer"
    dash.language.value = "it"
    other = tmp_path / "clinic.yaml"
    Scenario(name="clinic", levers={"time": -20.0, "price": 80.0}).save(other)
    dash._list_saved()
    dash.saved.value = (str(other),)
    assert dash.load() is None
    message = html.unescape(dash.message.value)
    assert "scenario 'clinic' does not apply to this survey: lever 'time' is not a lever of this survey" in message
    assert "lever 'price': 80 % is out of its range [-50, 50]" in message
    assert dash.deck()[:2] == b"PK" and "vk-deck-link" in dash.download.value


def test_the_live_figure_draws_the_engines_points_and_bars(scenario_engine, tmp_path):
    """Only what moves is redrawn over a cached background; the artists hold the engine's numbers."""
    from valuekit.decide.scenario import Scenario
    from valuekit.present.widgets import WhatIfDashboard

    engine = scenario_engine
    dash = WhatIfDashboard(engine, save_dir=tmp_path)
    first = dash._live
    start = bytes(dash.image.value)
    assert start.startswith(b"\x89PNG")
    dash.sliders["price"].value = -30
    dash.sliders["staff"].value = 1
    result = engine.apply(Scenario(levers={"price": -30.0, "staff": 1.0}), customers=True)
    live, summary, customers = dash._live, result["summary"], result["customers"]
    assert live is first  # same language, same bar range: nothing drawn twice
    assert len(customers) <= 3000  # the demo is small enough to draw every customer, in order
    segments = np.asarray(engine.segments).astype(str)
    assert [str(p.get_label()) for p in live.points] == live._order  # one collection per segment, coloured apart
    for points, level in zip(live.points, live._order):
        np.testing.assert_allclose(points.get_offsets(),
                                   customers[["sacrifices", "benefits"]].to_numpy()[segments == level])
    assert len({tuple(p.get_facecolor()[0]) for p in live.points}) == len(live.points)
    np.testing.assert_allclose([r.get_width() for r in live.after.patches], summary["share_destroyed_after"])
    whiskers = np.array(live.whiskers.get_segments())
    np.testing.assert_allclose(whiskers[:, 0, 0], summary["share_destroyed_after_low"])
    np.testing.assert_allclose(whiskers[:, 1, 0], summary["share_destroyed_after_high"])
    assert bytes(dash.image.value) != start
    labels = [t.get_text() for t in live.after.patches[0].axes.get_yticklabels()]
    assert labels[0] == "All customers"

    first.xmax = 0.5  # as if the bars' axis had been drawn for small shares: one segment's is 0.6+
    dash.sliders["price"].value = 50  # dearer: shares beyond the axis draw the figure again
    assert dash._live is not first
    assert dash._live.xmax >= dash.result["summary"]["share_destroyed_after_high"].max()
    dash.language.value = "es"
    assert [t.get_text() for t in dash._live.after.patches[0].axes.get_yticklabels()][0] == "Todos los clientes"
    assert dash._live.after.patches[0].axes.get_xlabel() == "clientes con valor destruido"


def test_scenarios_saved_by_another_page_appear_on_the_next_move(scenario_engine, tmp_path):
    from valuekit.decide.scenario import Scenario
    from valuekit.present.widgets import WhatIfDashboard

    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False)
    assert dash.saved.options == ()
    mine = Scenario(name="mine", levers={"price": -5.0}).save(tmp_path / "mine.yaml")
    dash.sliders["price"].value = -5  # any move refreshes the list
    dash.saved.value = (str(mine),)
    Scenario(name="theirs", levers={"staff": 1.0}).save(tmp_path / "theirs.yaml")  # saved in another tab
    dash.sliders["price"].value = -6
    assert [label for label, _ in dash.saved.options] == ["mine", "theirs"]
    assert dash.saved.value == (str(mine),)  # the selection survives the refresh


def test_the_saved_list_shows_the_names_inside_the_files(scenario_engine, tmp_path):
    """A name a file cannot carry (a slash, a colon, a line break) is listed as it was typed;
    the file's own name beside it when the safe file name is not the one the name gives."""
    from valuekit.present.widgets import WhatIfDashboard

    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False)
    for name in ("Plan: A/B\n<b>v2</b>", "Plan: A/B\n<b>v2</b>"):
        dash.name.value = name
        dash.sliders["price"].value = -5
        assert dash.save() is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Plan_A_B_b_v2_b.yaml", "Plan_A_B_b_v2_b_2.yaml"]
    assert [label for label, _ in dash.saved.options] == ["Plan: A/B\n<b>v2</b>",
                                                          "Plan: A/B\n<b>v2</b> (Plan_A_B_b_v2_b_2.yaml)"]


def test_saving_never_overwrites_an_earlier_scenario(scenario_engine, tmp_path):
    """The default name, the same name again, or one differing only by case or punctuation
    gets a new file, and the message says which file was kept."""
    import html

    from valuekit.decide.scenario import Scenario
    from valuekit.present.widgets import WhatIfDashboard

    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False)
    dash.sliders["price"].value = -10
    first = dash.save()
    assert first.name == "my_scenario.yaml" and html.unescape(dash.message.value) == "saved my_scenario.yaml"
    dash.sliders["price"].value = 10
    second = dash.save()
    assert second.name == "my_scenario_2.yaml"
    assert html.unescape(dash.message.value) == ("saved my_scenario_2.yaml: my_scenario.yaml already holds a "
                                                 "scenario and was not overwritten")
    dash.name.value = "My scenario!"
    third = dash.save()
    assert third.name == "My_scenario_3.yaml"
    assert [Scenario.load(p).levers for p in (first, second, third)] == [{"price": -10.0}, {"price": 10.0},
                                                                          {"price": 10.0}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["My_scenario_3.yaml", "my_scenario.yaml",
                                                          "my_scenario_2.yaml"]


def test_a_scenario_saved_for_other_segments_is_refused_on_load(scenario_engine, tmp_path):
    """A saved scenario records the names of its segments: loaded where segment 2 is another
    segment, the page says so instead of applying it to the wrong customers."""
    import copy
    import html

    from valuekit.decide.scenario import Scenario
    from valuekit.present.widgets import WhatIfDashboard

    engine = scenario_engine
    dash = WhatIfDashboard(engine, save_dir=tmp_path, figure=False)
    dash.segment.value = 2
    dash.sliders["price"].value = -10
    path = dash.save()
    text = path.read_text(encoding="utf-8")
    own = engine.segment_names["en"][2]
    assert "built_on:" in text and own in text
    saved = Scenario.load(path)
    refitted = copy.copy(engine)  # as if refitted with the segments in another order
    other = dict(engine.segment_names["en"])
    other[2], other[0] = other[0], other[2]
    refitted.segment_names = {**engine.segment_names, "en": other}
    page = WhatIfDashboard(refitted, save_dir=tmp_path, figure=False)
    page.saved.value = (str(path),)
    assert page.load() is None and page.sliders["price"].value == 0
    message = html.unescape(page.message.value)
    assert f"segment 2 was '{own}' when saved but is '{other[2]}' here ('{own}' is now segment 0)" in message
    assert "remove its 'built_on' record to apply it anyway" in message
    with pytest.raises(vk.errors.ScenarioError, match="segment 2 was"):
        refitted.apply(saved)
    assert engine.apply(saved)["summary"].loc[2, "share_destroyed_after"] >= 0  # where it was made, it applies


def test_the_download_offers_the_deck_and_its_charts_as_png(scenario_engine, tmp_path):
    """Beside the deck, the page offers the deck's own charts as PNG images, byte for byte."""
    import base64
    import re

    from valuekit.decide.scenario import Scenario
    from valuekit.present.deck import scenario_pngs
    from valuekit.present.widgets import WhatIfDashboard

    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False)
    dash.sliders["price"].value = 10
    dash.name.value = "dearer"
    dash.save()
    dash.saved.value = (str(tmp_path / "dearer.yaml"),)
    dash.compare()
    assert dash.deck()[:2] == b"PK"
    links = dict(re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", dash.download.value))
    assert list(links) == ["dearer.pptx", "dearer_map.png", "dearer_comparison.png"]
    expected = scenario_pngs(scenario_engine, dash.scenario(), compare=[Scenario.load(tmp_path / "dearer.yaml")],
                             names=dash.names.get("en", {}), lang="en")
    for chart, png in expected.items():
        got = base64.b64decode(links[f"dearer_{chart}.png"])
        assert got[:8] == b"\x89PNG\r\n\x1a\n" and got == png


def test_the_price_lever_says_who_would_buy_at_the_new_price(scenario_engine, tmp_path):
    """With the price questions' grid, moving the price lever shows the trial share at the new
    price (the curve's own value), its change from today's, and whether the price is still
    acceptable; in the dashboard's language; and nothing without the grid."""
    from valuekit.analyse.price_value import demand_at
    from valuekit.decide.price_moves import price_grid
    from valuekit.present.widgets import WhatIfDashboard

    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    grid = price_grid(survey, scenario_engine, draws=100, random_state=0)
    assert len(grid) == 101 and grid.loc[0.0, "change"] == 0 and grid.attrs["lever"] == "price"
    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False, price=grid)
    assert "at today&#x27;s price 69.00" in dash.demand.value and "n = 1,858" in dash.demand.value
    dash.sliders["price"].value = -10
    trial = demand_at(survey, [69, 62.1], draws=0)["trial"]
    assert f"at 62.10, {100 * trial.iloc[1]:.1f}% would try it" in dash.demand.value
    assert f"+{100 * (trial.iloc[1] - trial.iloc[0]):.2f} points" in dash.demand.value
    assert "within the acceptable prices (48.45 to 90.46)" in dash.demand.value
    dash.sliders["price"].value = 40
    assert "OUTSIDE the acceptable prices" in dash.demand.value
    dash.language.value = "it"
    assert "FUORI dai prezzi accettabili" in dash.demand.value
    assert WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False).demand.value == ""
    unnamed = grid.copy()
    unnamed.attrs = {}  # no lever named
    with pytest.raises(ValueError, match="price: expected a price_grid table"):
        WhatIfDashboard(scenario_engine, save_dir=tmp_path, figure=False, price=unnamed)
