"""Markdown of bench/reads.py's figures, written between two markers of BENCHMARKS.md (the rest is prose)."""
import datetime as dt
import math
import os

from bench.reads_sql import CATEGORIES_API, CATEGORIES_FULL, STATS_API, STATS_FULL

BEGIN = "<!-- bench/reads.py: begin (generated, do not edit by hand) -->"
END = "<!-- bench/reads.py: end -->"


def pct(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def ms(value):
    """A duration for a table."""
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def times(ratio):
    """A ratio: one decimal below 10."""
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


def latency_row(name, figures):
    """| name | n | p50 | p95 | p99 | app p50 |."""
    http, app = figures["http"], figures["app"]
    return (f"| {name} | {len(http)} | {ms(pct(http, .5))} | {ms(pct(http, .95))} | {ms(pct(http, .99))} "
            f"| {ms(pct(app, .5))} |")


def _http(h, deep):
    p50 = {k: pct(v["http"], .5) for k, v in h.items() if isinstance(v, dict) and "http" in v}
    lines = ["### Over HTTP", "",
             "gunicorn `wsgi:app`, 2 workers (gthread, 4 threads each), SCHEDULER_ENABLED=false; one keep-alive "
             "client sending requests one after another; `app` is the app's own `Server-Timing`.", "",
             "| request | n | p50 | p95 | p99 | app p50 |", "|---|---|---|---|---|---|",
             latency_row("stats uncached (X-Cache: MISS, value deleted before each)", h["stats_uncached"]),
             latency_row("stats cached (X-Cache: HIT)", h["stats_cached"]),
             latency_row("categories uncached (MISS)", h["categories_uncached"]),
             latency_row("categories cached (HIT)", h["categories_cached"]),
             latency_row("messages page 1 (50 rows)", h["page_1"]),
             latency_row(f"messages page {deep:,} (50 rows, keyset cursor)", h["page_deep"]), "",
             f"- stats: uncached / cached p50 = **{p50['stats_uncached'] / p50['stats_cached']:.0f}x**",
             f"- categories: uncached / cached p50 = {p50['categories_uncached'] / p50['categories_cached']:.0f}x",
             f"- messages: page {deep:,} / page 1 p50 = **{p50['page_deep'] / p50['page_1']:.2f}x**",
             f"- 200-row messages page: {h['gzip']['plain']:,} bytes plain, {h['gzip']['gzip']:,} bytes with "
             f"`Accept-Encoding: gzip` (Content-Encoding: {h['gzip']['encoding']}): "
             f"**{h['gzip']['plain'] / h['gzip']['gzip']:.1f}x smaller**", ""]
    return lines, p50


def _wrk(w):
    return ["### Load: cached stats under wrk", "",
            "`wrk -t2 -c16 -d15s --latency http://127.0.0.1:PORT/api/messages/stats` (wrk runs on the same two "
            "cores as gunicorn, PostgreSQL and Redis):", "",
            f"- **{w['rps']:,.0f} requests/s**, latency p50 {w['p50']}, p99 {w['p99']}", "",
            "```", w["raw"], "```", ""]


def _redis(r):
    lines = ["### Redis commands per request", "",
             "MONITOR on the bench's Redis database, client commands only (a Lua script is one command; "
             "the bench's own UNLINK/PING left out), and INFO commandstats delta (whole server, so it also counts "
             "the commands run inside scripts and other programs' traffic on the shared server).", "",
             "| request | commands (MONITOR) | commandstats delta | which |", "|---|---|---|---|"]
    for name, c in r.items():
        lines.append(f"| {name} | {c['monitor']:.2f} | {c['commandstats']:.2f} | {', '.join(c['commands'])} |")
    return lines + [""]


def _sql(s):
    lines = ["### SQL statements against their baselines", "",
             "The API's statements (built by the services) and the baselines, timed from Python on one "
             "connection to the same data (execution + fetch, no HTTP).", "",
             "| statement | n | p50 | p95 |", "|---|---|---|---|"]
    for name, values in s.items():
        lines.append(f"| {name} | {len(values)} | {ms(pct(values, .5))} | {ms(pct(values, .95))} |")
    lines.append("")
    for what, api, full in (("stats", STATS_API, STATS_FULL), ("categories", CATEGORIES_API, CATEGORIES_FULL)):
        ratio = pct(s[full], .5) / pct(s[api], .5)
        lines.append(f"- {what}: the full count takes **{times(ratio)}** the maintained counts' time (p50)")
    return lines + [""]


def _targets(p50, h, deep, data):
    cached, uncached = p50["stats_cached"], p50["stats_uncached"]
    categories = p50["categories_uncached"]
    depth = p50["page_deep"] / p50["page_1"]
    ratio = h["gzip"]["plain"] / h["gzip"]["gzip"]
    rows = [("cached stats p50 over HTTP < 2 ms", ms(cached), cached < 2),
            (f"uncached stats < 5 ms at {data['messages']:,} messages (p50 over HTTP)", ms(uncached), uncached < 5),
            (f"uncached category list < 3 ms at {data['contacts']:,} contacts (p50 over HTTP)", ms(categories),
             categories < 3),
            (f"page {deep:,} within 1.5x page 1 (p50 over HTTP)", f"{depth:.2f}x", depth <= 1.5),
            ("gzip >= 5x smaller on a 200-row page", f"{ratio:.1f}x", ratio >= 5)]
    return ["### Targets", "", "| target | measured | |", "|---|---|---|"] + [
        f"| {t} | {v} | {'met' if ok else '**missed**'} |" for t, v, ok in rows] + [""]


def _indexes(evidence):
    lines = ["### Indexes: EXPLAIN (ANALYZE, BUFFERS) with and without each", "",
             "Each statement explained as the API sends it, then again in a transaction that drops the index "
             "(rolled back). Costs removed from the excerpts; actual times kept. EXPLAIN ANALYZE times every "
             "row, which inflates statements that read a million index entries (the stats): the SQL table above "
             "has their real times.", ""]
    for e in evidence:
        lines += [f"#### `{e['index']}`: {e['purpose']}", "",
                  f"`{e['request']}`: **{e['with_ms']:.2f} ms** with the index, {e['without_ms']:.2f} ms without "
                  f"({times(e['without_ms'] / max(e['with_ms'], 0.001))}).", "", "With:", "```", *e["with"], "```",
                  "Without:", "```", *e["without"], "```", ""]
    return lines


def render(results):
    """The generated section."""
    m, counts = results["machine"], results["machine"]["counts"]
    lines = [BEGIN, "", f"## Figures (`python -m bench.reads`, {dt.date.today().isoformat()}, "
             f"{results['duration_s']} s in all)", "",
             "Data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".", "",
             f"Machine: {m['nproc']} vCPUs **shared with other engineers' test runs** (load average "
             f"{' '.join(m['load_before'])} before the HTTP measurements, {' '.join(m['load'])} after), "
             f"{m['ram_gb']} GB RAM; PostgreSQL {m['version']} ({', '.join(m['settings'])}); Redis {m['redis']}; "
             f"Python {m['python']}. Sizes: {', '.join(m['sizes'])}.", ""]
    if results["seed"]:
        s = results["seed"]
        lines += [f"Seed: `{s['command']}`: **{s['wall_s']} s** wall clock for the whole command "
                  f"(`{s['output']}`).", ""]
    http_lines, p50 = _http(results["http"], results["deep_page"])
    lines += _targets(p50, results["http"], results["deep_page"], results["data"]) + http_lines + _wrk(results["wrk"])
    lines += _redis(results["redis"]) + _sql(results["sql"]) + _indexes(results["indexes"]) + [END]
    return "\n".join(lines) + "\n"


def write(path, section):
    """Replace the generated section of `path` (append it when the file has none)."""
    current = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section
    with open(path, "w") as out:
        out.write(current)
