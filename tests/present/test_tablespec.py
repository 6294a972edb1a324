"""The tables spec (`tables.yaml`) and `valuekit tables`: drafted from the codebook, read key
by key, every problem named by file and key, and the workbook written from the command line."""

import openpyxl
import pytest
import yaml

import valuekit as vk
from valuekit import DEMO_CODEBOOK, DEMO_DATA
from valuekit.cli import main
from valuekit.errors import TablesError
from valuekit.present.tablespec import default_tables_spec, make_tables, read_tables_spec, tables_spec_yaml


@pytest.fixture(scope="module")
def survey():
    return vk.load_demo("demo")


def test_the_default_spec_reads_the_codebook(survey):
    spec = default_tables_spec(survey.codebook, survey.data)
    assert spec["banners"] == ["world_view", "purchase_reason", "stage", "channel"]
    assert [t["title"] for t in spec["tables"]] == ["Value scores", "Outcomes", "Items: top-2 box"]
    assert {"row": "out_nps", "stat": "nps"} in spec["tables"][1]["rows"]  # the 0-10 recommend item
    assert {"row": "out_sat", "stat": "top", "k": 2} in spec["tables"][1]["rows"]
    assert len(spec["tables"][2]["rows"]) == len(survey.codebook.benefit_items) + len(survey.codebook.sacrifice_items)
    tables = make_tables(survey)
    assert [t.settings["title"] for t in tables] == ["Value scores", "Outcomes", "Items: top-2 box"]
    nps = tables[1].cells[(tables[1].cells["statistic"] == "nps") & (tables[1].cells["banner"] == "Total")]
    assert len(nps) == 1 and -100 < nps["value"].iloc[0] < 100


def test_a_drafted_spec_reads_back_as_the_same_tables(survey, tmp_path):
    path = tmp_path / "tables.yaml"
    path.write_text(tables_spec_yaml(default_tables_spec(survey.codebook, survey.data)), encoding="utf-8")
    spec = read_tables_spec(path)
    assert spec["source"] == "tables.yaml" and spec["adjust"] == "fdr_bh" and spec["levels"] == [0.05, 0.01]
    drafted, read = make_tables(survey), make_tables(survey, path)
    for a, b in zip(drafted, read):
        assert a.cells.equals(b.cells)


def test_options_and_banners_of_a_spec_are_used(survey):
    spec = {"banners": ["world_view"], "adjust": "holm", "levels": [0.1, 0.05], "compare": "previous",
            "tables": [{"title": "Money", "rows": ["money"], "banners": ["channel"]}, {"rows": ["verdict"]}]}
    first, second = make_tables(survey, spec)
    assert first.settings["adjust"] == "holm" and first.settings["levels"] == (0.1, 0.05)
    assert set(first.cells["banner"]) == {"Total", "channel"} and set(second.cells["banner"]) == {"Total", "world_view"}
    assert second.settings["title"] == "Table 2"
    pairs = first.pairs[["first", "second"]].drop_duplicates()
    assert len(pairs) == first.cells.loc[first.cells["banner"] == "channel", "letter"].nunique() - 1  # neighbours
    replaced = make_tables(survey, spec, banners=["stage"])
    assert all(set(t.cells["banner"]) == {"Total", "stage"} for t in replaced)
    nested = make_tables(survey, spec, banners=["channel*stage"])  # as --banner channel*stage
    assert set(nested[0].cells["banner"]) == {"Total", "channel × stage"}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("spec, key, text", [
    ({"tables": [{"rows": ["money"]}], "banner": ["x"]}, "banner", "banner: unknown key; a spec has title, banners"),
    ({"banners": ["world_view"], "tables": []}, "tables", "tables: expected a non-empty list"),
    ({"banners": ["world_view"], "tables": [{"title": "x"}]}, "tables[0].rows", "tables[0].rows: expected a non-empty"),
    ({"banners": ["world_view"], "tables": [{"rows": ["money"], "stubs": 1}]}, "tables[0].stubs",
     "tables[0].stubs: unknown key; a table has title, rows, banners"),
    ({"banners": "world_view", "tables": [{"rows": ["money"], "banners": [3]}]}, "tables[0].banners",
     "tables[0].banners: expected a list of column names (or pairs of them"),
    ({"tables": [{"rows": ["money"]}]}, "tables[0].banners", "tables[0]: no banners"),
    ({"banners": ["world_view"], "tables": ["money"]}, "tables[0]", "tables[0]: expected a mapping with rows"),
    ({"banners": ["world_view"], "title": 3, "tables": [{"rows": ["money"]}]}, "title", "title: expected a text"),
])
def test_a_spec_of_the_wrong_shape_names_the_key(spec, key, text):
    with pytest.raises(TablesError) as err:
        read_tables_spec(spec)
    assert err.value.key == key and text in str(err.value), str(err.value)
    assert str(err.value).startswith("<tables spec>: ")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("table, options, text", [
    ({"rows": ["money", "nope"]}, {}, "tables[0].rows[1]: 'nope' is neither a score"),
    ({"rows": ["money"], "banners": ["world_view", "nope"]}, {}, "tables[0].banners[1]: 'nope' is not a column"),
    ({"rows": [{"row": "out_sat", "stat": "nps"}]}, {}, "tables[0].rows[0]: an NPS needs a 0-10 question"),
    ({"rows": [{"row": "fun_ease_1", "stat": "net", "codes": [8]}]}, {}, "NET code(s) [8] are not categories"),
    ({"rows": ["money"]}, {"adjust": "bh"}, "adjust: expected one of"),
    ({"rows": ["money"]}, {"levels": [0.01, 0.05]}, "levels: expected the looser level first"),
])
def test_a_spec_the_survey_cannot_fill_names_the_key(survey, tmp_path, table, options, text):
    path = tmp_path / "tables.yaml"
    path.write_text(yaml.safe_dump({"banners": ["world_view"], **options, "tables": [table]}), encoding="utf-8")
    with pytest.raises(TablesError) as err:
        make_tables(survey, path)
    assert str(err.value).startswith("tables.yaml: ") and text in str(err.value), str(err.value)


def test_the_command_writes_the_workbook_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "tables.xlsx"
    args = ["tables", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]
    assert main(args) == 0
    said = capsys.readouterr().out
    assert f"wrote {out}: 3 table(s), 49 sheet(s) and the index; 1,962 respondents" in said
    book = openpyxl.load_workbook(out)
    index = book["Tables"]
    column = [index.cell(r, 1).value for r in range(1, 80)]
    assert index["A1"].value == "Casa Aurora customer value survey"
    assert column.index("Value scores") < column.index("Outcomes") < column.index("Items: top-2 box")
    assert len(book.sheetnames) == 50
    assert main(args) == 2 and "exists; pass --force" in capsys.readouterr().err
    assert main(args + ["--force", "--banner", "channel"]) == 0
    assert main(["tables", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(DEMO_DATA)]) == 2
    capsys.readouterr()
    draft = tmp_path / "tables.yaml"
    assert main(["tables", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--draft-spec", str(draft)]) == 0
    assert read_tables_spec(draft)["banners"] == ["world_view", "purchase_reason", "stage", "channel"]
    assert main(["tables", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK)]) == 2
    assert "--output: the workbook to write" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables: [{rows: [nope]}]\nbanners: [world_view]\n", encoding="utf-8")
    assert main(["tables", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--spec", str(bad), "-o",
                 str(tmp_path / "b.xlsx")]) == 2
    assert "bad.yaml: tables[0].rows[0]: 'nope' is neither a score" in capsys.readouterr().err
    assert not (tmp_path / "b.xlsx").exists()


def test_the_explorer_chooses_searches_and_orders_without_changing_a_letter(survey):
    from valuekit.present.tables import BannerExplorer

    table = make_tables(survey)[0]
    explorer = BannerExplorer(table)
    view = explorer.view(["channel"], ["verdict", "time", "money"], order="total")
    assert list(dict.fromkeys(view.cells["stub"])) == ["money", "time", "verdict"]  # Totals 4.26, 3.98, 19.8 %
    assert set(view.cells["banner"]) == {"Total", "channel"} and set(view.pairs["banner"]) == {"channel"}
    key = ["stub", "category", "banner", "column"]
    merged = view.cells.merge(table.cells, on=key, suffixes=("", "_all"))
    assert len(merged) == len(view.cells) and (merged["higher_than"] == merged["higher_than_all"]).all()
    explorer.banners.value = ("world_view",)
    explorer.search.value = "MON"
    assert "Money" in explorer.html.value and "Time" not in explorer.html.value
    assert "channel" not in explorer.html.value and "world view" in explorer.html.value
    explorer.search.value = "no such row"
    assert explorer.html.value == "<p>No row matches.</p>"
