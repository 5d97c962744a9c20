#!/usr/bin/env bash
# Smoke test for the influxd built by build.sh: start it on loopback with a
# throwaway data dir, onboard (user/org/bucket/token), write one point with line
# protocol, read it back with Flux, print resident memory, stop it.
#
# Usage: infra/influxdb/smoke.sh [path/to/influxd]   (default: output of build.sh)
# Env:   PORT (default: a free loopback port), EXTRA (extra influxd flags),
#        PY (a python with influxdb-client installed: also test through it)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
B="${1:-$("$here/build.sh" | tail -n1)}"
PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
if curl -s -o /dev/null "http://127.0.0.1:$PORT/health"; then echo "port $PORT is already in use" >&2; exit 1; fi
URL="http://127.0.0.1:$PORT"
TOKEN=xi-smoke-token
D="$(mktemp -d "${TMPDIR:-/tmp}/influxd-smoke.XXXXXX")"
# influxd reads config.{toml,yaml,yml,json} from its working directory unless
# INFLUXD_CONFIG_PATH is set: run it from the empty temp dir.
cd "$D"
# shellcheck disable=SC2086
"$B" --bolt-path "$D/influxd.bolt" --engine-path "$D/engine" --sqlite-path "$D/influxd.sqlite" \
  --http-bind-address "127.0.0.1:$PORT" --reporting-disabled --log-level warn ${EXTRA:-} \
  >"$D/log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$D"' EXIT

for _ in $(seq 1 300); do
  curl -sf "$URL/health" >/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$D/log"; echo "influxd exited" >&2; exit 1; }
  sleep 0.1
done
kill -0 "$PID" 2>/dev/null || { cat "$D/log"; echo "influxd exited" >&2; exit 1; }
echo "health: $(curl -sf "$URL/health")"
sleep 2
echo "RSS idle: $(awk '/VmRSS/{print $2, $3}' "/proc/$PID/status")"

curl -sf -X POST "$URL/api/v2/setup" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"admin-password-123\",\"org\":\"xi\",\"bucket\":\"test\",\"token\":\"$TOKEN\"}" \
  -o "$D/setup.json" -w 'setup: HTTP %{http_code}\n'
curl -sf -X POST "$URL/api/v2/write?org=xi&bucket=test&precision=s" \
  -H "Authorization: Token $TOKEN" -H 'Content-Type: text/plain; charset=utf-8' \
  --data-binary "cpu,host=a usage=42.5 $(date +%s)" -w 'write: HTTP %{http_code}\n'
out="$(curl -sf -X POST "$URL/api/v2/query?org=xi" \
  -H "Authorization: Token $TOKEN" -H 'Content-Type: application/vnd.flux' -H 'Accept: application/csv' \
  --data 'from(bucket:"test") |> range(start:-1h) |> filter(fn:(r) => r._measurement == "cpu")')"
echo "query:"; echo "$out"
grep -q ',42.5,usage,cpu,a' <<<"$out" || { echo "FAIL: point not read back" >&2; exit 1; }

if [[ -n "${PY:-}" ]]; then
  URL="$URL" TOKEN="$TOKEN" "$PY" - <<'PY'
import os
from influxdb_client import InfluxDBClient, Point
from influxdb_client.client.write_api import SYNCHRONOUS
with InfluxDBClient(url=os.environ["URL"], token=os.environ["TOKEN"], org="xi") as c:
    c.write_api(write_options=SYNCHRONOUS).write("test", record=Point("mem").tag("host", "b").field("used", 7.0))
    q = 'from(bucket:"test") |> range(start:-1h) |> filter(fn:(r) => r._measurement == "mem")'
    rows = [(r.get_measurement(), r.get_field(), r.get_value()) for t in c.query_api().query(q) for r in t.records]
    print("python influxdb-client:", rows)
    assert rows == [("mem", "used", 7.0)], rows
PY
fi
echo "RSS after write+query: $(awk '/VmRSS/{print $2, $3}' "/proc/$PID/status")"
if [[ -s "$D/log" ]]; then echo "--- server log (warn and above)"; cat "$D/log"; fi
echo "SMOKE OK"
