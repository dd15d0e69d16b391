# riohub's container image: the compiled release (`pnpm release`) run by plain node, as a
# non-root user under an init process, with its data in the volume /data.
#
#   docker build -t riohub .
#   docker run -d -p 127.0.0.1:8443:8080 -v riohub-data:/data riohub --tls
#
# The image runs the hub (`riohub`); `riohub-sim` (the simulator) is in it too, as the command
# `riohub-sim` (docker-compose.yml runs both). Build arguments choose the images: BASE_IMAGE runs
# the release, BUILD_IMAGE builds it (it needs pnpm's registry and, where better-sqlite3 has no
# prebuilt binary, python3, make and g++ to compile it; node:*-bookworm has them, -slim has not).
ARG BUILD_IMAGE=node:22-bookworm
ARG BASE_IMAGE=node:22-bookworm-slim

FROM ${BUILD_IMAGE} AS build
ARG PNPM_VERSION=10.34.9
RUN npm install --global --no-audit --no-fund pnpm@${PNPM_VERSION}
WORKDIR /src
# The manifests first: the install layer is reused while they do not change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/hub/package.json apps/hub/
COPY apps/sim/package.json apps/sim/
COPY apps/web/package.json apps/web/
COPY e2e/package.json e2e/
COPY packages/certificate/package.json packages/certificate/
COPY packages/cli/package.json packages/cli/
COPY packages/hub-api/package.json packages/hub-api/
COPY packages/protocol/package.json packages/protocol/
COPY packages/rio-server/package.json packages/rio-server/
COPY packages/sim-launcher/package.json packages/sim-launcher/
COPY packages/testkit/package.json packages/testkit/
# Headers for compiling better-sqlite3 come from the node that runs it when it has them.
RUN if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi; \
    pnpm install --frozen-lockfile
COPY . .
RUN pnpm release /opt/riohub

FROM ${BASE_IMAGE}
# tini reaps the simulators the hub starts (--demo) and passes signals on; from Debian unless the
# base image has it.
RUN if ! command -v tini >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*; \
    fi \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home riohub \
 && mkdir -p /data && chown riohub:riohub /data && chmod 0700 /data
COPY --from=build /opt/riohub /opt/riohub
COPY deploy/docker/healthcheck.mjs /opt/riohub/bin/healthcheck.mjs
ENV PATH=/opt/riohub/bin:$PATH \
    NODE_ENV=production \
    RIOHUB_HOST=0.0.0.0 \
    RIOHUB_PORT=8080 \
    RIOHUB_DATA=/data
USER riohub
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/opt/riohub/bin/healthcheck.mjs"]
ENTRYPOINT ["tini", "--"]
CMD ["riohub"]
