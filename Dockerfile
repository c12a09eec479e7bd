# One image for every threadcast process; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
ENV TURBO_TELEMETRY_DISABLED=1 NODE_ENV=production
RUN npm install --global pnpm@12.4.2
WORKDIR /app
COPY . .
# The server and the worker are bundled into plain JS (apps/*/dist/main.js: no tsx at run time); the web app is
# built into apps/web/dist, which the server serves.
RUN pnpm install --frozen-lockfile \
  && pnpm exec turbo run build --filter=@threadcast/server --filter=@threadcast/worker --filter=@threadcast/web
EXPOSE 3000
# Node itself is the container's main process, so `docker stop`'s SIGTERM reaches the server and it drains
# (pnpm would exit at once and leave the server to be killed).
WORKDIR /app/apps/server
CMD ["node", "--enable-source-maps", "dist/main.js"]
