# syntax=docker/dockerfile:1
# Every CoffeeBuddy image, one target per deployable (the GitHub workflow builds each):
#
#   docker build --target slack-gateway -t coffeebuddy-slack-gateway .
#   targets: slack-gateway, runs-service, orders-service, admin-service, reminder-worker, slack-emulator, provision
#
# The build stage installs the workspace from the lockfile and bundles every deployable
# (scripts/bundle.mjs: one CommonJS file with all dependencies inlined, Prisma included). A
# runtime image is Node's slim image, tini as PID 1 (signals reach Node, zombies are reaped), a
# readiness HEALTHCHECK, the bundle and nothing else: no node_modules, no package manager use, no build tools, no secrets.
# It runs as the image's unprivileged `node` user (uid 1000, numeric so Kubernetes'
# runAsNonRoot can check it), with NODE_ENV=production; its files belong to root, so a
# read-only root file system changes nothing.
ARG NODE_VERSION=24.22.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
ENV CI=true npm_config_store_dir=/pnpm/store
# pnpm as pinned by package.json's packageManager (corepack checks its sha512).
RUN corepack enable
# Dependencies first, from the lockfile alone, so source changes reuse this layer.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches/ patches/
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --frozen-lockfile
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --offline
RUN pnpm turbo run build --output-logs=errors-only

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG TINI_VERSION=0.19.0-1+b3
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini="${TINI_VERSION}" \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
USER 1000:1000
# No --enable-source-maps: it costs ~100 MB of RSS (scripts/bundle.mjs); set it in NODE_OPTIONS to debug.
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
# Readiness on the port the target's environment names: PORT (the gateway), OPS_PORT (a worker),
# SLACK_EMULATOR_PORT (the emulator, whose path is HEALTHCHECK_PATH).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env;fetch('http://127.0.0.1:'+(e.PORT||e.OPS_PORT||e.SLACK_EMULATOR_PORT)+(e.HEALTHCHECK_PATH||'/readyz')).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

FROM runtime AS slack-gateway
COPY --from=build /src/apps/slack-gateway/dist/ ./
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["server.js"]

FROM runtime AS runs-service
COPY --from=build /src/apps/runs-service/dist/ ./
ENV OPS_HOST=0.0.0.0 OPS_PORT=9464
EXPOSE 9464
CMD ["server.js"]

FROM runtime AS orders-service
COPY --from=build /src/apps/orders-service/dist/ ./
ENV OPS_HOST=0.0.0.0 OPS_PORT=9464
EXPOSE 9464
CMD ["server.js"]

FROM runtime AS admin-service
COPY --from=build /src/apps/admin-service/dist/ ./
ENV OPS_HOST=0.0.0.0 OPS_PORT=9464
EXPOSE 9464
CMD ["server.js"]

FROM runtime AS reminder-worker
COPY --from=build /src/apps/reminder-worker/dist/ ./
ENV OPS_HOST=0.0.0.0 OPS_PORT=9464
EXPOSE 9464
CMD ["server.js"]

# The local Slack: for docker-compose and test clusters, never for production traffic.
FROM runtime AS slack-emulator
COPY --from=build /src/packages/slack-emulator/dist/ ./
# The workspace page: the bundle serves it from ../web/dist beside itself.
COPY --from=build /src/packages/slack-emulator/web/dist/ /web/dist/
ENV SLACK_EMULATOR_HOST=0.0.0.0 SLACK_EMULATOR_PORT=3999 HEALTHCHECK_PATH=/_emulator/calls
EXPOSE 3999
CMD ["server.js"]

# The one-shot provisioning job: `provision.js [migrate] [topics] [acls] [schemas]`.
FROM runtime AS provision
COPY --from=build /src/packages/provision/dist/ ./
HEALTHCHECK NONE
CMD ["provision.js"]
