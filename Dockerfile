# Dockhand agent as a container with the host's Docker socket, the way the real agent runs:
#   docker build -t dockhand .
#   docker run -d --name dockhand --restart on-failure --net host \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/ecs/data:/var/lib/ecs/data \
#     --env-file /etc/ecs/ecs.config dockhand
# (--net host keeps the agent's loopback-only listeners on the host's loopback.)
FROM node:24-bookworm-slim
WORKDIR /opt/dockhand
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
ENV ECS_DATADIR=/var/lib/ecs/data
# The image carries a full compile cache (bin/dockhand.js), so the agent never strips TypeScript.
ENV NODE_COMPILE_CACHE=/opt/dockhand/.compile-cache
RUN node --max-semi-space-size=1 --no-opt --no-maglev bin/warm-compile-cache.js
# The agent's Node flags, the same as systemd/dockhand-agent.service's (README, "Memory").
ENTRYPOINT ["node", "--max-semi-space-size=1", "--no-opt", "--no-maglev", "/opt/dockhand/bin/dockhand.js"]
CMD ["agent"]
