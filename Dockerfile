# claimscrub worker image: `claimscrub run`, /metrics, /healthz and /readyz on 9108.
#
#   docker build -t claimscrub .     (docker-compose.yml builds it as the `worker` service)
#
# Two install layers, so that a change to the code does not reinstall the dependencies:
# first the dependencies pyproject.toml declares, pinned by constraints.txt; then the
# package itself with --no-deps. The package is contracts/, scrubbers/, workers/ and
# bench/, installed as claimscrub.* ([tool.setuptools] in pyproject.toml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Dependencies only: [project].dependencies read from pyproject.toml (tomllib is in the
# standard library), each pinned by constraints.txt. Rebuilt only when these two change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt -c constraints.txt \
    && rm requirements.txt

# The package, without touching the dependencies installed above (README.md is its long
# description; LICENSE* its license file, when the checkout has one).
COPY README.md LICENSE* ./
COPY contracts ./contracts
COPY scrubbers ./scrubbers
COPY workers ./workers
COPY bench ./bench
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && groupadd --system --gid 10001 claimscrub \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin claimscrub

# Never run the worker as root (numeric, so runAsNonRoot checks can verify it).
USER 10001:10001

# /metrics, /healthz and /readyz (CLAIMSCRUB_HTTP_PORT).
EXPOSE 9108

# Ready = partitions assigned and the broker reachable (workers/observability/health.py).
# The slim image has no curl: Python's urllib, which exits non-zero on an HTTP error.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('CLAIMSCRUB_HTTP_PORT', '9108'), timeout=3)"

CMD ["claimscrub", "run"]
