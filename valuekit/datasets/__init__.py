"""The bundled surveys and their generators: the demo retailer (two waves and a third with
planted changes), the clinic, and the null surveys the playbook is tested on.

The files ship inside the package (``valuekit/datasets/data``), so an installed wheel has
them: :func:`list_datasets` says what there is, :func:`load_demo` loads one, audited.
Imports only the survey stage below it.

>>> import valuekit as vk
>>> vk.list_datasets().index.tolist()
['demo', 'demo_wave3', 'clinic']
>>> vk.load_demo("clinic")
<Survey clinic_survey.csv: 300 respondents kept of 301>
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..config import DATA_DIR
from ..errors import ParameterError
from ..survey.audit import Survey, load_survey

__all__ = ["list_datasets", "load_demo", "CATALOG_FILE"]

#: What is bundled: each dataset's description and files (YAML, in the data folder).
CATALOG_FILE = DATA_DIR / "datasets.yaml"
_FILES = ("data", "codebook", "levers", "targets")


def _catalog() -> dict[str, dict]:

    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))


def list_datasets():
    """The bundled surveys: one row per name, with its description and the paths of its files.

    Returns
    -------
    DataFrame
        Indexed by name (what :func:`load_demo` takes); columns ``description`` and
        ``data``, ``codebook``, ``levers``, ``targets`` (paths; ``None`` where the dataset
        has no such file).
    """

    rows = {name: {"description": " ".join(entry["description"].split()),
                   **{key: (DATA_DIR / entry[key]) if entry.get(key) else None for key in _FILES}}
            for name, entry in _catalog().items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["description", *_FILES])


def load_demo(name: str = "demo", **options) -> Survey:
    """A bundled survey, read and audited with its codebook (:func:`valuekit.load_survey`).

    Parameters
    ----------
    name : str, default "demo"
        One of :func:`list_datasets`' names: ``"demo"`` (Casa Aurora, waves 1 and 2),
        ``"demo_wave3"`` (its third wave), ``"clinic"`` (a dental clinic, in Spanish).
    **options
        Passed on to :func:`valuekit.load_survey` (``exclude``, ``limits``, ...).

    Raises
    ------
    ParameterError
        ``name`` is not a bundled dataset; the message lists the names there are.
    """
    catalog = _catalog()
    if not isinstance(name, str) or name not in catalog:
        raise ParameterError(f"name: no bundled dataset {name!r}; expected one of {list(catalog)} "
                             "(valuekit.list_datasets())", name="name")
    entry = catalog[name]
    return load_survey(Path(DATA_DIR / entry["data"]), codebook=DATA_DIR / entry["codebook"], **options)
