"""Forms of the directive pages. They collect input; the services check the letter itself.

- ``directive``: the drafting form (``DirectiveForm``) and the list's filters;
- ``groups``: recipient groups, named groups and their members, figures asked, citations;
- ``issuer``: which body signs, for whoever issues for several;
- ``report``: a recipient's report on implementation and its figures;
- ``common``: dates, files, instructions, long lists of options.

``from directives.forms import X`` keeps working for every name below.
"""

from __future__ import annotations

from directives.forms.common import (
    ACCEPT,
    MultipleFileField,
    MultipleFileInput,
    Option,
    OptionGroup,
    join_instructions,
    split_instructions,
)
from directives.forms.directive import FLAT_LIST_SIZE, DirectiveFilterForm, DirectiveForm
from directives.forms.groups import (
    AskedFigureForm,
    AskedFigureFormSet,
    MemberChoices,
    NamedGroupForm,
    NamedGroupFormSet,
    citable_nodes,
    group_key,
    group_label,
    member_choices,
    recipient_groups,
)
from directives.forms.issuer import ISSUERS_LISTED, IssuerForm
from directives.forms.report import FigureForm, FigureFormSet, ReportForm, filled_figures

__all__ = [
    "ACCEPT",
    "FLAT_LIST_SIZE",
    "ISSUERS_LISTED",
    "AskedFigureForm",
    "AskedFigureFormSet",
    "DirectiveFilterForm",
    "DirectiveForm",
    "FigureForm",
    "FigureFormSet",
    "IssuerForm",
    "MemberChoices",
    "MultipleFileField",
    "MultipleFileInput",
    "NamedGroupForm",
    "NamedGroupFormSet",
    "Option",
    "OptionGroup",
    "ReportForm",
    "citable_nodes",
    "filled_figures",
    "group_key",
    "group_label",
    "join_instructions",
    "member_choices",
    "recipient_groups",
    "split_instructions",
]
