"""Admin for reorganisation plans: review a dry run of ``apply_reorganisation`` and apply it.

The plan rows live in ``units`` (they are the units' history); reviewing and applying them
lives here, above the apps whose rows a reorganisation moves.
"""

from __future__ import annotations

import gzip
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reorganisation.services import Decisions, ReorganisationError, load, run
from units.models import PlanStatus, ReorganisationPlan

_PLAN_FIELDS = (
    "table",
    "effective_on",
    "status",
    "created_by",
    "created_at",
    "applied_by",
    "applied_at",
    "seconds",
    "summary_table",
    "needs_choice_table",
    "unmatched_table",
    "decisions",
)


@admin.register(ReorganisationPlan)
class ReorganisationPlanAdmin(admin.ModelAdmin):
    """Review a reorganisation (a dry run of ``apply_reorganisation``) before applying it.

    The plan is read-only here: its decisions come from the command's decisions file. A
    superuser applies a draft with the button on its page (the same service as the command).
    """

    change_form_template = "admin/units/reorganisationplan/change_form.html"
    list_display = ["pk", "table", "effective_on", "status", "created_at", "applied_at", "seconds"]
    list_filter = ["status", "table"]
    fields = _PLAN_FIELDS
    readonly_fields = _PLAN_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ReorganisationPlan | None = None
    ) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ReorganisationPlan | None = None
    ) -> bool:
        return False

    @admin.display(description=_("summary"))
    def summary_table(self, obj: ReorganisationPlan) -> SafeString:
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td></tr>", sorted((obj.summary or {}).items())
        )
        return format_html('<table class="plan-summary">{}</table>', rows)

    @admin.display(description=_("communes needing a choice"))
    def needs_choice_table(self, obj: ReorganisationPlan) -> SafeString:
        if not obj.needs_choice:
            return format_html("{}", gettext("None"))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row["old_code"],
                    row["old_name"],
                    row["where"],
                    row["bodies"],
                    ", ".join(f"{c['code']} {c['name']}" for c in row["candidates"]),
                )
                for row in obj.needs_choice
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            gettext("Code"),
            gettext("Old commune"),
            gettext("District, province"),
            gettext("Bodies"),
            gettext("New communes it went to"),
        )
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("unmatched rows"))
    def unmatched_table(self, obj: ReorganisationPlan) -> SafeString:
        labels = {
            "old_communes_without_entry": gettext("Old communes in no row of the table"),
            "entries_with_unknown_old_code": gettext("Rows naming an unknown old commune"),
            "entries_with_unknown_new_code": gettext("Rows naming an unknown new commune"),
            "new_communes_not_targeted": gettext("New communes no row leads to"),
        }
        parts = []
        for key, label in labels.items():
            rows = (obj.unmatched or {}).get(key, [])
            items = format_html_join(
                "", "<li>{} {} {}</li>", ((r["code"], r["name"], r["note"]) for r in rows)
            )
            parts.append(
                format_html("<p><strong>{}: {}</strong></p><ul>{}</ul>", label, len(rows), items)
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        plan = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_apply": bool(
                plan is not None and plan.status == PlanStatus.DRAFT and request.user.is_superuser
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/apply/",
                self.admin_site.admin_view(self.apply_view),
                name=f"{info[0]}_{info[1]}_apply",
            ),
            path(
                "<int:pk>/report.csv",
                self.admin_site.admin_view(self.report_view),
                name=f"{info[0]}_{info[1]}_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        plan = get_object_or_404(ReorganisationPlan, pk=pk)
        data = gzip.decompress(bytes(plan.report_csv_gz)) if plan.report_csv_gz else b""
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="reorganisation-{plan.pk}.csv"'
        return response

    def apply_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        # Applying rewrites the whole registry: superusers only, whatever the permissions.
        if not request.user.is_superuser:
            raise PermissionDenied
        plan = get_object_or_404(ReorganisationPlan, pk=pk)
        change_url = f"../../{plan.pk}/change/"
        if plan.status != PlanStatus.DRAFT:
            self.message_user(request, gettext("This plan is already applied."), messages.ERROR)
            return redirect(change_url)
        if request.method != "POST":
            return TemplateResponse(
                request,
                "admin/units/reorganisationplan/apply_confirm.html",
                {**self.admin_site.each_context(request), "opts": self.opts, "plan": plan},
            )
        try:
            table, edition_spec = load(table_name=plan.table)
            outcome, applied = run(
                table=table,
                edition_spec=edition_spec,
                decisions=Decisions.from_json(plan.decisions),
                dry_run=False,
                by=request.user,
                plan_row=plan,
                table_name=plan.table,
            )
        except ReorganisationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect(change_url)
        if outcome.refused:
            self.message_user(
                request,
                gettext("Not applied: some old communes still need a choice."),
                messages.ERROR,
            )
        elif applied is None:
            self.message_user(request, gettext("Nothing to do: the table is already applied."))
        else:
            self.message_user(request, gettext("The reorganisation is applied."), messages.SUCCESS)
        return redirect(change_url)
