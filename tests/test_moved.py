"""The 0.1 submodule paths (valuekit/_moved.py): each is the new module, for one release,
with a FutureWarning naming the new path; ``valuekit.reliability`` is the function only."""

import subprocess
import sys
import warnings

import pytest


@pytest.mark.parametrize("old, new", [("scoring", "measure.scoring"), ("compare", "analyse.competitor"),
                                      ("bigdata", "engines.dask"), ("levers", "survey.levers")])
def test_an_old_submodule_path_is_the_new_module_with_a_warning(old, new):
    code = (f"import warnings; warnings.simplefilter('error', FutureWarning)\n"
            f"try:\n    import valuekit.{old}\nexcept FutureWarning as w:\n    print('warned:', w)\n"
            f"import warnings; warnings.simplefilter('ignore', FutureWarning)\n"
            f"import valuekit.{old} as a, valuekit.{new} as b\n"
            f"print(a is b, a.__spec__.name, a.__name__)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    warned, same = run.stdout.strip().splitlines()
    assert warned == f"warned: valuekit.{old} moved to valuekit.{new} in valuekit 0.2; the old path goes in the next release"
    assert same == f"True valuekit.{new} valuekit.{new}"


def test_reliability_is_the_function_and_no_longer_a_module():
    """The clash of issue 29: after importing from the module, ``vk.reliability`` was the
    module, and ``vk.reliability(data, cb)`` raised "'module' object is not callable"."""
    code = ("import valuekit as vk\n"
            "from valuekit.measure.reliability import cronbach_alpha\n"
            "print(callable(vk.reliability), vk.reliability.__module__)\n"
            "try:\n    import valuekit.reliability\nexcept ModuleNotFoundError as e:\n    print('gone')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "valuekit.measure.reliability", "gone"]


def test_warnings_of_the_aliases_are_future_warnings_only_on_old_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import valuekit.measure.scoring  # noqa: F401  (the new path: no warning)
