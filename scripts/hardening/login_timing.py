"""Times logins with an unknown email against logins with a wrong password.

Usage: login_timing.py BASE_URL SAMPLES PASSWORD (run by login-timing.sh). Standard library
only. Exit status 1 when the medians differ by more than 10%.
"""

import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

LIMIT = 0.10


def main() -> int:
    base, samples, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def post(path: str, body: dict) -> tuple[int, float]:
        data = json.dumps(body)
        headers = {"Content-Type": "application/json"}
        start = time.perf_counter()
        conn.request("POST", path, body=data, headers=headers)
        res = conn.getresponse()
        res.read()
        return res.status, time.perf_counter() - start

    known = "timing@example.com"
    status, _ = post("/api/v1/auth/register", {"email": known, "password": password})
    assert status == 201, f"register answered {status}"
    kinds = {
        "unknown email": {"email": "nobody-here@example.com", "password": "wrong password!"},
        "wrong password": {"email": known, "password": "wrong password!"},
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for round_ in range(samples + 10):
        order = list(kinds)
        random.shuffle(order)
        for kind in order:
            status, elapsed = post("/api/v1/auth/login", kinds[kind])
            assert status == 401, f"{kind}: login answered {status}"
            if round_ >= 10:  # the first rounds warm caches and connections up
                times[kind].append(elapsed)

    medians = {k: statistics.median(v) for k, v in times.items()}
    for kind, values in times.items():
        q = statistics.quantiles(values, n=10)
        print(
            f"  {kind:15} median {medians[kind] * 1000:7.2f} ms"
            f"   p10 {q[0] * 1000:7.2f} ms   p90 {q[-1] * 1000:7.2f} ms   n={len(values)}"
        )
    slow, fast = max(medians.values()), min(medians.values())
    ratio = medians["wrong password"] / medians["unknown email"]
    verdict = "PASS" if slow / fast - 1 <= LIMIT else "FAIL"
    print(f"  ratio wrong/unknown {ratio:.3f} (limit: within {LIMIT:.0%}) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
