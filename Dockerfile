# cupcake decision server image. Two final stages:
#   docker build -t cupcake .                      # `server`: cupcake plus OPA, compiles .rego
#   docker build --target bundles -t cupcake:b .   # `bundles`: cupcake alone, serves bundles
# Both run as an unprivileged user, read policies from /policies (global policies from
# /etc/cupcake/global, empty unless mounted) and tokens from
# /run/secrets/cupcake-tokens, and listen on 0.0.0.0:8410 (which cupcake refuses without
# tokens). Probes: GET /health/live (liveness) and GET /health/ready (readiness; 503 while
# draining after SIGTERM). The versions below match rust-toolchain.toml and ci/env.sh.

ARG RUST_VERSION=1.95.0
ARG GO_VERSION=1.26
ARG OPA_VERSION=1.22.2

FROM rust:${RUST_VERSION}-slim-trixie AS build
WORKDIR /src
COPY . .
# The CLI alone: no bindings, no generators.
RUN cargo build --locked --release -p cupcake-cli --bin cupcake \
    && strip target/release/cupcake

FROM golang:${GO_VERSION}-trixie AS opa
ARG OPA_VERSION
RUN CGO_ENABLED=0 GOBIN=/out go install "github.com/open-policy-agent/opa@v${OPA_VERSION}"

# Shared runtime: a shell for signals (they run through `sh -c`), CA roots for OTLP over
# HTTPS, and a user without a login or a home worth writing to.
FROM debian:trixie-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin cupcake \
    && mkdir -p /policies /etc/cupcake/global /var/cache/cupcake \
    && chown cupcake /var/cache/cupcake
COPY --from=build /src/target/release/cupcake /usr/local/bin/cupcake
USER 10001
EXPOSE 8410
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cupcake"]

# Only bundles made by `cupcake compile`: no OPA in the image.
FROM runtime AS bundles
CMD ["serve", "--listen", "0.0.0.0:8410", "--token-file", "/run/secrets/cupcake-tokens", \
     "--bundle", "/policies/policies.bundle", "--cache-dir", "/var/cache/cupcake"]

# A policy directory compiled in the container: OPA comes along.
FROM runtime AS server
COPY --from=opa /out/opa /usr/local/bin/opa
CMD ["serve", "--listen", "0.0.0.0:8410", "--token-file", "/run/secrets/cupcake-tokens", \
     "--policy-dir", "/policies", "--global-dir", "/etc/cupcake/global", \
     "--cache-dir", "/var/cache/cupcake"]
