# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev toolchain.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app.ts server.ts worker.ts ./
COPY plugins ./plugins
COPY routes ./routes
COPY schemas ./schemas
COPY lib ./lib
COPY sql ./sql
RUN npm run build

# Production dependencies only, installed on the same base so native builds match.
FROM node:22-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The runtime: ffmpeg for transcoding (Alpine's package brings libopus, LAME and the native AAC
# and FLAC encoders), installed before the app so that layer is reused across app changes.
FROM node:22-alpine
RUN apk add --no-cache ffmpeg \
 && mkdir -p /data /media \
 && chown node:node /data
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    MEDIA_PATH=/media \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server.js"]
