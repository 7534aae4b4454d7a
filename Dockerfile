# claimscrub worker image. Expects pyproject.toml to define the distribution
# and a `claimscrub` console script.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
    && groupadd --system --gid 10001 claimscrub \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin claimscrub

# Never run the worker as root (numeric, so runAsNonRoot checks can verify it).
USER 10001:10001

# /metrics, /healthz and /readyz (CLAIMSCRUB_HTTP_PORT).
EXPOSE 9108

CMD ["claimscrub", "run"]
