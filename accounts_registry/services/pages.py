"""Writes to the register of official pages: registration, edits and the review workflow.

Every state change goes through ``users.workflow.transition`` over ``PAGE_WORKFLOW``, which
locks the page, checks its current state and who acts (the body's staff submit, re-confirm
and archive; the officers above review; the admin site's actions need Django's change
permission; ``by=None`` is the system), and writes a ``PageReview`` row; views, the API and
the admin all call the functions below, so an illegal transition is impossible from any
entry point.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, override

from accounts_registry import canonical
from accounts_registry.models import PageReview, PageState, Platform, SocialPage
from notifications import services as notifications
from portal.history import record_by
from units.models import Body
from users import scope
from users.models import Role, RoleAssignment, User
from users.workflow import Rule, Workflow, transition

TAKEN_ELSEWHERE = _(
    "This page is already registered by another body. If you believe this is a mistake, "
    "contact the officer who reviews your body's pages."
)

# The fields a body may change with ``page_update``; the workflow fields are the services'.
EDITABLE_FIELDS = (
    "platform",
    "display_name",
    "url",
    "permanent_id",
    "is_platform_verified",
    "platform_verified_on",
    "responsible_unit",
    "set_up_on",
    "notes",
)

EDITABLE_STATES = (PageState.DRAFT, PageState.RETURNED, PageState.APPROVED)


def canonicalise_for(platform: Platform, url: str) -> canonical.CanonicalPage:
    """Canonicalise ``url`` with the rules of ``platform``; ValidationError on field "url"."""
    url = url.strip()
    extra_hosts: list[str] = list(platform.hosts or [])
    if platform.rules == canonical.RuleSet.GENERIC.value and not extra_hosts:
        # The catch-all platform ("other") takes any web address, except the address of a
        # platform the portal knows: that page must be registered under its own platform,
        # or "other" would become a way round the one-page-one-body rule.
        detected = canonical.detect_rules(url)
        if detected is not None and detected != canonical.RuleSet.GENERIC:
            known = Platform.objects.filter(rules=detected.value, is_active=True).first()
            raise ValidationError(
                {
                    "url": _(
                        "This is an address on %(platform)s: choose that platform instead "
                        "of “other”."
                    )
                    % {"platform": known.label if known else detected.value}
                }
            )
        bare = url.strip("<>\"' ")
        host = (urlsplit(bare if "://" in bare else f"https://{bare}").hostname or "").lower()
        extra_hosts = [host] if host else []
    try:
        return canonical.canonicalise(url, platform.rules, extra_hosts=extra_hosts)
    except canonical.InvalidPageURL as exc:
        raise ValidationError({"url": str(getattr(exc, "message", exc))}) from exc


def _taken_message(other: SocialPage, by: User | None) -> Any:
    """The error for a page already in the register, revealing only what ``by`` may know."""
    if by is not None and other.body_id is not None:
        same_body_staff = other.body_id in scope.grants_for(by).body_ids
        if same_body_staff or other.state == PageState.APPROVED:
            # Approved pages are listed publicly, and a body may know its own pages.
            return _("This page is already registered by %(body)s as “%(name)s”.") % {
                "body": other.body.name,
                "name": other.display_name,
            }
        if scope.bodies(by).filter(pk=other.body_id).exists():
            return _("This page is already registered by %(body)s (state: %(state)s).") % {
                "body": other.body.name,
                "state": other.get_state_display(),
            }
    return TAKEN_ELSEWHERE


def _check_not_taken(page: SocialPage, by: User | None) -> None:
    """Refuse a page whose address or permanent id is already in the register."""
    others = SocialPage.objects.live().filter(platform=page.platform_id).select_related("body")
    if page.pk is not None:
        others = others.exclude(pk=page.pk)
    other = others.filter(canonical_key=page.canonical_key).first()
    if other is None and page.permanent_id:
        other = others.filter(permanent_id=page.permanent_id).first()
    if other is not None:
        raise ValidationError({"url": _taken_message(other, by)})


def _apply_address(page: SocialPage, *, url: str, permanent_id: str) -> None:
    """Fill url, canonical_key and permanent_id from what the user typed."""
    found = canonicalise_for(page.platform, url)
    typed_id = permanent_id.strip()
    url_id = found.platform_id or ""
    if typed_id and url_id and typed_id != url_id:
        raise ValidationError(
            {
                "permanent_id": _(
                    "The address carries the permanent id %(url_id)s, which differs from the "
                    "one entered."
                )
                % {"url_id": url_id}
            }
        )
    page.url = found.url
    page.canonical_key = found.key
    page.permanent_id = url_id or typed_id


def _save(page: SocialPage, by: User | None) -> None:
    """Validate and save, turning the race on the unique constraints into a clear error."""
    record_by(page, by)
    # The unique constraints were checked by _check_not_taken, with a message that reveals
    # nothing private, rather than by full_clean's generic "already exists"; search_name is
    # computed in save().
    page.full_clean(exclude=["search_name"], validate_constraints=False)
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError as exc:
        # Another request registered the same page between our check and our insert.
        raise ValidationError({"url": TAKEN_ELSEWHERE}) from exc


def _log(page: SocialPage, *, from_state: str, by: User | None, note: str = "") -> PageReview:
    return PageReview.objects.create(
        page=page, from_state=from_state, to_state=page.state, note=note, by=by
    )


@transaction.atomic
def page_register(
    *,
    body: Body,
    platform: Platform,
    url: str,
    display_name: str,
    by: User | None,
    permanent_id: str = "",
    is_platform_verified: bool = False,
    platform_verified_on: date | None = None,
    responsible_unit: str = "",
    set_up_on: date | None = None,
    notes: str = "",
) -> SocialPage:
    """Register a page of ``body`` as a draft."""
    if body.archived_at is not None:
        raise ValidationError({"body": _("An archived body cannot register pages.")})
    if not platform.is_active:
        raise ValidationError({"platform": _("This platform is no longer in use.")})
    page = SocialPage(
        body=body,
        platform=platform,
        display_name=display_name.strip(),
        is_platform_verified=is_platform_verified,
        platform_verified_on=platform_verified_on if is_platform_verified else None,
        responsible_unit=responsible_unit.strip(),
        set_up_on=set_up_on,
        notes=notes.strip(),
        state=PageState.DRAFT,
        created_by=by,
    )
    _apply_address(page, url=url, permanent_id=permanent_id)
    _check_not_taken(page, by)
    _save(page, by)
    _log(page, from_state=PageState.DRAFT, by=by, note=str(_("Registered.")))
    return page


@transaction.atomic
def page_update(*, page: SocialPage, by: User | None, **changes: Any) -> SocialPage:
    """Change a page's own fields.

    Drafts and returned pages are edited in place. An approved page may be edited too, but
    the edit sends it back to "submitted": the public must not see unreviewed details as
    official. A submitted page waits for its reviewer; an archived page is frozen.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"page_update() cannot change {sorted(unknown)}")
    page = SocialPage.objects.select_for_update().select_related("platform").get(pk=page.pk)
    if page.state not in EDITABLE_STATES:
        raise ValidationError(_("A page that is %(state)s cannot be edited.") % _state(page))
    before = {name: getattr(page, name) for name in EDITABLE_FIELDS}
    for name, value in changes.items():
        setattr(page, name, value.strip() if isinstance(value, str) else value)
    if not page.is_platform_verified:
        page.platform_verified_on = None
    if (
        "platform" in changes
        and not page.platform.is_active
        and page.platform != before["platform"]
    ):
        raise ValidationError({"platform": _("This platform is no longer in use.")})
    if {"url", "permanent_id", "platform"} & set(changes):
        _apply_address(page, url=page.url, permanent_id=page.permanent_id)
        _check_not_taken(page, by)
    if not _changed(page, before):
        return page
    from_state = page.state
    if from_state == PageState.APPROVED:
        page.state = PageState.SUBMITTED
        page.submitted_at = timezone.now()
    _save(page, by)
    if page.state != from_state:
        review = _log(page, from_state=from_state, by=by, note=str(_("Edited after approval.")))
        _tell_reviewers(page, review)
    return page


def _changed(page: SocialPage, before: dict[str, Any]) -> list[str]:
    return [name for name in EDITABLE_FIELDS if getattr(page, name) != before[name]]


def _state(page: SocialPage) -> dict[str, Any]:
    return {"state": page.get_state_display().lower()}


@transaction.atomic
def page_submit(*, page: SocialPage, by: User | None) -> SocialPage:
    """Send a draft or returned page to the reviewer."""

    def apply(page: SocialPage) -> None:
        page.submitted_at = timezone.now()
        page.review_note = ""

    return transition(
        PAGE_WORKFLOW,
        page,
        PageState.SUBMITTED,
        by=by,
        refusal=_("Only a draft or returned page can be submitted; this one is %(state)s."),
        apply=apply,
    ).obj


@transaction.atomic
def pages_submit(*, pages: Iterable[SocialPage], by: User | None) -> list[SocialPage]:
    """Submit many pages in one action, all or none: each reviewer hears of them once.

    The notices of ``page_submit`` are gathered (``notifications.digest``): a reviewer who
    reviews several of the pages gets one notice and one email listing them, not one each.
    """
    with notifications.digest():
        return [page_submit(page=page, by=by) for page in pages]


FOUR_EYES = _(
    "You registered or submitted this page, so another officer must review it: the person "
    "who registered or submitted a page cannot approve or return it."
)


def check_four_eyes(page: SocialPage, by: User | None) -> None:
    """Refuse a review by whoever registered the page or submitted it for this review.

    Four eyes (issue #15): the officer who approves or returns a page must not be the one
    who put it on the register or sent it for review, whatever their role (an administrator
    who registered a page for a body cannot approve it either). The submitter is the author
    of the latest step into "submitted" (a submit, or an edit of an approved page).
    """
    if by is None or by.pk is None:
        return
    if page.created_by_id == by.pk:
        raise ValidationError(FOUR_EYES, code="four_eyes")
    submitted_by = (
        PageReview.objects.filter(page=page, to_state=PageState.SUBMITTED)
        .order_by("-at", "-pk")
        .values_list("by_id", flat=True)
        .first()
    )
    if submitted_by == by.pk:
        raise ValidationError(FOUR_EYES, code="four_eyes")


def may_review(page: SocialPage, by: User | None) -> bool:
    """Whether ``by`` passes the four-eyes rule for ``page`` (for hiding the buttons)."""
    try:
        check_four_eyes(page, by)
    except ValidationError:
        return False
    return True


@transaction.atomic
def page_approve(*, page: SocialPage, by: User | None, note: str = "") -> SocialPage:
    """Accept a submitted page as official: it is listed publicly from now on."""

    def apply(page: SocialPage) -> None:
        check_four_eyes(page, by)
        now = timezone.now()
        page.approved_at = now
        page.confirmed_at = now
        page.review_note = note.strip()

    return transition(
        PAGE_WORKFLOW,
        page,
        PageState.APPROVED,
        by=by,
        note=note.strip(),
        sources=(PageState.SUBMITTED,),
        refusal=_("Only a submitted page can be approved; this one is %(state)s."),
        apply=apply,
    ).obj


@transaction.atomic
def page_return(*, page: SocialPage, by: User | None, note: str) -> SocialPage:
    """Send a submitted page back to its body, saying what to fix."""
    if not note.strip():
        raise ValidationError({"note": _("Say what the body must correct.")})

    def apply(page: SocialPage) -> None:
        check_four_eyes(page, by)
        page.review_note = note.strip()

    return transition(
        PAGE_WORKFLOW,
        page,
        PageState.RETURNED,
        by=by,
        note=note.strip(),
        refusal=_("Only a submitted page can be returned; this one is %(state)s."),
        apply=apply,
    ).obj


@transaction.atomic
def page_confirm(*, page: SocialPage, by: User | None, note: str = "") -> SocialPage:
    """The body confirms an approved page is still its own and in use."""

    def apply(page: SocialPage) -> None:
        page.confirmed_at = timezone.now()

    return transition(
        PAGE_WORKFLOW,
        page,
        PageState.APPROVED,
        by=by,
        note=note.strip(),
        sources=(PageState.APPROVED,),
        refusal=_("Only an approved page can be re-confirmed; this one is %(state)s."),
        apply=apply,
    ).obj


@transaction.atomic
def page_archive(*, page: SocialPage, by: User | None, note: str = "") -> SocialPage:
    """Take a page out of the register for good; it is kept, never deleted."""

    def apply(page: SocialPage) -> None:
        page.archived_at = timezone.now()

    return transition(
        PAGE_WORKFLOW,
        page,
        PageState.ARCHIVED,
        by=by,
        note=note.strip(),
        refusal=_("This page is already %(state)s."),
        apply=apply,
    ).obj


# --- The workflow -------------------------------------------------------------------------------


def _lock(page: SocialPage) -> SocialPage:
    # The body and its unit come along: the rules read the body's unit, and the workflow
    # tells the body or its reviewers.
    return (
        SocialPage.objects.select_for_update(of=("self",))
        .select_related("body", "body__unit")
        .get(pk=page.pk)
    )


def _admin_may_change(by: User) -> bool:
    """The admin site's actions (approve, archive) need Django's change permission."""
    return by.has_perm("accounts_registry.change_socialpage")


def may_edit(by: User | None, page: SocialPage) -> bool:
    """Whether ``by`` acts for the page's body (``selectors.pages_for(by, EDIT)``, read from
    the grants ``users.scope`` caches on the user: no query). ``None`` is the system."""
    if by is None:
        return True
    grants = scope.grants_for(by)
    return grants.is_admin or page.body_id in grants.acting_body_ids


def may_review_scope(by: User | None, page: SocialPage) -> bool:
    """Whether ``by`` reviews the page's body (``selectors.pages_for(by, REVIEW)``, from the
    cached grants). ``None`` is the system."""
    if by is None:
        return True
    grants = scope.grants_for(by)
    path = page.body.unit.path
    return grants.is_admin or any(path.startswith(outer) for outer in grants.acting_subtree_paths)


def _may_approve(by: User | None, page: SocialPage) -> bool:
    # The views and the API ask for REVIEW; the admin's action for the change permission.
    return may_review_scope(by, page) or (by is not None and _admin_may_change(by))


def _may_archive(by: User | None, page: SocialPage) -> bool:
    # The views and the API ask for EDIT; the admin's action for the change permission.
    return may_edit(by, page) or (by is not None and _admin_may_change(by))


def _refusal(page: SocialPage, to_state: str) -> ValidationError:
    return ValidationError(
        _("A page cannot go from “%(from)s” to “%(to)s”.")
        % {
            "from": page.get_state_display(),
            "to": dict(PageState.choices).get(to_state, to_state),
        }
    )


def _record(page: SocialPage, from_state: str, by: User | None, note: str) -> PageReview:
    return _log(page, from_state=from_state, by=by, note=note)


def _notify(page: SocialPage, review: PageReview) -> None:
    """A submitted page waits for its reviewers; an approved or returned one is news for
    its body; a re-confirmation or an archiving tells nobody."""
    if review.to_state == PageState.SUBMITTED:
        _tell_reviewers(page, review)
    elif review.from_state == PageState.SUBMITTED and review.to_state in (
        PageState.APPROVED,
        PageState.RETURNED,
    ):
        _tell_body(page, review)


_SUBMIT = Rule[SocialPage](may=may_edit)
_ARCHIVE = Rule[SocialPage](may=_may_archive)
_APPROVE = Rule[SocialPage](may=_may_approve)
_RETURN = Rule[SocialPage](may=may_review_scope)
_CONFIRM = Rule[SocialPage](may=may_edit)

# The review workflow. An edit of an approved page also sends it back to "submitted"
# (``page_update``, which checks what may be edited, writes that step).
PAGE_WORKFLOW: Workflow[SocialPage, PageReview] = Workflow(
    name="page",
    model=SocialPage,
    transitions={
        PageState.DRAFT: {PageState.SUBMITTED: _SUBMIT, PageState.ARCHIVED: _ARCHIVE},
        PageState.RETURNED: {PageState.SUBMITTED: _SUBMIT, PageState.ARCHIVED: _ARCHIVE},
        PageState.SUBMITTED: {
            PageState.APPROVED: _APPROVE,
            PageState.RETURNED: _RETURN,
            PageState.ARCHIVED: _ARCHIVE,
        },
        PageState.APPROVED: {PageState.APPROVED: _CONFIRM, PageState.ARCHIVED: _ARCHIVE},
        PageState.ARCHIVED: {},
    },
    lock=_lock,
    refusal=_refusal,
    save=_save,
    record=_record,
    notify=_notify,
)


# --- Who is told --------------------------------------------------------------------------------


# How many notices of one kind to one person read when an action sends several at once
# (``notifications.digest``): Vietnamese has one plural form, English two.
DIGEST_TEXTS: dict[str, Any] = {
    PageState.SUBMITTED: ngettext_lazy(
        "%(count)d page is waiting for your review",
        "%(count)d pages are waiting for your review",
        "count",
    ),
    PageState.APPROVED: ngettext_lazy(
        "%(count)d page was approved", "%(count)d pages were approved", "count"
    ),
    PageState.RETURNED: ngettext_lazy(
        "%(count)d page was returned for correction",
        "%(count)d pages were returned for correction",
        "count",
    ),
}


def _page_notice(page: SocialPage, review: PageReview, people: list[User], text: Any) -> int:
    """One notice (and email, for those who want it) per person and review step.

    The email carries the review's note (what to correct, for a return) and is signed by
    whoever acted, for their unit or body. Inside ``notifications.digest`` the notices of one
    step to one person are merged, linking to the list of pages in that state.
    """
    if not people:
        return 0
    link = reverse("registry:page_detail", args=[page.pk])
    with override("vi"):
        # Notices are stored text: written in the portal's language, not the caller's.
        message = str(text) % {"page": page.display_name, "body": page.body.name}
    return notifications.notify(
        people,
        text=message,
        key=f"page-review:{review.pk}",
        link=link,
        subject=f"[Cổng MXH] {message}",
        note=review.note,
        sender=notifications.sender_name(review.by, path=page.body.unit.path),
        group=f"page-{page.state}",
        group_text=DIGEST_TEXTS.get(page.state, ""),
        group_link=f"{reverse('registry:page_list')}?state={page.state}",
    )


def _tell_reviewers(page: SocialPage, review: PageReview) -> int:
    """A submitted page waits for its reviewers: the nearest officers in force above its
    body, whichever level that is (``users.scope.reviewers_of``)."""
    unit = page.body.unit
    people = scope.reviewers_of([unit]).get(unit.pk, [])
    return _page_notice(
        page, review, people, _("Page “%(page)s” of %(body)s is waiting for your review")
    )


def _tell_body(page: SocialPage, review: PageReview) -> int:
    """The body's staff (assignments in force) learn that their page was approved or
    returned."""
    people = sorted(
        {
            assignment.user
            for assignment in RoleAssignment.objects.filter(
                scope.assignment_in_force_q(scope.acting_day()),
                role=Role.BODY_STAFF,
                body_id=page.body_id,
                user__is_active=True,
            ).select_related("user")
        },
        key=lambda user: user.pk,
    )
    text = (
        _("Page “%(page)s” of %(body)s was approved")
        if page.state == PageState.APPROVED
        else _("Page “%(page)s” of %(body)s was returned for correction")
    )
    return _page_notice(page, review, people, text)
