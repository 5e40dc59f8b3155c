"""Properties of the release and live-org workflows that a first real run depends on.

    python .ci/check-workflows.py [REPO]     (run by .ci/lint with its venv: needs ruamel.yaml)

Each check names the property and why; any failure exits 1. What is checked:

release.yml
  app-token        tags, refs and git objects are written with a GitHub App token that has
                   Contents and Workflows write (GITHUB_TOKEN is refused with GH013 over
                   workflow changes); the App is checked before anything is pushed
  anonymous-pull   after `docker logout`, `docker buildx imagetools inspect IMAGE@DIGEST` runs
                   before the release commit and the tags, and stops the job when it fails
  release-before-major  the GitHub release is published before the major tag moves
  bundle           the binaries' attestation bundle is a release asset
  oci-mediatypes   the image is pushed with OCI media types (buildx drops index annotations
                   with Docker's)
  attest-permissions    every job that attests has id-token, attestations and
                   artifact-metadata write
  source-sha       the built commit is `git rev-parse HEAD` of the checked job, and every build
                   job checks out exactly that commit
  docs             docs/releasing.md names the secrets, the v* tag rule and the make-public step
toolchain          the Dockerfile's rust image and every workflow's RUSTUP_TOOLCHAIN are Cargo.toml's
                   rust-version; Dependabot only moves the rust image's digest
live-org.yml       secrets come from `sf org auth show-access-token/show-sfdx-auth-url --json`, never
                   from `sf org display --verbose` (redacted by the locked CLI), and the auth URL is
                   checked for force://; the docs say so and name Delete on ActiveScratchOrg
"""
import glob
import os
import re
import sys

from ruamel.yaml import YAML

repo = sys.argv[1] if len(sys.argv) > 1 else "."
os.chdir(repo)
yaml = YAML(typ="safe")
bad = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        bad.append(what)


def steps_of(job):
    return job.get("steps") or []


def run_of(step):
    return step.get("run") or ""


# --- release.yml ------------------------------------------------------------------------------
print(".github/workflows/release.yml")
rel = yaml.load(open(".github/workflows/release.yml"))
jobs = rel["jobs"]
pub = jobs["publish"]
ps = steps_of(pub)
names = [s.get("name", s.get("uses", "")) for s in ps]


def index(pred):
    return next((i for i, s in enumerate(ps) if pred(s)), None)


app = index(lambda s: str(s.get("uses", "")).startswith("actions/create-github-app-token@"))
app_id = ps[app].get("id") if app is not None else None
check(app is not None and re.fullmatch(r"actions/create-github-app-token@[0-9a-f]{40}", ps[app]["uses"]) is not None,
      "app-token: publish mints a GitHub App token (actions/create-github-app-token, pinned by SHA)")
if app is not None:
    w = ps[app].get("with") or {}
    check(w.get("permission-contents") == "write" and w.get("permission-workflows") == "write",
          "app-token: the App token asks for exactly Contents and Workflows write")
    gate = index(lambda s: "RELEASE_APP_CLIENT_ID" in str(s.get("env", "")) and "exit 1" in run_of(s))
    check(gate is not None and gate < app, "app-token: a step before it stops with a message when the App's secrets are missing")
app_token = f"${{{{ steps.{app_id}.outputs.token }}}}"
writes = re.compile(r"git/(refs|commits|trees|blobs)|release-set-tag")
for i, s in enumerate(ps):
    if writes.search(run_of(s)):
        token = (s.get("env") or {}).get("GH_TOKEN", "")
        check(token == app_token, f"app-token: step '{names[i]}' writes git objects or refs with the App token (GH_TOKEN={token or 'unset'})")
check("github.token" not in str([(s.get("env") or {}).get("GH_TOKEN") for s in ps if writes.search(run_of(s))]),
      "app-token: no ref write uses GITHUB_TOKEN")
setter = open(".ci/release-set-tag").read() if os.path.exists(".ci/release-set-tag") else ""
check("git/refs" in setter and "force=true" in setter, "app-token: .ci/release-set-tag creates or force-moves refs/tags/NAME")

pull = index(lambda s: "docker logout" in run_of(s) and "imagetools inspect" in run_of(s))
commit = index(lambda s: "git/commits" in run_of(s))
check(pull is not None, "anonymous-pull: a step logs out of the registry, then inspects IMAGE@DIGEST")
if pull is not None:
    r = run_of(ps[pull])
    check(r.index("docker logout") < r.index("imagetools inspect") and "$IMAGE@$DIGEST" in r,
          "anonymous-pull: the inspect runs logged out, on the pinned IMAGE@DIGEST")
    check("exit 1" in r and "::error" in r and "public" in r.lower(),
          "anonymous-pull: a failed pull stops the job with an ::error that says to make the package public")
    check(commit is not None and pull < commit, "anonymous-pull: it runs before the release commit and the tags")
    logins = [i for i, s in enumerate(ps) if str(s.get("uses", "")).startswith("docker/login-action@")]
    registry_after = [i for i, s in enumerate(ps) if i > pull and ("push-to-registry" in str(s.get("with", "")) or "imagetools create" in run_of(s))]
    check(all(i < pull for i in logins) and not registry_after, "anonymous-pull: nothing after it needs the registry login")

release = index(lambda s: "gh release create" in run_of(s))
check(release is not None and "sigstore.jsonl" in run_of(ps[release]) and any("bundle-path" in str(s.get("env", "")) for s in ps),
      "bundle: the release publishes the binaries' attestation bundle (the CI kits verify with gh --bundle, no login)")
major = index(lambda s: "${VERSION%%.*}" in run_of(s))
check(release is not None and major is not None and release < major,
      "release-before-major: the GitHub release is published before the major tag moves")
check(major is not None and major == len(ps) - 1, "release-before-major: moving the major tag is the last step")

pushes = [s for j in jobs.values() for s in steps_of(j) if "push=true" in str((s.get("with") or {}).get("outputs", ""))]
check(bool(pushes) and all("oci-mediatypes=true" in s["with"]["outputs"] for s in pushes),
      "oci-mediatypes: every image push sets oci-mediatypes=true")

for name, job in jobs.items():
    attests = any(str(s.get("uses", "")).startswith("actions/attest-build-provenance@") for s in steps_of(job))
    if attests:
        perms = job.get("permissions") or {}
        check(all(perms.get(p) == "write" for p in ("id-token", "attestations", "artifact-metadata")),
              f"attest-permissions: job {name} attests with id-token, attestations and artifact-metadata write")

prep = run_of(next(s for s in steps_of(jobs["prepare"]) if s.get("id") == "version"))
check('source_sha="$(git rev-parse HEAD)"' in prep and "source-sha=$GITHUB_SHA" not in prep,
      "source-sha: the built commit is git rev-parse HEAD of the checked-out tree")
for name, job in jobs.items():
    if name == "prepare":
        continue
    for s in steps_of(job):
        if str(s.get("uses", "")).startswith("actions/checkout@"):
            check((s.get("with") or {}).get("ref") == "${{ needs.prepare.outputs.source-sha }}",
                  f"source-sha: job {name} checks out needs.prepare.outputs.source-sha")

doc = open("docs/releasing.md").read() if os.path.exists("docs/releasing.md") else ""
for needle in ("RELEASE_APP_CLIENT_ID", "RELEASE_APP_PRIVATE_KEY", "Contents", "Workflows", "`v*`", "Change visibility", "Public"):
    check(needle in doc, f"docs: docs/releasing.md mentions {needle}")

# --- toolchain --------------------------------------------------------------------------------
print("toolchain")
pinned = re.search(r'(?m)^rust-version\s*=\s*"([^"]+)"', open("Cargo.toml").read()).group(1)
same = lambda v: (v + ".").startswith(pinned + ".")
froms = re.findall(r"(?m)^FROM\s+rust:(\d+\.\d+(?:\.\d+)?)", open("Dockerfile").read())
check(bool(froms) and all(same(v) for v in froms), f"toolchain: the Dockerfile's rust image {froms} is rust-version {pinned}")
for f in sorted(glob.glob(".github/workflows/*.yml")):
    env = (yaml.load(open(f)) or {}).get("env") or {}
    if "RUSTUP_TOOLCHAIN" in env:
        check(str(env["RUSTUP_TOOLCHAIN"]) == pinned, f"toolchain: {f} RUSTUP_TOOLCHAIN {env['RUSTUP_TOOLCHAIN']} is {pinned}")
dep = yaml.load(open(".github/dependabot.yml"))
docker = [u for u in dep["updates"] if u["package-ecosystem"] == "docker"]
ignored = [set(i.get("update-types") or []) for u in docker for i in u.get("ignore") or [] if i.get("dependency-name") == "rust"]
check(bool(docker) and any({"version-update:semver-major", "version-update:semver-minor"} <= t for t in ignored),
      "toolchain: Dependabot ignores the rust image's minor and major updates (digests only)")

# --- live-org ---------------------------------------------------------------------------------
print(".github/workflows/live-org.yml")
live = open(".github/workflows/live-org.yml").read()
code = "\n".join(l for l in live.splitlines() if not l.strip().startswith("#"))
check("--verbose" not in code, "live-org: no `sf org display --verbose` (the locked CLI redacts its secrets)")
check("sf org auth show-access-token --target-org live --json" in code and ".result.accessToken" in code,
      "live-org: the access token comes from sf org auth show-access-token --json")
check("sf org auth show-sfdx-auth-url --target-org live --json" in code and ".result.sfdxAuthUrl" in code,
      "live-org: the auth URL comes from sf org auth show-sfdx-auth-url --json")
check(re.search(r'case "\$auth_url" in force://\*\) ;; \*\) [^\n]*exit 1', code) is not None,
      "live-org: it fails unless the auth URL starts with force://")
ldoc = open("docs/live-org-tests.md").read()
check("sf org auth show-sfdx-auth-url" in ldoc and "display --verbose --json | jq" not in ldoc,
      "live-org: the docs get the Dev Hub URL from sf org auth show-sfdx-auth-url")
check(re.search(r"Delete on `?ActiveScratchOrg", ldoc) is not None, "live-org: the docs say the Dev Hub user needs Delete on ActiveScratchOrg")

print()
if bad:
    print(f"{len(bad)} propert{'y' if len(bad) == 1 else 'ies'} not held")
    sys.exit(1)
print("every property holds")
