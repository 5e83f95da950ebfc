"""Times the console's saved-question page and `renkei query` of the same question (bench/console_speed.sh)."""
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

url, binary, work, month, n, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)
login = urllib.parse.urlencode({"user": "bench", "password": password}).encode()
try:
    opener.open(urllib.request.Request(url + "login", data=login))
    raise SystemExit("login did not redirect")
except urllib.error.HTTPError as e:
    if e.code != 303:
        raise
    cookie = e.headers["Set-Cookie"].split(";")[0]

page = f"{url}questions/facility_use_month?run=1&month={month}"


def fetch():
    with urllib.request.urlopen(urllib.request.Request(page, headers={"Cookie": cookie})) as r:
        body = r.read()
        assert b"<table>" in body, body[:400]


def query():
    subprocess.run([binary, "query", "facility_use_month", "--param", f"month={month}", "--format", "csv"],
                   cwd=work, check=True, capture_output=True)


def timed(f):
    f()  # warm
    out = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p(xs, q):
    return statistics.quantiles(xs, n=100)[q - 1]


web, cli = timed(fetch), timed(query)
print(f"{'':32}{'p50 ms':>10}{'p95 ms':>10}")
print(f"{'console page (HTML)':32}{statistics.median(web):10.1f}{p(web, 95):10.1f}")
print(f"{'renkei query (csv)':32}{statistics.median(cli):10.1f}{p(cli, 95):10.1f}")
print(f"ratio console / query: p50 {statistics.median(web) / statistics.median(cli):.2f}, p95 {p(web, 95) / p(cli, 95):.2f}  ({n} requests each)")
