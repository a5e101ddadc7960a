"""Load test of the portal under gunicorn and PostgreSQL (`make load`); see docs/benchmarks.md."""
