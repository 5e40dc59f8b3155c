"""Properties of the CI kits for systems other than GitHub that their first real run depends on.

    python .ci/check-ci-kits.py [REPO]      (run by .ci/lint-ci with its venv: needs ruamel.yaml)

Each check names the property; any failure exits 1.

every kit      the maintenance command runs through `storeconnect-triggers run --` (never a bare
               `disable`), `enable` runs again in the system's always-run place, and the download
               is verified against a pinned STORECONNECT_TRIGGERS_SHA256 or with
               `gh attestation verify --bundle`, never against the release's own SHA256SUMS
GitLab         included with `include: remote:` at a release tag with `inputs:`; no `spec:
               description` (GitLab 18.10+); minimum GitLab and Runner stated; nothing in
               before_script; guard jobs only on the default branch and never in the check
               schedule, the check only there; the same resource_group on every job;
               timeout > script-timeout + after-script-timeout, every `--wait` inside the
               script timeout; docs for the 1.0.0-tagged mirror
Bitbucket      every pipe pinned by digest; the final and check steps share the guarded step's
               concurrency-group; no deployment (its variables are empty in final steps);
               `check` listed among the STORECONNECT_COMMAND values
Jenkins        no pipeline-level timeout (it wraps post); a timeout on the work stage; post
               notifies explicitly when `enable` fails
Azure          secrets mapped from Key Vault-valid names; a deployment job on an environment
               (exclusive lock), lockBehavior sequential
CircleCI       the same serial-group on every job; no_output_timeout on the work step
docs           docs/ci/README.md says how a restore that fails after a cancel is made visible
"""
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


def read(path):
    return open(path).read()


def code(text):
    """The text without comment lines (# or //)."""
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith(("#", "//")))


def minutes(value):
    m = re.fullmatch(r"\s*(\d+)\s*(m|min|h)?\s*", str(value))
    return int(m.group(1)) * (60 if m.group(2) == "h" else 1)


KITS = {
    "templates/storeconnect-triggers-guard.yml": "GitLab",
    "docs/ci/bitbucket-pipelines.yml": "Bitbucket",
    "docs/ci/azure-pipelines.yml": "Azure",
    "docs/ci/Jenkinsfile": "Jenkins",
    "docs/ci/circleci-config.yml": "CircleCI",
}
INSTALLERS = list(KITS) + ["templates/storeconnect-triggers-check.yml"]

print("every kit")
for path, system in KITS.items():
    c = code(read(path))
    check(re.search(r"storeconnect-triggers run -- \S", c) is not None, f"{system}: the work runs through `storeconnect-triggers run --` ({path})")
    check(re.search(r"storeconnect-triggers disable\b", c) is None and "STORECONNECT_COMMAND: disable" not in c,
          f"{system}: no separate disable step: `run` disables and restores in one process")
    check(len(re.findall(r"storeconnect-triggers enable|STORECONNECT_COMMAND: enable", c)) >= 1, f"{system}: `enable` runs again as the always-run backstop")
for path in INSTALLERS:
    c = code(read(path))
    if "releases/download" not in c:
        continue
    check('echo "${STORECONNECT_TRIGGERS_SHA256}  $asset" | sha256sum -c -' in c,
          f"{path}: the download is checked against the pinned STORECONNECT_TRIGGERS_SHA256")
    check("gh attestation verify \"$asset\" --repo storeconnect/storeconnect-triggers --bundle" in c,
          f"{path}: without a pin, gh verifies the download's provenance (with the release's bundle, no login)")
    check("SHA256SUMS" not in c, f"{path}: the release's own SHA256SUMS is not used as the check (it only catches corruption)")
    check(re.search(r"cannot verify[^\n]*\n\s*exit 1", c) is not None, f"{path}: with neither, the install stops")

# --- GitLab -----------------------------------------------------------------------------------
print("GitLab")
for path in ("templates/storeconnect-triggers-guard.yml", "templates/storeconnect-triggers-check.yml"):
    text = read(path)
    header_text, jobs_text = re.split(r"^---[ \t]*$", text, maxsplit=1, flags=re.M)
    header = yaml.load(header_text)["spec"]
    jobs = yaml.load(jobs_text)
    check("description" not in header, f"{path}: no `spec: description` (GitLab 18.10 and later only)")
    check("GitLab 17.0" in text, f"{path}: states the minimum GitLab (17.0: include:inputs, after_script on cancel)")
    check(re.search(r"include:\n#?\s+- remote: https://raw\.githubusercontent\.com/storeconnect/storeconnect-triggers/v\d+\.\d+\.\d+/" + re.escape(path), text) is not None,
          f"{path}: its usage includes it remotely at a release tag")
    check("before_script" not in code(jobs_text), f"{path}: nothing in before_script (a user's job may replace it)")
    groups = {j.get("resource_group") for j in jobs.values()}
    check(groups == {"$[[ inputs.resource-group ]]"}, f"{path}: every job has the resource group input")
    inputs = header["inputs"]
    if "guard" in path:
        check("Runner 16.11.1" in text, f"{path}: states the minimum GitLab Runner for after_script on cancel (16.11.1)")
        t, s, a = (minutes((inputs.get(k) or {}).get("default", "0")) for k in ("timeout", "script-timeout", "after-script-timeout"))
        check(t > s + a, f"{path}: timeout {t}m > script-timeout {s}m + after-script-timeout {a}m (after_script runs on a script timeout)")
        for name, job in jobs.items():
            rules = job.get("rules") or []
            check(any(r.get("if") == '$STORECONNECT_TRIGGERS_CHECK == "true"' and r.get("when") == "never" for r in rules)
                  and any(r.get("if") == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" for r in rules)
                  and all("if" in r for r in rules),
                  f"{path}: {name} runs only on the default branch, never in the check schedule (not for merge requests)")
        guard = jobs["$[[ inputs.job-name ]]"]
        check(guard.get("timeout") == "$[[ inputs.timeout ]]", f"{path}: the guarded job's timeout comes from the timeout input")
        check("$[[ inputs.command ]]" in str(guard.get("script")), f"{path}: the command runs in `script`")
    else:
        rules = next(iter(jobs.values())).get("rules")
        check(rules == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $STORECONNECT_TRIGGERS_CHECK == "true"'}],
              f"{path}: the check runs only in the check schedule")
example = read("docs/ci/gitlab-ci.yml")
ex = yaml.load(example)
for inc in ex["include"]:
    check(re.fullmatch(r"https://raw\.githubusercontent\.com/storeconnect/storeconnect-triggers/v\d+\.\d+\.\d+/templates/[a-z-]+\.yml", inc.get("remote", "")) is not None
          and "inputs" in inc, f"docs/ci/gitlab-ci.yml: include remote at a release tag with inputs ({inc.get('remote')})")
guard_inputs = next((i.get("inputs") or {} for i in ex["include"] if "guard" in i.get("remote", "")), {})
script_timeout = minutes(guard_inputs.get("script-timeout", "50m"))
for path in ("docs/ci/gitlab-ci.yml", "templates/storeconnect-triggers-guard.yml"):
    for wait in re.findall(r"--wait (\d+)", read(path)):
        check(int(wait) < script_timeout, f"{path}: --wait {wait} stays inside the script timeout ({script_timeout}m)")
readme = read("docs/ci/README.md")
check(re.search(r"mirror", readme, re.I) is not None and "`1.0.0`" in readme and "CI/CD Catalog" in readme,
      "docs/ci/README.md: how to mirror into a GitLab project with 1.0.0 tags for the CI/CD Catalog")

# --- Bitbucket --------------------------------------------------------------------------------
print("Bitbucket")
bb_text = read("docs/ci/bitbucket-pipelines.yml")
pipes = re.findall(r"pipe: (\S+)", bb_text)
check(bool(pipes) and all(re.fullmatch(r"docker://ghcr\.io/storeconnect/storeconnect-triggers:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", p) for p in pipes),
      "every pipe is pinned by digest")
bb = yaml.load(bb_text)
main = bb["pipelines"]["branches"]["main"]
step_groups = [next(iter(item.values())).get("concurrency-group") for item in main]
check(len(step_groups) >= 2 and len(set(step_groups)) == 1 and None not in step_groups,
      f"the final step has the guarded step's concurrency-group ({step_groups})")
check(any("final" in item for item in main), "a final step verifies")
custom = [s["step"].get("concurrency-group") for p in bb["pipelines"].get("custom", {}).values() for s in p]
check(custom and set(custom) == set(step_groups), "the check step has the same concurrency-group")
check("deployment:" not in code(bb_text), "no deployment (Deployment variables are empty in final and check steps)")
check("Repository variables" in bb_text and "NOT Deployment" in bb_text, "the secrets are repository or workspace variables, and it says why")
pipe = yaml.load(open("pipe.yml"))
command = next(v for v in pipe["variables"] if v["name"] == "STORECONNECT_COMMAND")
check(re.search(r"\bcheck\b", command["description"]) is not None, "pipe.yml lists `check` among the STORECONNECT_COMMAND values")
check(re.search(r"`STORECONNECT_COMMAND` names the command: `status`, `check`", readme) is not None,
      "docs/ci/README.md lists `check` among the STORECONNECT_COMMAND values")

# --- Jenkins ----------------------------------------------------------------------------------
print("Jenkins")
jf = code(read("docs/ci/Jenkinsfile"))
top_options = jf.split("\n    options {", 1)[1].split("\n    }", 1)[0] if "\n    options {" in jf else ""
check("timeout" not in top_options, "no pipeline-level timeout (it also wraps post and kills a slow restore)")
work = re.search(r"stage\('[^']*'\) \{\n\s+options \{\n\s+timeout\([^)]*\)\n\s+\}\n\s+steps \{\n\s+sh 'storeconnect-triggers run -- ", jf)
check(work is not None, "the timeout sits on the work stage")
post = jf.split("\n    post {", 1)[1] if "\n    post {" in jf else ""
check(re.search(r"always \{\s*script \{\s*def (\w+) = sh\(script: 'storeconnect-triggers enable', returnStatus: true\)\s*if \(\1 != 0\) \{\s*mail\(", post) is not None
      and "error(" in post, "post { always } enables, and mails and fails when that fails")

# --- Azure ------------------------------------------------------------------------------------
print("Azure")
az_text = read("docs/ci/azure-pipelines.yml")
az = yaml.load(az_text)
secrets = re.findall(r"^\s+STORECONNECT_\w+: \$\(([^)]+)\)$", code(az_text), re.M)
check(bool(secrets) and all(re.fullmatch(r"[A-Za-z0-9-]+", r) for r in secrets), f"secrets mapped from Key Vault-valid names ({sorted(set(secrets))})")
jobs = az.get("jobs") or []
check(bool(jobs) and all("deployment" in j and j.get("environment") for j in jobs), "a deployment job on an environment (for its exclusive lock)")
check(az.get("lockBehavior") == "sequential", "lockBehavior: sequential (queued runs wait instead of being cancelled)")
check("Exclusive lock" in az_text, "it says to add the Exclusive lock check")

# --- CircleCI ---------------------------------------------------------------------------------
print("CircleCI")
cc = yaml.load(read("docs/ci/circleci-config.yml"))
wf_jobs = [next(iter(j.values())) for w in cc["workflows"].values() if isinstance(w, dict) for j in w.get("jobs", []) if isinstance(j, dict)]
groups = {j.get("serial-group") for j in wf_jobs}
check(len(groups) == 1 and None not in groups, f"every job has the same serial-group ({groups})")
runs = [s["run"] for s in cc["jobs"]["package-upgrade"]["steps"] if isinstance(s, dict) and "run" in s]
work_steps = [r for r in runs if "storeconnect-triggers run --" in r.get("command", "")]
check(bool(work_steps) and all(minutes(r.get("no_output_timeout", "10m")) > 10 for r in work_steps),
      "no_output_timeout above the 10-minute default on the work step")

# --- docs -------------------------------------------------------------------------------------
print("docs")
check(re.search(r"^## A restore that fails after a cancel", readme, re.M) is not None, "docs/ci/README.md: how a restore that fails after a cancel is made visible")

print()
if bad:
    print(f"{len(bad)} propert{'y' if len(bad) == 1 else 'ies'} not held")
    sys.exit(1)
print("every property holds")
