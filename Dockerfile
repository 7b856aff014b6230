# gadesign with Dask: one image for the scheduler, the workers and the client.
# BASE: any image with Python 3.11, pip and useradd (deploy/build_local.sh builds one from Debian packages)
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 gadesign
WORKDIR /opt/gadesign
COPY pyproject.toml README.md ./
COPY gadesign ./gadesign
COPY problems ./problems
RUN pip install ".[dask]"
# compile the antenna solver's numba kernels once, into the image (cached beside the package)
RUN python -c "from gadesign_problems.antenna import Antenna, Source, Wire; Antenna(wires=(Wire((0, 0, 0), (0, 0, 0.25), 1e-3, 11, 1),), sources=(Source(1, 1),), ground=True).solve(3e8)"

USER gadesign
WORKDIR /home/gadesign
# the scheduler listens on 8786; results go to /home/gadesign/results (mount a volume there)
EXPOSE 8786
CMD ["gadesign", "--help"]
