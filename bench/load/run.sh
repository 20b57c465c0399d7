#!/usr/bin/env bash
# Load test of the timeline API: gunicorn (deploy/gunicorn.conf.py, production settings) on
# 127.0.0.1:8800 over the HSG records in database bench_ops, 200 locust readers for 60 s.
#   createdb -h 127.0.0.1 -U postgres bench_ops
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ops .venv/bin/python manage.py migrate
#   ... manage.py load_places && manage.py import_hsg
#   bash bench/load/run.sh [users] [seconds]
# Every reader has the same right-most X-Forwarded-For address, so the API's per-client throttles
# count them as one: raise both (API_THROTTLE_ANON and API_THROTTLE_USER, e.g. 100000/min) to measure
# the read path. LOAD_WITHOUT_CSV=1 leaves the whole-list CSV streams out of the mix;
# TIMELINE_CACHE_SECONDS=0 turns the timeline cache off.
# Loopback only; gunicorn is stopped at the end. Results: var/load/result_stats.csv and the summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-200}
seconds=${2:-60}
port=${LOAD_PORT:-8800}
out=var/load
mkdir -p "$out"
export TRACKER_PRODUCTION=1 DJANGO_SECRET_KEY="load-$(head -c 32 /dev/urandom | base64)" DJANGO_ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_ops}
export CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/7}
export CELERY_BROKER_URL=${LOAD_BROKER_URL:-redis://127.0.0.1:6379/7}
export DJANGO_NUM_PROXIES=1 GUNICORN_BIND=127.0.0.1:$port LOG_LEVEL=WARNING
.venv/bin/gunicorn tracker.wsgi:application --config deploy/gunicorn.conf.py --access-logfile /dev/null \
  >"$out/gunicorn.log" 2>&1 &
web=$!
trap 'kill -TERM $web 2>/dev/null || true; wait $web 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "workers: $(pgrep -P $web | wc -l), threads each: ${GUNICORN_THREADS:-4}"
.venv/bin/locust -f bench/load/locustfile.py --headless -u "$users" -r 50 -t "${seconds}s" \
  --host "http://127.0.0.1:$port" --csv "$out/result" --only-summary --stop-timeout 10 2>&1 | tee "$out/summary.txt"
