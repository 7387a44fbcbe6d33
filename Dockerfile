# rasid in a container: the daemon with the shipped configuration, state in the /var/lib/rasid volume.
#   docker build -t rasid .
#   docker run --rm rasid --version
#   docker run -d --name rasid -v rasid-state:/var/lib/rasid --env-file deploy/rasid.env rasid
# For PostgreSQL, Redis and scale-out workers see compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASID_CONFIG=/etc/rasid/rasid.toml RASID_STATE_DIR=/var/lib/rasid

WORKDIR /opt/rasid
COPY pyproject.toml constraints.txt README.md ./
COPY rasid ./rasid
COPY config ./config
# rasid/data links config/ (watchlists, the configuration template): the wheel carries real copies.
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --home-dir /var/lib/rasid --create-home rasid \
    && rasid init /etc/rasid \
    && sed -i 's|^url = "sqlite:///${RASID_STATE_DIR:-state}/rasid.db"|url = "${RASID_DATABASE_URL:-sqlite:////var/lib/rasid/rasid.db}"|' /etc/rasid/rasid.toml \
    && printf '\n[scale]\nredis_url = "${RASID_REDIS_URL:-redis://127.0.0.1:6379/0}"\n' >> /etc/rasid/rasid.toml \
    && chown -R rasid:rasid /var/lib/rasid

USER rasid
VOLUME ["/var/lib/rasid"]
# /healthz and /metrics when daemon.http_port is set (e.g. 9109 in /etc/rasid/rasid.toml).
EXPOSE 9109
ENTRYPOINT ["rasid", "--log-format", "json"]
CMD ["run"]
