# Multi-stage build: the console (Node), the server (Rust), and a small runtime image.

FROM node:20-bookworm-slim AS console
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY openapi/ /src/openapi/
COPY frontend/ ./
RUN npm run build

FROM rust:1.95-bookworm AS server
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates/ crates/
COPY migrations/ migrations/
COPY bench/ bench/
COPY openapi/ openapi/
RUN cargo build --release -p steward

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/steward steward && mkdir -p /var/lib/steward && chown steward /var/lib/steward
COPY --from=server /src/target/release/steward /usr/local/bin/steward
COPY --from=console /src/frontend/dist /usr/share/steward/console
ENV STEWARD_BIND=0.0.0.0:8080 \
    STEWARD_DATA_DIR=/var/lib/steward \
    STEWARD_CONSOLE_DIR=/usr/share/steward/console \
    STEWARD_LOG_FORMAT=json
USER steward
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["steward"]
CMD ["serve"]
