# One image for the Sealbox server and the Kubernetes operator: `sealbox server ...` by default,
# `sealbox operator ...` as the operator's Deployment runs it. Non-root (100:1000, the user the
# operator's manifests and pod security contexts name) and fine on a read-only root filesystem.
#
# Here no image registry is reachable: scripts/image/build.sh makes the base with debootstrap and
# passes it as BASE. Elsewhere: podman build --build-arg BASE=debian:bookworm-slim .
# The build stages fetch packages from Debian and npm, so they need the network.

ARG BASE=debian:bookworm-slim

# --- toolchain: Node 24 and npm 11, taken from the npm registry by npm itself --------------------
# Debian's nodejs (18) and npm (9) only bootstrap: the runtime is the official Node build that the
# project pins (the `node` devDependency), and npm 11 matches the one that wrote package-lock.json.
FROM ${BASE} AS toolchain
ARG NODE_VERSION=24.21.0
ARG NPM_VERSION=11.19.1
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm binutils >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tmp/pack
# The optional secret `ca-bundle` is a CA bundle for npm, for a build behind a TLS-intercepting
# proxy; as a secret it stays out of the layers. The official Node binary carries debug info:
# stripping it saves about 18 MB of the image.
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export npm_config_cafile=/run/secrets/ca-bundle; fi \
 && case "$(dpkg --print-architecture)" in \
      amd64) arch=x64 ;; arm64) arch=arm64 ;; ppc64el) arch=ppc64le ;; s390x) arch=s390x ;; \
      *) echo "no Node build for $(dpkg --print-architecture)" >&2; exit 1 ;; \
    esac \
 && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null \
 && mkdir -p /opt/node/bin /opt/npm \
 && tar -xzf node-linux-*.tgz -C /tmp/pack package/bin/node \
 && mv package/bin/node /opt/node/bin/node \
 && tar -xzf npm-*.tgz -C /opt/npm --strip-components=1 \
 && strip /opt/node/bin/node \
 && /opt/node/bin/node --version \
 && rm -rf /tmp/pack /root/.npm

# --- deps: production dependencies only; cached until package.json or the lock file changes ----
FROM toolchain AS deps
ENV PATH=/opt/node/bin:$PATH
WORKDIR /opt/sealbox
COPY package.json package-lock.json ./
# No install scripts: none of the production dependencies needs one to work (protobufjs' only
# checks its CLI's versions), and a build should not run code from the registry. TypeScript files
# (declarations, and sources Node will not load from node_modules), source maps and docs are half
# of node_modules and never loaded at run time.
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export npm_config_cafile=/run/secrets/ca-bundle; fi \
 && node /opt/npm/bin/npm-cli.js ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \
      -o \( -iname '*.md' -not -iname 'licen?e*' \) \) -delete \
 && rm -rf /root/.npm

# --- ui: the web UI, built by Vite with the dev dependencies; only its output goes into the image --
FROM toolchain AS ui
ENV PATH=/opt/node/bin:$PATH
WORKDIR /opt/sealbox
COPY package.json package-lock.json ./
# No install scripts here either (the project's own prepare would build before the sources are
# copied); the build runs explicitly below.
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export npm_config_cafile=/run/secrets/ca-bundle; fi \
 && node /opt/npm/bin/npm-cli.js ci --ignore-scripts --no-audit --no-fund --loglevel=error \
 && rm -rf /root/.npm
COPY ui ui
RUN node node_modules/vite/bin/vite.js build --config ui/vite.config.ts \
 && test -s ui/dist/index.html

# --- the image -----------------------------------------------------------------------------------
FROM ${BASE}
ARG VERSION=0.0.0-dev
# org.opencontainers.image.source is added by the build (build.sh: the git remote, when there is one).
LABEL org.opencontainers.image.title="sealbox" \
      org.opencontainers.image.description="A secrets server that speaks Vault's HTTP API, and a Kubernetes operator that runs it on etcd" \
      org.opencontainers.image.licenses="MPL-2.0" \
      org.opencontainers.image.version="${VERSION}"

# A fixed numeric user, so that runAsUser/runAsGroup and runAsNonRoot can be checked against it.
# /sealbox is its only writable place, for the default config's file storage (/sealbox/data).
RUN groupadd --gid 1000 sealbox \
 && useradd --system --uid 100 --gid 1000 --no-create-home --no-log-init --home-dir /sealbox --shell /usr/sbin/nologin sealbox \
 && mkdir /sealbox && chown 100:1000 /sealbox && chmod 0700 /sealbox

# On PATH as `node`: the operator's pods run `node -e` scripts on this image (config rendering and
# the audit socket sidecar). The application files stay root-owned, so the server cannot alter them.
COPY --from=toolchain /opt/node/bin/node /usr/local/bin/node
COPY --from=deps /opt/sealbox/node_modules /opt/sealbox/node_modules
COPY package.json /opt/sealbox/package.json
COPY src /opt/sealbox/src
# Served at /ui when the config says ui = true (src/server/main.ts finds it beside src/).
COPY --from=ui /opt/sealbox/ui/dist /opt/sealbox/ui/dist
COPY scripts/image/server.hcl /etc/sealbox/server.hcl

USER 100:1000
WORKDIR /sealbox
VOLUME /sealbox
# 8200 the API, 8201 the cluster address of HA standbys.
EXPOSE 8200 8201
ENTRYPOINT ["node", "/opt/sealbox/src/cli/main.ts"]
CMD ["server", "-config", "/etc/sealbox/server.hcl"]
