"""The legal library's API routes, included under /api/v1/legal/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from legal.api import ComplianceCriterionViewSet, LegalLibraryViewSet, LegalNodeViewSet

router = SimpleRouter()
router.register("libraries", LegalLibraryViewSet, basename="legal-library")
router.register("nodes", LegalNodeViewSet, basename="legal-node")
router.register("criteria", ComplianceCriterionViewSet, basename="legal-criterion")

urlpatterns = router.urls
