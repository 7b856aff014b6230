# gadesign with Dask: one image for the scheduler, the workers and the client.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 gadesign
WORKDIR /opt/gadesign
COPY pyproject.toml README.md ./
COPY gadesign ./gadesign
COPY problems ./problems
RUN pip install ".[dask]"

USER gadesign
WORKDIR /home/gadesign
# the scheduler listens on 8786; results go to /home/gadesign/results (mount a volume there)
EXPOSE 8786
CMD ["gadesign", "--help"]
