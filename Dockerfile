# One image for every role: web, worker, dispatcher, sandbox (the command picks the role).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 POSTILLON_DATA_DIR=/data
WORKDIR /app
RUN useradd --system --create-home --home-dir /home/postillon postillon \
    && mkdir -p /data && chown postillon /data

COPY pyproject.toml README.md ./
COPY scheduler ./scheduler
COPY adapters ./adapters
COPY workers ./workers
COPY web ./web
COPY postillon ./postillon
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && pybabel compile -d web/translations

USER postillon
EXPOSE 8000
CMD ["postillon", "web", "--host", "0.0.0.0", "--port", "8000"]
