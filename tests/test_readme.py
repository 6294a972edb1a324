"""The README stays true: its codebook example is a valid codebook, its commands exist."""

import re

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
