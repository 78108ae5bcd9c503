# LoopLab: a self-hosted image. Build: docker build -t looplab .
# Run against Discord:   docker run --rm -e DISCORD_TOKEN=... -e GUILD_ID=... looplab
# Run the sandbox demo:  docker run --rm -p 127.0.0.1:8080:8080 -e SANDBOX_HOST=0.0.0.0 -e SANDBOX_PORT=8080 looplab
FROM node:24-slim

# Charts are rendered with resvg, which needs a font: the slim image has none.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production LOG_FORMAT=json
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY commands ./commands

USER node
CMD ["npm", "start"]
