"""The errors valuekit raises, so a caller can catch one type.

Every problem with what the analyst gave valuekit (a codebook, a file, the survey's
data, a scenario or lever file, an argument) is raised as a :class:`ValuekitError`
whose message names the file, key, column, row or parameter and says what was expected.
Anything else that escapes is a bug in valuekit. The command line prints a
``ValuekitError`` as one line, ``valuekit <command>: <message>``, and exits with 2.

They derive from :class:`ValueError`, so code written for the earlier ``ValueError``
keeps working::

    ValuekitError
    ├── CodebookError        a codebook that cannot be used as written (``.key``)
    ├── FileError            a file that cannot be read or written (``.path``)
    │   └── SurveyFileError  a survey export that cannot be read
    ├── SurveyError          survey data that cannot be used as given
    │   └── NoSacrificesError  an output needing sacrifices, on a benefits-only survey
    ├── TargetsError         population targets for raking that cannot be used (``.key``, ``.path``)
    ├── ScenarioError        a what-if scenario that cannot be used as written
    │   └── LeverError       a lever file or ``levers:`` section
    ├── ParameterError       an argument out of its range or of the wrong type (``.name``)
    └── NotebookError        a report notebook that failed (``.notebook``, ``.cell``)
"""

from __future__ import annotations

__all__ = ["ValuekitError", "CodebookError", "FileError", "SurveyFileError", "SurveyError",
           "NoSacrificesError", "TargetsError", "ScenarioError", "LeverError", "ParameterError", "NotebookError",
           "TablesError"]


class ValuekitError(ValueError):
    """Base class: input valuekit cannot use; the message says where and what was expected."""


class CodebookError(ValuekitError):
    """A codebook that cannot be used as written; the message names the key (``.key``)."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


class FileError(ValuekitError):
    """A file or folder that cannot be read or written; the message names it (``.path``)."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class SurveyFileError(FileError):
    """A survey file that cannot be read as it is; the message names the file."""


class SurveyError(ValuekitError):
    """Survey data that cannot be used as given (e.g. answers outside an item's scale
    handed to the scorer without the audit); the message names the column and rows."""


class NoSacrificesError(SurveyError):
    """An output that weighs benefits against sacrifices, asked of a benefits-only survey."""


class TargetsError(ValuekitError):
    """Population targets for raking (a targets file or mapping) that cannot be used as
    written, or that this survey cannot meet; the message names the file (``.path``) and
    the key (``.key``, e.g. ``margins.channel.online``)."""

    def __init__(self, message: str, key: str | None = None, path: str | None = None):
        super().__init__(message)
        self.key = key
        self.path = path


class ScenarioError(ValuekitError):
    """A scenario that cannot be used as written; the message names the key."""


class LeverError(ScenarioError):
    """A lever file (or ``levers:`` section) that cannot be used as written; names the key."""


class TablesError(ValuekitError):
    """A tables spec (``tables.yaml``) that cannot be used as written, or that this survey
    cannot fill; the message names the file (``.path``) and the key (``.key``, e.g.
    ``tables[1].rows[0]``)."""

    def __init__(self, message: str, key: str | None = None, path: str | None = None):
        super().__init__(message)
        self.key = key
        self.path = path


class ParameterError(ValuekitError):
    """An argument of the wrong type or out of its range; the message names it (``.name``)."""

    def __init__(self, message: str, name: str | None = None):
        super().__init__(message)
        self.name = name


class NotebookError(ValuekitError):
    """A notebook of the report that failed: the message names the notebook, the cell and
    the error, and where the executed notebook was kept."""

    def __init__(self, message: str, notebook: str | None = None, cell: int | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell
