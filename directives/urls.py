from __future__ import annotations

from django.urls import path

from directives import autocomplete, views

app_name = "directives"

urlpatterns = [
    path("", views.directive_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("sent/", views.outbox, name="outbox"),
    path("new/", views.directive_create, name="create"),
    path("<int:pk>/", views.directive_detail, name="detail"),
    path("<int:pk>/edit/", views.directive_edit, name="edit"),
    path("<int:pk>/issue/", views.directive_issue, name="issue"),
    path("<int:pk>/archive/", views.directive_archive, name="archive"),
    path("<int:pk>/remind/", views.directive_remind, name="remind"),
    path("<int:pk>/chain/", views.directive_chain, name="chain"),
    path("<int:pk>/letter.docx", views.directive_docx, name="docx"),
    path("<int:pk>/letter.pdf", views.directive_pdf, name="pdf"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt"),
    path("receipts/<int:pk>/acknowledge/", views.receipt_acknowledge, name="acknowledge"),
    path("receipts/<int:pk>/report/", views.report_create, name="report"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("paper/<int:pk>/scan/", views.paper_scan_download, name="paper_scan"),
    # The form's pickers (directives/autocomplete.py).
    path(
        "autocomplete/recipients/units/",
        autocomplete.recipient_units,
        name="autocomplete_recipient_units",
    ),
    path(
        "autocomplete/recipients/bodies/",
        autocomplete.recipient_bodies,
        name="autocomplete_recipient_bodies",
    ),
    path("autocomplete/directives/", autocomplete.directives, name="autocomplete_directives"),
    path("autocomplete/issuers/", autocomplete.issuers, name="autocomplete_issuers"),
]
