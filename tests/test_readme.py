"""The README stays true: its codebook example is a valid codebook, its commands exist."""

import re
import subprocess
import sys

import yaml

from valuekit import Codebook
from valuekit.cli import main
from valuekit.config import PROJ_ROOT

README = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")


def test_codebook_example_is_valid():
    block = re.search(r"```yaml\n(.*?)```", README, re.S).group(1)
    cb = Codebook.from_dict(yaml.safe_load(block))
    assert cb.dimensions == ["functional", "economic", "experiential", "symbolic"]
    assert cb.items["out_nps"].scale.max == 10 and cb.items["fun_rel_2"].reverse
    assert cb.label("economic") == "Value for money" and cb.label("economic", "es") == "Económica"


def test_cli_commands_in_readme_exist(capsys):
    for command in set(re.findall(r"bin/valuekit (\w+) ", README)):
        try:
            main([command, "--help"])
        except SystemExit as exit_:  # argparse exits 0 after printing help
            assert exit_.code == 0, command
    assert "usage: valuekit" in capsys.readouterr().out


def test_make_targets_in_readme_exist():
    makefile = (PROJ_ROOT / "Makefile").read_text()
    for target in set(re.findall(r"^    make (\w+)", README, re.M)):
        assert re.search(rf"^{target}:", makefile, re.M), target


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_readme_counts_the_adversarial_campaign_as_collected():
    """The README's count of hostile cases is the suite's: each case carries its outcome
    (``@pytest.mark.adversarial``) and passes, so none ends raw, silent, lost or injected."""
    run = subprocess.run([sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-m", "adversarial"],
                         cwd=PROJ_ROOT, capture_output=True, text=True, timeout=600)
    found = re.search(r"adversarial campaign: (\d+) cases collected: (\d+) end in a clear error, (\d+) in the right "
                      r"result, (\d+) generated properties", run.stdout)
    assert found, run.stdout[-2000:] + run.stderr[-2000:]
    stated = re.search(r"\*\*([\d,]+) hostile cases\*\*: ([\d,]+) end in a clear error[^,]*, ([\d,]+) in the right "
                       r"result[^,]*,? and ([\d,]+) are generated properties", README)
    assert stated, "the README's adversarial count is missing"
    assert [_number(g) for g in stated.groups()] == [int(g) for g in found.groups()]
