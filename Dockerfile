# syntax=docker/dockerfile:1
# Marquee: build on the current Node LTS, run with production dependencies only, as a non-root user.
# .ci/image-smoke repeats these steps outside Docker on every CI run.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional too: npm keeps a devDependency that a production package names as an optional peer
# (typescript for i18next, @types/pg for drizzle-orm) unless optional ones are omitted; the only
# optional runtime package, pg-cloudflare, is for Cloudflare Workers.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
# glibc's malloc gives memory back to the system (README, "Memory"); npm start sets the same.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_MMAP_THRESHOLD_=16384 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY drizzle ./drizzle
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node runs as PID 1 directly (no npm, no shell) so SIGTERM reaches it and shutdown is graceful.
# The heap flags are npm start's (README, "Memory"); test/deploy/node-flags.test.ts keeps them equal.
CMD ["node", "--max-old-space-size=512", "--max-semi-space-size=2", "dist/main.js"]
