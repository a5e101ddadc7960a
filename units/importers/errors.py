"""Why an import cannot run, or where its file is malformed."""

from __future__ import annotations


class DivisionsImportError(Exception):
    """The import cannot run (unknown edition, level missing from the database, …)."""


class DivisionsFileError(DivisionsImportError):
    """The file is malformed; says which entry and where in the file."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        entry: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.entry = entry
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        parts = [part for part in (where, self.entry, self.message) if part]
        return ": ".join(parts)
