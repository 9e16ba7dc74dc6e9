# Herald image: `docker build -t herald .`, then `docker run -p 8080:8080 -v herald-data:/data herald`.
# Not tested: no Docker engine was available where this file was written, so it has never been built.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The prepare script builds dist/ from the sources, so install once everything is in place.
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
# Herald listens on loopback by default, which is unreachable from outside a container.
ENV NODE_ENV=production \
    HERALD_HOST=0.0.0.0 \
    HERALD_DATABASE=/data/herald.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The SQLite database and the keys generated beside it (admin-key, encryption-key) live here.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
