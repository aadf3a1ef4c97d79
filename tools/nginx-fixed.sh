#!/usr/bin/env bash
# tools/nginx-fixed.sh - a reference HTTP server for benchmarks: Debian's nginx, one worker,
# answering every request with a fixed 200 JSON body and reading nothing from disk.
#
#   tools/nginx-fixed.sh start PORT DIR    start on 127.0.0.1:PORT, state and logs in DIR
#   tools/nginx-fixed.sh stop DIR          stop it (waits until it is gone)
#
# Benchmarks compare bidgate and bidload against it in the same run: the best a generic
# event-driven server does on this machine for a request that needs no work. Optional
# CPU=N pins the worker to core N (worker_cpu_affinity). Needs nginx-light (tools/deps.sh).
set -euo pipefail

cmd=${1:?usage: nginx-fixed.sh start PORT DIR | stop DIR}
case $cmd in
start)
  port=${2:?port} dir=${3:?dir}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  affinity=""
  if [ -n "${CPU:-}" ]; then
    mask=1
    for ((i = 0; i < CPU; i++)); do mask="${mask}0"; done
    affinity="worker_cpu_affinity $mask;"
  fi
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
$affinity
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_max_body_size 1m;
  client_body_buffer_size 64k;
  default_type application/json;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 '{"id":"1","model":"fixed","imp":[]}\n'; }
  }
}
CONF
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf"
  for _ in $(seq 50); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/"; then exit 0; fi
    sleep 0.1
  done
  echo "nginx-fixed.sh: nginx did not answer on port $port (see $dir/error.log)" >&2
  exit 1
  ;;
stop)
  dir=${2:?dir}
  [ -f "$dir/nginx.pid" ] || exit 0
  pid=$(cat "$dir/nginx.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  ;;
*)
  echo "usage: nginx-fixed.sh start PORT DIR | stop DIR" >&2
  exit 2
  ;;
esac
