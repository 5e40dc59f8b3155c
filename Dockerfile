# Image of the StoreConnect Triggers Guard action (see action.yml) and of the CLI.
#
# Two stages: a Rust builder that compiles one static (musl) binary, and a FROM
# scratch image that holds only that binary, its two phase names and the CA
# certificates: no shell, no libc, a few MB. Releases push this image, built for
# linux/amd64 and linux/arm64, to ghcr.io/storeconnect/storeconnect-triggers, and
# the release's action.yml runs it by digest. main's action.yml builds it from
# source on every job (forks, @main), with the repository root as the context
# (.dockerignore keeps that down to the manifests and src/).
#
# The action's phases are told apart by argv[0]:
#   /usr/local/bin/storeconnect-triggers-action-main  main phase (runs.entrypoint)
#   /usr/local/bin/storeconnect-triggers-action-post  post phase (runs.post-entrypoint)
#   /usr/local/bin/storeconnect-triggers              the plain CLI (ENTRYPOINT)

# Pinned by digest (Dependabot's docker ecosystem keeps it current).
FROM rust:1.95-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082 AS build
WORKDIR /src
# ring's C code only needs compiler headers, so the image's gcc builds it for
# musl: no musl-tools. -U_FORTIFY_SOURCE: Ubuntu's gcc (where CI replays this
# file) fortifies by default, which would call glibc's __memcpy_chk; musl has none.
ENV TARGET_CC=gcc \
    TARGET_CFLAGS=-U_FORTIFY_SOURCE \
    CARGO_TERM_COLOR=never

# 1. Dependencies, in a layer that only changes when the manifests do. The
#    workspace needs every member's manifest and a target per crate, so the
#    crates get stubs (with a doc line: no missing_docs warning). simorg is a dev-dependency: it is not built here.
#    Cargo also checks, when it parses the manifest, that every target declared
#    in it ([[bench]] requests) has its file: stub it too, it is never built.
#    The musl target of the machine's own architecture (x86_64 or aarch64):
#    the release builds each platform natively.
COPY Cargo.toml Cargo.lock ./
COPY simorg/Cargo.toml simorg/
RUN rustup target add "$(uname -m)-unknown-linux-musl" \
    && mkdir -p src simorg/src benches \
    && printf '//! Stub.\nfn main() {}\n' > src/main.rs \
    && printf 'fn main() {}\n' > benches/requests.rs \
    && printf '//! Stub.\n' > src/lib.rs \
    && : > simorg/src/lib.rs \
    && cargo build --release --locked -p storeconnect-triggers --target "$(uname -m)-unknown-linux-musl"

# 2. The real sources. COPY keeps the context's mtimes, which can be older than
#    the stub build, so cargo would keep the stub binary: touch every file.
#    Then stage the final image's whole tree in rootfs/ for one COPY: the
#    binary, its two phase names (relative symlinks, argv[0] keeps the name),
#    and the CA bundle where rustls-platform-verifier looks for it (without
#    one the HTTP client cannot be built).
COPY src/ src/
RUN find src -type f -exec touch {} + \
    && target="$(uname -m)-unknown-linux-musl" \
    && cargo build --release --locked -p storeconnect-triggers --target "$target" \
    && mkdir -p rootfs/usr/local/bin rootfs/etc/ssl/certs \
    && cp "target/$target/release/storeconnect-triggers" rootfs/usr/local/bin/ \
    && ln -s storeconnect-triggers rootfs/usr/local/bin/storeconnect-triggers-action-main \
    && ln -s storeconnect-triggers rootfs/usr/local/bin/storeconnect-triggers-action-post \
    && cp /etc/ssl/certs/ca-certificates.crt rootfs/etc/ssl/certs/ca-certificates.crt

# Nothing but the static binary and the CA bundle. Runs as root on purpose: the
# runner mounts the workspace and the file-command files for its default user,
# and GitHub says container actions must not set USER.
FROM scratch
COPY --from=build /src/rootfs/ /
# The version is Cargo.toml's (.ci/docker-replay checks they agree); the release
# adds revision and source.
LABEL org.opencontainers.image.title="storeconnect-triggers" \
      org.opencontainers.image.description="Keep StoreConnect's Salesforce sync triggers safe around maintenance jobs: disable, run, re-enable, verify." \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/storeconnect/storeconnect-triggers"
# No CMD: with no args, the runner would pass CMD to the action's entrypoints.
ENTRYPOINT ["/usr/local/bin/storeconnect-triggers"]
