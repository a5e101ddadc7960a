# The portal's production image: gunicorn (web), Celery worker and Celery beat all run from
# it, with different commands (see docker-compose.yml). Static files and translations are
# built into the image, so a container needs nothing but its environment.

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

FROM base AS build
# gettext compiles the translations; it stays in this stage only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements/base.lock /tmp/base.lock
RUN pip install -r /tmp/base.lock
WORKDIR /app
COPY . .
# Production settings refuse to load without their variables; these placeholders only let
# compilemessages and collectstatic import them. Nothing is connected to at build time.
RUN PORTAL_ENV=production \
    SECRET_KEY=build-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=consolemail:// \
    sh -c "python manage.py compilemessages && python manage.py collectstatic --noinput"

FROM base AS runtime
# WeasyPrint (PDF letters and reports) needs Pango; Liberation 2 has Times New Roman's metrics
# and every Vietnamese letter. postgresql-client (15, as the compose file's server) gives
# `manage.py backup` and `restore` their pg_dump and pg_restore (docs/operations.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --create-home --home-dir /home/portal portal
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=portal:portal /app /app
WORKDIR /app
# Uploaded files live in a volume mounted here; the folder must exist and belong to the
# portal user so that a fresh named volume inherits that ownership.
RUN mkdir -p /app/var/media && chown -R portal:portal /app/var
USER portal
ENV PORTAL_ENV=production \
    PORTAL_VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=portal.settings
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
