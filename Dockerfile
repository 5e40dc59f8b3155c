# Image of the StoreConnect Triggers Guard action (see action.yml).
#
# GitHub's runner builds this file on every job that uses the action, with the
# repository root as the context (.dockerignore keeps that context down to the
# manifests and src/). The action's phases are told apart by argv[0]:
#   /usr/local/bin/storeconnect-triggers-action-main  main phase (runs.entrypoint)
#   /usr/local/bin/storeconnect-triggers-action-post  post phase (runs.post-entrypoint)
#   /usr/local/bin/storeconnect-triggers              the plain CLI (ENTRYPOINT)

# Bookworm, to match the glibc of the distroless debian12 runtime below.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src

# 1. Dependencies, in a layer that only changes when the manifests do. The
#    workspace needs every member's manifest and a target per crate, so the
#    crates get empty stubs. simorg is a dev-dependency: it is not built here.
#    Cargo also checks, when it parses the manifest, that every target declared
#    in it ([[bench]] requests) has its file: stub it too, it is never built.
COPY Cargo.toml Cargo.lock ./
COPY simorg/Cargo.toml simorg/
RUN mkdir -p src simorg/src benches \
    && printf 'fn main() {}\n' > src/main.rs \
    && printf 'fn main() {}\n' > benches/requests.rs \
    && : > src/lib.rs \
    && : > simorg/src/lib.rs \
    && cargo build --release --locked -p storeconnect-triggers

# 2. The real sources. COPY keeps the context's mtimes, which can be older than
#    the stub build, so cargo would keep the stub binary: touch every file.
#    The stage then stages the binary and its two phase names (relative
#    symlinks, argv[0] keeps the name) for a single COPY into the runtime.
COPY src/ src/
RUN find src -type f -exec touch {} + \
    && cargo build --release --locked -p storeconnect-triggers \
    && mkdir dist \
    && cp target/release/storeconnect-triggers dist/ \
    && ln -s storeconnect-triggers dist/storeconnect-triggers-action-main \
    && ln -s storeconnect-triggers dist/storeconnect-triggers-action-post

# glibc, libgcc and the CA certificates that rustls-platform-verifier reads.
# Distroless publishes no versioned tags; pin a digest when cutting a release.
# Runs as root on purpose: the runner mounts the workspace and the file-command
# files for its default user, and GitHub says container actions must not set USER.
# hadolint ignore=DL3007
FROM gcr.io/distroless/cc-debian12:latest
COPY --from=build /src/dist/ /usr/local/bin/
# No CMD: with no args, the runner would pass CMD to the action's entrypoints.
ENTRYPOINT ["/usr/local/bin/storeconnect-triggers"]
