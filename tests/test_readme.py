"""The README and the documentation's guides stay true: the codebook example is a valid
codebook, every command they show exists, the README's Python runs, its counts are the
suite's, and the README stays a front page (at most 150 lines)."""

import re
import subprocess
import sys

import pytest
import yaml

from valuekit import Codebook
from valuekit.cli import main
from valuekit.config import PROJ_ROOT

README = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = {p.relative_to(PROJ_ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted((PROJ_ROOT / "docs").rglob("*.md"))
          if "_build" not in p.parts and "generated" not in p.parts}
EVERY_PAGE = {"README.md": README, **GUIDES}


def test_the_readme_is_a_front_page():
    assert len(README.splitlines()) <= 150
    assert "docs/guide/codebook.md" in GUIDES and "docs/guide/your-survey.md" in GUIDES


def test_codebook_example_is_valid():
    block = re.search(r"```yaml\n(.*?)```", GUIDES["docs/guide/codebook.md"], re.S).group(1)
    cb = Codebook.from_dict(yaml.safe_load(block))
    assert cb.dimensions == ["functional", "economic", "experiential", "symbolic"]
    assert cb.items["out_nps"].scale.max == 10 and cb.items["fun_rel_2"].reverse
    assert cb.label("economic") == "Value for money" and cb.label("economic", "es") == "Económica"
    assert (cb.strata, cb.cluster, cb.fpc) == ("region", "store", "stores_in_region")


def test_cli_commands_in_readme_exist(capsys):
    commands = {c for text in EVERY_PAGE.values() for c in re.findall(r"bin/valuekit (\w+) ", text)}
    assert {"init", "audit", "score", "report", "dashboard", "weight"} <= commands
    for command in commands:
        try:
            main([command, "--help"])
        except SystemExit as exit_:  # argparse exits 0 after printing help
            assert exit_.code == 0, command
    assert "usage: valuekit" in capsys.readouterr().out


def test_make_targets_in_readme_exist():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    for target in {t for text in EVERY_PAGE.values() for t in re.findall(r"^    make (\w+)", text, re.M)}:
        assert re.search(rf"^{target}:", makefile, re.M), target


def _number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.slow
def test_readme_counts_the_adversarial_campaign_as_collected():
    """The README's count of hostile cases is the suite's: each case carries its outcome
    (``@pytest.mark.adversarial``) and passes, so none ends raw, silent, lost or injected."""
    run = subprocess.run([sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-m", "adversarial"],
                         cwd=PROJ_ROOT, capture_output=True, text=True, timeout=600)
    found = re.search(r"adversarial campaign: (\d+) cases collected: (\d+) end in a clear error, (\d+) in the right "
                      r"result, (\d+) generated properties", run.stdout)
    assert found, run.stdout[-2000:] + run.stderr[-2000:]
    for page in ("README.md", "docs/guide/value-equation.md"):
        stated = re.search(r"\*\*([\d,]+) hostile cases\*\*: ([\d,]+) end in a clear error[^,]*, ([\d,]+) in the "
                           r"right\s+result[^,]*,? and ([\d,]+) are generated properties", EVERY_PAGE[page])
        assert stated, f"{page}: the adversarial count is missing"
        assert [_number(g) for g in stated.groups()] == [int(g) for g in found.groups()], page


def test_the_readme_python_runs_on_the_demo():
    """The README's Python block, on the bundled demo instead of the reader's export."""
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    code = re.sub(r"^survey = vk\.load_survey\(.*$", "survey = vk.load_demo()", block, flags=re.M)
    assert code != block
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert len(namespace["scores"]) == 1962
