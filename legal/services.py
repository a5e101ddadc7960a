"""Loading legal libraries and compliance criteria: validated whole, written in one transaction.

Versioning rules: an older version than the one loaded is refused; the same version again
changes nothing (a different file under the same version is refused: bump the version); a
newer version updates nodes by id, retires the nodes that vanished (never deletes them, so
citations keep their target) and revives retired nodes that come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from legal.importers import (
    DEFAULT_CRITERIA_FILE,
    DEFAULT_LIBRARY_FILE,
    CriterionData,
    LegalImportError,
    LibraryFile,
    NodeData,
    read_file,
    version_key,
)
from legal.models import (
    ComplianceCriterion,
    LegalLibrary,
    LegalLibraryVersion,
    LegalNode,
    LibraryContent,
)
from portal.history import record_by
from portal.text import fold
from users.models import User


@dataclass
class LoadResult:
    library_id: str
    version: str
    already_loaded: bool = False
    skipped_older_than: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    def summary(self) -> str:
        if self.skipped_older_than:
            return (
                f"{self.library_id} {self.version}: older than the loaded version "
                f"{self.skipped_older_than}, skipped."
            )
        if self.already_loaded:
            return f"{self.library_id} {self.version}: already loaded, nothing changed."
        return (
            f"{self.library_id} {self.version}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.retired} retired."
        )


def load_file(
    *, path: Path | str, loaded_by: User | None = None, skip_older: bool = False
) -> LoadResult:
    """Load a library or criteria file, whichever it holds."""
    data = read_file(path)
    if data.content == LibraryContent.TEXT:
        return load_library(data=data, loaded_by=loaded_by, skip_older=skip_older)
    return load_criteria(data=data, loaded_by=loaded_by, skip_older=skip_older)


def load_defaults(*, loaded_by: User | None = None) -> list[LoadResult]:
    """Load the shipped Decision 874 library, then the criteria that cite it.

    A shipped file older than what an administrator loaded since is skipped, not an error:
    the demo and deployments run this on every start.
    """
    return [
        load_file(path=DEFAULT_LIBRARY_FILE, loaded_by=loaded_by, skip_older=True),
        load_file(path=DEFAULT_CRITERIA_FILE, loaded_by=loaded_by, skip_older=True),
    ]


def _start(
    *, data: LibraryFile, loaded_by: User | None, skip_older: bool
) -> tuple[LegalLibrary | None, LoadResult]:
    """Lock the library row and apply the version rules; None when nothing is to be done."""
    result = LoadResult(library_id=data.library_id, version=data.version)
    library = LegalLibrary.objects.select_for_update().filter(library_id=data.library_id).first()
    if library is None:
        library = LegalLibrary(library_id=data.library_id)
    else:
        if library.content != data.content:
            raise LegalImportError(
                [f"library {data.library_id!r} holds {library.content}, not {data.content}"]
            )
        current, new = version_key(library.version), version_key(data.version)
        if new < current and skip_older:
            result.skipped_older_than = library.version
            return None, result
        if new < current:
            raise LegalImportError(
                [
                    f"library {data.library_id!r}: version {data.version} is older than the "
                    f"loaded version {library.version}; refusing to go back"
                ]
            )
        if new == current:
            if library.checksum != data.checksum:
                raise LegalImportError(
                    [
                        f"library {data.library_id!r}: version {data.version} is already "
                        "loaded with different content; give the new file a newer version"
                    ]
                )
            result.already_loaded = True
            return None, result
    now = timezone.now()
    library.content = data.content
    library.version = data.version
    library.title = data.title
    library.issuer = data.issuer
    library.issued_on = data.issued_on
    library.in_force_from = data.in_force_from
    library.locale = data.locale
    library.notes = data.notes
    library.checksum = data.checksum
    library.loaded_at = now
    library.loaded_by = loaded_by
    library.full_clean()
    library.save()
    version = LegalLibraryVersion(
        library=library,
        version=data.version,
        checksum=data.checksum,
        item_count=data.item_count,
        loaded_at=now,
        loaded_by=loaded_by,
    )
    version.full_clean()
    version.save()
    return library, result


def _node_values(item: NodeData, parent: LegalNode | None) -> dict[str, Any]:
    return {
        "parent": parent,
        "kind": item.kind,
        "number": item.number,
        "title": item.title,
        "text": item.text,
        "text_status": item.text_status,
        "source": item.source,
        "origin": item.origin,
        "origin_en": item.origin_en,
        "order": item.order,
        "depth": item.depth,
        "search_text": fold(f"{item.title} {item.text}"),
        "retired_in_version": "",
    }


# Where a node sits in the file moves whenever a node before it comes or goes: kept up to
# date, but not a change of the node worth a history entry or an "updated" count.
_POSITION_FIELDS = frozenset({"order", "depth"})


def _save_if_changed(
    obj: Any, values: dict[str, Any], *, loaded_by: User | None, result: LoadResult
) -> bool:
    """Apply the values; save (and so write history) only when the content differs."""
    created = obj.pk is None
    differing = {key for key, value in values.items() if getattr(obj, key) != value}
    for key, value in values.items():
        setattr(obj, key, value)
    if not created and not differing - _POSITION_FIELDS:
        if differing:
            type(obj).objects.filter(pk=obj.pk).update(**{key: values[key] for key in differing})
        result.unchanged += 1
        return False
    obj._history_user = loaded_by
    obj.full_clean()
    obj.save()
    if created:
        result.created += 1
    else:
        result.updated += 1
    return True


@transaction.atomic
def load_library(
    *, data: LibraryFile, loaded_by: User | None = None, skip_older: bool = False
) -> LoadResult:
    """Load a validated text library: nodes updated by id, vanished nodes retired."""
    others = list(
        LegalNode.objects.filter(ref__in=[item.ref for item in data.nodes])
        .exclude(library__library_id=data.library_id)
        .values_list("ref", "library__library_id")
    )
    if others:
        raise LegalImportError(
            [f"node {ref!r}: the id already belongs to library {owner!r}" for ref, owner in others]
        )
    library, result = _start(data=data, loaded_by=loaded_by, skip_older=skip_older)
    if library is None:
        return result
    existing = {node.ref: node for node in LegalNode.objects.filter(library=library)}
    saved: dict[str, LegalNode] = {}
    # Parents first, so that every child finds its parent saved.
    for item in sorted(data.nodes, key=lambda node: (node.depth, node.order)):
        node = existing.get(item.ref) or LegalNode(library=library, ref=item.ref)
        parent = saved[item.parent] if item.parent is not None else None
        _save_if_changed(node, _node_values(item, parent), loaded_by=loaded_by, result=result)
        saved[item.ref] = node
    for ref, node in existing.items():
        if ref not in saved and not node.retired_in_version:
            # Kept, not deleted: criteria and letters citing it must still resolve.
            node.retired_in_version = data.version
            record_by(node, loaded_by)
            node.save(update_fields=["retired_in_version"])
            result.retired += 1
    return result


def _criterion_values(item: CriterionData) -> dict[str, Any]:
    return {
        "title": item.title,
        "title_en": item.title_en,
        "measure": item.measure,
        "level": item.level,
        "notes": item.notes,
        "rationale": item.rationale,
        "rationale_en": item.rationale_en,
        "order": item.order,
        "retired_in_version": "",
    }


@transaction.atomic
def load_criteria(
    *, data: LibraryFile, loaded_by: User | None = None, skip_older: bool = False
) -> LoadResult:
    """Load validated criteria; every cited node must be loaded and in force."""
    # Version rules first: the same file again is a no-op even if a cited node retired since.
    library, result = _start(data=data, loaded_by=loaded_by, skip_older=skip_older)
    if library is None:
        return result
    cited = {ref for item in data.criteria for ref in item.cites}
    nodes = {node.ref: node for node in LegalNode.objects.filter(ref__in=cited)}
    errors: list[str] = []
    for item in data.criteria:
        for ref in item.cites:
            node = nodes.get(ref)
            if node is None:
                errors.append(
                    f"criterion {item.ref!r}: cites {ref!r}, which is not a loaded node "
                    "(load its library first)"
                )
            elif node.retired_in_version:
                errors.append(
                    f"criterion {item.ref!r}: cites {ref!r}, retired in version "
                    f"{node.retired_in_version}"
                )
    others = list(
        ComplianceCriterion.objects.filter(ref__in=[item.ref for item in data.criteria])
        .exclude(library__library_id=data.library_id)
        .values_list("ref", "library__library_id")
    )
    errors += [f"criterion {ref!r}: the id already belongs to {owner!r}" for ref, owner in others]
    if errors:
        # Raising rolls back the library row and version log written above.
        raise LegalImportError(errors)
    existing = {
        criterion.ref: criterion
        for criterion in ComplianceCriterion.objects.filter(library=library).prefetch_related(
            "cites"
        )
    }
    seen: set[str] = set()
    for item in data.criteria:
        criterion = existing.get(item.ref) or ComplianceCriterion(library=library, ref=item.ref)
        was_new = criterion.pk is None
        old_cites = set() if was_new else {node.ref for node in criterion.cites.all()}
        values = _criterion_values(item)
        cites_changed = old_cites != set(item.cites)
        if (
            was_new
            or cites_changed
            or any(
                getattr(criterion, key) != value
                for key, value in values.items()
                if key not in _POSITION_FIELDS
            )
        ):
            # The version records when the criterion last changed, not when a file was loaded.
            values["version"] = data.version
        _save_if_changed(criterion, values, loaded_by=loaded_by, result=result)
        if cites_changed:
            criterion.cites.set([nodes[ref] for ref in item.cites])
        seen.add(item.ref)
    for ref, criterion in existing.items():
        if ref not in seen and not criterion.retired_in_version:
            criterion.retired_in_version = data.version
            record_by(criterion, loaded_by)
            criterion.save(update_fields=["retired_in_version"])
            result.retired += 1
    return result
