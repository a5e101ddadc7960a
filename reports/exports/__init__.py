"""Exports of a report: XLSX, CSV, DOCX and PDF, from the report's frozen rows."""
