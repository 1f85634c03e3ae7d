# syntax=docker/dockerfile:1
# Build stage: the full Node image already has python3, make and g++, which the native SQLite binding needs when
# no prebuilt binary fits the platform, so nothing has to be installed here.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` also runs the `prepare` script, which compiles the TypeScript into dist/; the dev dependencies
# (compiler, test tools) are dropped afterwards so only production modules reach the runtime image.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: the compiled server and its production dependencies on the slim image, run as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production SKLAD_DATA=/data SKLAD_HOST=0.0.0.0 SKLAD_PORT=9000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The volume's mount point must belong to the server's user, or a fresh named volume is not writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 9000
# `sklad healthcheck` reads the same settings as the server (port, TLS), so the check follows any override.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "bin/sklad", "healthcheck"]
# SIGTERM starts a graceful drain; give `docker stop` a --time longer than SKLAD_SHUTDOWN_GRACE_MS (30 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/sklad"]
CMD ["serve"]
