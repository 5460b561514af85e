# sentzoo on Debian bookworm: the same setup script as a fresh machine (scripts/setup.sh).
FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src/sentzoo
COPY . .
RUN scripts/setup.sh && scripts/build.sh && rm -rf /var/lib/apt/lists/*
ENV PATH=/src/sentzoo/build:$PATH
# Mount the data sets and point SENTZOO_DATA at them, e.g. -v $PWD/../shared/data:/data
ENV SENTZOO_DATA=/data
CMD ["scripts/test.sh"]
