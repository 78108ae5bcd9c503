# LoopLab, self-hosted. README "Self-hosting" has the whole story; compose.yaml runs it for you.
#   docker build -t looplab .
#   docker run -d --name looplab --env-file .env -v looplab-data:/data -p 127.0.0.1:9464:9464 looplab
#   docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:9464:9464 looplab     # no token: the sandbox
#
# node:24-slim: Node 24 is an LTS line (maintenance until 2028-04-30) and the one CI tests besides 20.

# --- build: every dependency, the native better-sqlite3, TypeScript → dist/ ----------------------------
FROM node:24-slim AS build
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded: it needs python3,
# make, g++ and Node's headers, which the official image ships in /usr/local/include/node.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The @looplab/doctor workspace: npm ci links it and builds it (its prepare script: tsc → dist/).
COPY packages/doctor/ packages/doctor/
# node-gyp takes its options from npm_package_config_node_gyp_* (npm 11 warns about unknown npm_config_*).
RUN npm_package_config_node_gyp_nodedir=/usr/local npm ci --no-audit --no-fund --no-update-notifier
# .dockerignore lets in only the sources: package*.json, tsconfig*.json, src/ and commands/.
COPY . .
# Compile, then drop the development dependencies (tsx, esbuild, pino-pretty, vitest…), the sources
# and what the native build left behind: the runtime stage copies /app as it is, never builds twice.
RUN npm run build --no-update-notifier \
  && npm prune --omit=dev --no-audit --no-fund --no-update-notifier \
  && rm -rf src commands tsconfig.json tsconfig.build.json packages/doctor/src packages/doctor/tsconfig.json \
     node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
     node_modules/better-sqlite3/build/Release/obj.target node_modules/better-sqlite3/build/Release/.deps

# --- runtime: production dependencies and dist/ only ---------------------------------------------
FROM node:24-slim
# The charts' font. resvg's system-font lookup needs /etc/fonts/fonts.conf, which fonts-dejavu-core
# does not bring: the files are passed to resvg by name (LOOPLAB_FONT_FILE) instead.
# /data holds the classroom settings (SQLite), owned by the bot's user; /app/data points there too,
# so a DATA_DIR=./data from an --env-file written for running without Docker lands on the volume.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data /app \
  && chown node:node /data \
  && ln -s /data /app/data
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    DATA_DIR=/data \
    LOOPLAB_FONT_FILE=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
    LOOPLAB_SYSTEM_FONTS=off \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=build /app ./
VOLUME ["/data"]
USER node
# 8080: the sandbox (only without DISCORD_TOKEN); 9464: GET /healthz and GET /metrics.
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/src/telemetry/healthcheck.js"]
# node itself is PID 1 (exec form, no npm or shell in between): `docker stop`'s SIGTERM reaches the
# bot, which finishes what is in flight and exits 0 within 10 s (Docker's default grace).
CMD ["node", "--enable-source-maps", "dist/main.js"]
