# ChatDesk: help desk service (bots + agents' Telegram group + web panel).
# Build:  docker build -t chatdesk .
# Run:    docker compose up   (see docker-compose.yml; PostgreSQL included)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHATDESK_DATA_DIR=/data \
    CHATDESK_HTTP_HOST=0.0.0.0 \
    CHATDESK_HTTP_PORT=8080

RUN groupadd --system --gid 10001 chatdesk \
    && useradd --system --uid 10001 --gid chatdesk --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin chatdesk \
    && mkdir -p /app /data \
    && chown chatdesk:chatdesk /data

WORKDIR /app

# Only what the package needs: no .venv, data, .env or .git from the work tree.
COPY pyproject.toml README.md ./
COPY core/ core/
COPY wording/ wording/
COPY storage/ storage/
COPY bots/ bots/
COPY admin_web/ admin_web/
COPY chatdesk/ chatdesk/
COPY emulators/ emulators/
RUN pip install . && rm -rf build *.egg-info

USER chatdesk
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, socket; socket.create_connection(('127.0.0.1', int(os.environ.get('CHATDESK_HTTP_PORT', '8080'))), 3).close()" || exit 1

CMD ["sh", "-c", "chatdesk migrate && chatdesk run"]
