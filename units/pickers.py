"""Pickers of a body, a unit or a page that stay small whatever the size of the register.

A ``<select>`` of every body in scope is 110,832 options (7 MiB) for an administrator of the
national data set. ``ScopedPickerField`` instead renders a search-as-you-type field:

- with JavaScript (``static/js/autocomplete.js``), an accessible combobox that asks a scoped,
  rate-limited autocomplete endpoint (``accounts_registry/autocomplete.py``) for the first matches and
  keeps the chosen id in a hidden input named after the field;
- without JavaScript, a plain text field (``<name>_q``) that the server resolves on submit:
  one match is taken; several show a short list of radio buttons (``<name>_pick``) to choose
  from; none gives a clear error;
- when the scope holds only a few choices (staff of one or a few bodies), a plain ``<select>``.

The field's queryset is the scope: an id outside it is refused like an unknown one, and the
text search only ever looks inside it. To use it in another form::

    body = ScopedPickerField(
        label=_("Body"), queryset=Body.objects.none(), kind=PickerKind.BODY,
        source="units:autocomplete_bodies", source_query="for=edit",  # editable ones only
    )
    ...
    self.fields["body"].queryset = scope.bodies(user, Action.EDIT).filter(...)

and put ``{{ form.media }}`` in the page's ``<head>``. ``cleaned_data`` holds the object.

``ScopedMultiPickerField`` picks any number (the recipients of a letter): the chosen rows are
ticked checkboxes posted under the field's name (ids, as a ``ModelMultipleChoiceField``), and
the search field adds more; without JavaScript it takes names separated by semicolons.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.search import MAX_SEARCH_LENGTH
from portal.text import fold
from units import search

# Up to this many choices in scope, a plain <select> is simpler for everyone.
SMALL_SCOPE = 30
# How many candidates the no-JavaScript path offers when several names match.
MAX_CANDIDATES = 8


class PickerKind(enum.Enum):
    BODY = "body"
    UNIT = "unit"
    PAGE = "page"
    DIRECTIVE = "directive"


def body_label(body: Any) -> str:
    """A body's name with its unit: many bodies share a name ("Trường Tiểu học ...")."""
    return f"{body.name} — {body.unit.name}"


def unit_label(unit: Any) -> str:
    """A unit's name with its parent's: there are many "Xã Tân Lập" in the country."""
    return f"{unit.name} — {unit.parent.name}" if unit.parent_id else str(unit.name)


def page_label(page: Any) -> str:
    return f"{page.display_name} — {page.body.name}"


def directive_label(directive: Any) -> str:
    """A letter by its number, date, issuer and subject: "6389/UBND-KGVX (20/04/2024) · …"."""
    when = directive.issued_on.strftime("%d/%m/%Y") if directive.issued_on else "…"
    subject = Truncator(directive.subject).chars(90)
    return f"{directive.reference} ({when}) · {directive.issuer.name}: {subject}"


LABELS: dict[PickerKind, Callable[[Any], str]] = {
    PickerKind.BODY: body_label,
    PickerKind.UNIT: unit_label,
    PickerKind.PAGE: page_label,
    PickerKind.DIRECTIVE: directive_label,
}
# The related rows each label reads, fetched with the rows (no query per label).
RELATED: dict[PickerKind, tuple[str, ...]] = {
    PickerKind.BODY: ("unit",),
    PickerKind.UNIT: ("parent",),
    PickerKind.PAGE: ("body",),
    PickerKind.DIRECTIVE: ("issuer",),
}
# The attribute holding the plain name, compared with what was typed.
NAME_ATTRIBUTE = {
    PickerKind.BODY: "name",
    PickerKind.UNIT: "name",
    PickerKind.PAGE: "display_name",
    PickerKind.DIRECTIVE: "reference",
}


def search_scope(queryset: QuerySet[Any], kind: PickerKind, text: str) -> QuerySet[Any]:
    """The rows of ``queryset`` matching every word of ``text``, closest first (letters:
    the latest first, found by number, symbol or words of the subject)."""
    queryset = queryset.select_related(*RELATED[kind])
    if kind is PickerKind.DIRECTIVE:
        found = search.matching(queryset, text, column="search_text")
        return found.order_by(F("issued_on").desc(nulls_last=True), "-pk")
    return search.best_first(search.matching(queryset, text))


class PickerValue:
    """What a picker received: the chosen id, the typed text, a choice from the short list."""

    def __init__(self, chosen: str = "", text: str | None = None, pick: str = "") -> None:
        self.chosen = chosen
        # None when the request had no text field at all (a <select>, or a client that
        # posts only the id): the id alone decides then.
        self.text = text
        self.pick = pick

    def __bool__(self) -> bool:
        return bool(self.chosen or (self.text or "").strip() or self.pick)


class PickerWidget(forms.Widget):
    """The combobox (or small ``<select>``) of ``ScopedPickerField``."""

    template_name = "units/widgets/picker.html"

    class Media:
        js = ("js/autocomplete.js",)
        css = {"all": ("css/autocomplete.css",)}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.queryset: QuerySet[Any] | None = None
        self.kind = PickerKind.BODY
        self.source = ""
        self.source_query = ""
        self.placeholder: Any = ""
        self.candidates: list[tuple[int, str]] = []

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> PickerValue:
        chosen = [value for value in _values(data, name) if value]
        picks = [value for value in _values(data, f"{name}_pick") if value]
        return PickerValue(
            chosen=chosen[0] if chosen else "",
            text=data.get(f"{name}_q") if f"{name}_q" in data else None,
            pick=picks[0] if picks else "",
        )

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> bool:
        return name not in data and f"{name}_q" not in data and f"{name}_pick" not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label_of = LABELS[self.kind]
        small: list[tuple[int, str]] | None = None
        if self.queryset is not None:
            few = list(self.queryset.select_related(*RELATED[self.kind])[: SMALL_SCOPE + 1])
            if len(few) <= SMALL_SCOPE:
                small = [(item.pk, label_of(item)) for item in few]
        chosen, text = self._chosen_and_text(value, small)
        single = small is not None and len(small) == 1 and self.is_required
        if single and small is not None and not chosen:
            # One body to choose from (staff of one body): nothing to choose.
            chosen = str(small[0][0])
        widget = context["widget"]
        widget.update(
            {
                "small": small,
                "single": single,
                "chosen": chosen,
                "text": text,
                "source": reverse(self.source) if self.source else "",
                "source_query": self.source_query,
                "placeholder": self.placeholder,
                "candidates": self.candidates,
                "kind": self.kind.value,
            }
        )
        return context

    def _chosen_and_text(self, value: Any, small: list[tuple[int, str]] | None) -> tuple[str, str]:
        """The id to keep in the hidden input, and the text to show in the field."""
        if isinstance(value, PickerValue):
            chosen = value.pick or value.chosen
            if value.text is not None and not value.pick:
                return chosen, value.text
        elif isinstance(value, Model):
            return str(value.pk), LABELS[self.kind](value)
        else:
            chosen = "" if value in (None, "") else str(value)
        if not chosen:
            return "", ""
        if small is not None:
            return chosen, {str(pk): label for pk, label in small}.get(chosen, "")
        found = self._lookup(chosen)
        return (str(found.pk), LABELS[self.kind](found)) if found is not None else ("", "")

    def _lookup(self, chosen: str) -> Any:
        if self.queryset is None or not chosen.isdigit():
            return None
        return self.queryset.select_related(*RELATED[self.kind]).filter(pk=int(chosen)).first()


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return [str(value) for value in getlist(name)]
    value = data.get(name)
    return [str(value)] if value not in (None, "") else []


class ScopedPickerField(forms.Field):
    """One body, unit or page among ``queryset`` (the user's scope), picked by name or id."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": _(
            "Select a valid choice. That choice is not one of the available choices."
        ),
        "none": _("Nothing matches “%(text)s”. Check the spelling or type fewer words."),
        "several": _("Several match “%(text)s”: choose one below, or type more of the name."),
    }

    def __init__(
        self,
        *,
        queryset: QuerySet[Any],
        kind: PickerKind,
        source: str,
        source_query: str = "",
        placeholder: Any = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.widget.kind = kind
        self.widget.source = source
        self.widget.source_query = source_query
        self.widget.placeholder = placeholder
        self.queryset = queryset

    @property
    def queryset(self) -> QuerySet[Any]:
        return self._queryset

    @queryset.setter
    def queryset(self, queryset: QuerySet[Any]) -> None:
        self._queryset = queryset.all()
        self.widget.queryset = self._queryset

    def prepare_value(self, value: Any) -> Any:
        return value

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data if data else initial

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data)

    def clean(self, value: Any) -> Any:
        if not isinstance(value, PickerValue):
            value = PickerValue(chosen="" if value in (None, "") else str(value))
        if value.pick:
            return self._by_id(value.pick)
        # Bounded like every search (portal/search.py): the text is echoed in the errors.
        text = (value.text or "").strip()[:MAX_SEARCH_LENGTH]
        if value.chosen and (value.text is None or self._names_it(value.chosen, text)):
            return self._by_id(value.chosen)
        if not text:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        return self._by_text(text)

    def _by_id(self, chosen: str) -> Any:
        """The row with this id, if it is in scope; anything else is refused alike."""
        if not chosen.isdigit():
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        found = self.queryset.select_related(*RELATED[self.kind]).filter(pk=int(chosen)).first()
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def _names_it(self, chosen: str, text: str) -> bool:
        """Whether the typed text is still the name of the chosen row (then the id decides)."""
        if not chosen.isdigit():
            return True  # refused by _by_id
        found = self.queryset.select_related(*RELATED[self.kind]).filter(pk=int(chosen)).first()
        if found is None:
            return True
        typed = fold(text)
        return typed in (
            fold(LABELS[self.kind](found)),
            fold(str(getattr(found, NAME_ATTRIBUTE[self.kind]))),
        )

    def _by_text(self, text: str) -> Any:
        """Resolve typed text: one match is taken, several offer a short list, none is an error."""
        found = list(search_scope(self.queryset, self.kind, text)[: MAX_CANDIDATES + 1])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(self.error_messages["none"], code="none", params={"text": text})
        exact = search.exact(found, text, attribute=NAME_ATTRIBUTE[self.kind])
        if exact is not None:
            return exact
        self.widget.candidates = [
            (item.pk, LABELS[self.kind](item)) for item in found[:MAX_CANDIDATES]
        ]
        raise ValidationError(self.error_messages["several"], code="several", params={"text": text})


# --- Several at once: the recipients of a letter ----------------------------------------------

# Typed without JavaScript, several names are separated by semicolons.
SEPARATOR = ";"
# At most this many names are resolved from one submit (each is one bounded query).
MAX_TYPED_NAMES = 10


class MultiPickerValue:
    """What a multi-value picker received: the ids kept, the typed text, the matches ticked."""

    def __init__(
        self,
        chosen: list[str] | None = None,
        text: str | None = None,
        picks: list[str] | None = None,
    ) -> None:
        self.chosen = chosen or []
        self.text = text
        self.picks = picks or []

    def ids(self) -> list[str]:
        return list(dict.fromkeys([*self.chosen, *self.picks]))

    def __bool__(self) -> bool:
        return bool(self.chosen or self.picks or (self.text or "").strip())


class MultiPickerWidget(PickerWidget):
    """Chosen rows as a list of ticked checkboxes (chips), and a search field that adds more.

    Without JavaScript the search field is resolved on submit (several names separated by
    semicolons), and unticking a chip removes it. A small scope is a plain checkbox list.
    """

    template_name = "units/widgets/multi_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        # After a submit: the ids found from the typed names, and the names left unresolved.
        self.resolved: tuple[list[str], str] | None = None

    def value_from_datadict(  # type: ignore[override]
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> MultiPickerValue:
        return MultiPickerValue(
            chosen=[value for value in _values(data, name) if value],
            text=data.get(f"{name}_q") if f"{name}_q" in data else None,
            picks=[value for value in _values(data, f"{name}_pick") if value],
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        label_of = LABELS[self.kind]
        small: list[tuple[int, str]] | None = None
        if self.queryset is not None:
            few = list(self.queryset.select_related(*RELATED[self.kind])[: SMALL_SCOPE + 1])
            if len(few) <= SMALL_SCOPE:
                small = [(item.pk, label_of(item)) for item in few]
        ids, text = self._ids_and_text(value)
        if self.resolved is not None and isinstance(value, MultiPickerValue):
            # Names resolved on the last submit become chips; only the rest stays typed.
            ids = list(dict.fromkeys([*ids, *self.resolved[0]]))
            text = self.resolved[1]
        if small is not None:
            chosen = [(pk, label) for pk, label in small if str(pk) in ids]
        else:
            chosen = self._labels(ids)
        chosen_ids = {str(pk) for pk, _label in chosen}
        if small is None:
            # The search field is also described by how to add and take off names.
            attrs = context["widget"]["attrs"]
            how = f"{attrs.get('id', name)}_how"
            attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), how]))
        context["widget"].update(
            {
                "small": small,
                "chosen": chosen,
                "chosen_ids": chosen_ids,
                "text": text,
                "source": reverse(self.source) if self.source else "",
                "source_query": self.source_query,
                "placeholder": self.placeholder,
                "candidates": [
                    (pk, label) for pk, label in self.candidates if str(pk) not in chosen_ids
                ],
                "kind": self.kind.value,
            }
        )
        return context

    @staticmethod
    def _ids_and_text(value: Any) -> tuple[list[str], str]:
        if isinstance(value, MultiPickerValue):
            return value.ids(), value.text or ""
        if value in (None, ""):
            return [], ""
        items = value if isinstance(value, list | tuple | QuerySet) else [value]
        return [str(getattr(item, "pk", item)) for item in items], ""

    def _labels(self, ids: list[str]) -> list[tuple[int, str]]:
        """The chosen rows in scope, in the order they were chosen (one query)."""
        wanted = [int(pk) for pk in ids if pk.isdigit()]
        if self.queryset is None or not wanted:
            return []
        rows = self.queryset.select_related(*RELATED[self.kind]).filter(pk__in=wanted)
        by_pk = {row.pk: row for row in rows}
        label_of = LABELS[self.kind]
        return [(pk, label_of(by_pk[pk])) for pk in dict.fromkeys(wanted) if pk in by_pk]


class ScopedMultiPickerField(ScopedPickerField):
    """Any number of bodies or units among ``queryset``, chosen by name or by id.

    Posted as the ids under the field's name (as a ``ModelMultipleChoiceField``: scripts and
    tests that post ids keep working), plus ``<name>_q``: names typed without JavaScript,
    separated by semicolons, each resolved in scope (one match is added; several are offered
    as checkboxes ``<name>_pick``; none is an error). ``cleaned_data`` is a list of objects.
    """

    widget = MultiPickerWidget
    default_error_messages = {
        "invalid_choice": _(
            "Select a valid choice. %(value)s is not one of the available choices."
        ),
        "none": ScopedPickerField.default_error_messages["none"],
        "several": _(
            "Several match “%(text)s”: tick those you mean below, or type more of the name."
        ),
        "too_many": _("Type at most %(count)d names at a time, separated by semicolons."),
    }

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data)

    def clean(self, value: Any) -> list[Any]:
        if not isinstance(value, MultiPickerValue):
            items = value if isinstance(value, list | tuple) else [value]
            value = MultiPickerValue(chosen=[str(item) for item in items if item not in (None, "")])
        found = self._by_ids(value.ids())
        picked = {str(item.pk) for item in found}
        errors: list[ValidationError] = []
        names = [part.strip() for part in (value.text or "").split(SEPARATOR) if part.strip()]
        if len(names) > MAX_TYPED_NAMES:
            raise ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"count": MAX_TYPED_NAMES},
            )
        candidates: list[tuple[int, str]] = []
        unresolved: list[str] = []
        resolved: list[str] = []
        for name in names:
            text = name[:MAX_SEARCH_LENGTH]
            matches = list(search_scope(self.queryset, self.kind, text)[: MAX_CANDIDATES + 1])
            if not matches:
                unresolved.append(text)
                errors.append(
                    ValidationError(self.error_messages["none"], code="none", params={"text": text})
                )
                continue
            exact = search.exact(matches, text, attribute=NAME_ATTRIBUTE[self.kind])
            if len(matches) == 1 or exact is not None:
                chosen: Any = matches[0] if len(matches) == 1 else exact
                if str(chosen.pk) not in picked:
                    found.append(chosen)
                    picked.add(str(chosen.pk))
                resolved.append(str(chosen.pk))
                continue
            if any(str(item.pk) in value.picks for item in matches):
                continue  # ticked among the matches offered for this name on the last submit
            unresolved.append(text)
            candidates += [(item.pk, LABELS[self.kind](item)) for item in matches[:MAX_CANDIDATES]]
            errors.append(
                ValidationError(
                    self.error_messages["several"], code="several", params={"text": text}
                )
            )
        self.widget.candidates = candidates
        self.widget.resolved = (resolved, f"{SEPARATOR} ".join(unresolved))
        if errors:
            raise ValidationError(errors)
        if self.required and not found:
            raise ValidationError(self.error_messages["required"], code="required")
        return found

    def _by_ids(self, ids: list[str]) -> list[Any]:
        """The rows with these ids, all in scope; any other id is refused like an unknown one."""
        for chosen in ids:
            if not chosen.isdigit():
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        if not ids:
            return []
        rows = self.queryset.select_related(*RELATED[self.kind]).filter(
            pk__in=[int(pk) for pk in ids]
        )
        by_pk = {str(row.pk): row for row in rows}
        for chosen in ids:
            if chosen not in by_pk:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        return [by_pk[pk] for pk in ids]
