#!/bin/sh
# nginx in front of gunicorn, in the foreground (for systemd, a supervisor or a test):
#   NGINX_LISTEN=0.0.0.0:80 NGINX_UPSTREAM=127.0.0.1:8001 deploy/nginx.sh
# NGINX_LISTEN    where clients connect                  (default 0.0.0.0:8000)
# NGINX_UPSTREAM  gunicorn's --bind: host:port or unix:/path.sock (default 127.0.0.1:8001)
# NGINX_RUN_DIR   nginx's config, pid and temporary files (default var/nginx)
# MAX_REQUEST_BODY_BYTES  the service's body limit (default 1048576); nginx lets twice
#                 that through, so the service answers and logs a body somewhat too large
# Further arguments go to nginx (e.g. -t to check the configuration).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
listen=${NGINX_LISTEN:-0.0.0.0:8000}
upstream=${NGINX_UPSTREAM:-127.0.0.1:8001}
run_dir=${NGINX_RUN_DIR:-$here/../var/nginx}
max_body=${MAX_REQUEST_BODY_BYTES:-1048576}
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
sed -e "s|@LISTEN@|$listen|g" -e "s|@UPSTREAM@|$upstream|g" \
    -e "s|@RUN_DIR@|$run_dir|g" -e "s|@MAX_BODY@|$max_body|g" \
    -e "s|@PROXY_MAX_BODY@|$((max_body * 2))|g" \
    "$here/nginx.conf" > "$run_dir/nginx.conf"
exec "$nginx" -p "$run_dir" -c "$run_dir/nginx.conf" -e stderr -g 'daemon off;' "$@"
