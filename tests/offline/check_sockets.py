#!/usr/bin/env python3
"""Reads the offline run's traces (tests/offline/traced-app: one `app-<pid>.strace` per app started, with
`app-<pid>.inspector` holding the WEBKIT_INSPECTOR_SERVER address WebKitWebDriver gave that app) and fails
if any of the app's processes created an IPv4 or IPv6 socket that is not the automation channel.

The automation channel, and only it, is allowed: WebKitWebDriver starts the app with
WEBKIT_INSPECTOR_SERVER=127.0.0.1:<port>; the app's UI process then binds and listens on exactly that
address (WebKit's remote inspector server, which WebKitWebDriver connects to), and the UI process and each
WebKitWebProcess connect to exactly that address (their inspector targets). So an AF_INET socket is
automation when its only address call is a bind to that address followed by listen, or a connect to that
address; anything else (another address or port, a UDP socket, any AF_INET6 socket, a socket never bound
or connected) is counted as opened by the app and fails the run. Sockets of other families are listed by
family (AF_UNIX: the app's own IPC and the X server; AF_NETLINK: GLib's network monitor in WebKit's network
process reading the interface list) and allowed: they reach no network.

Prints a summary (and writes it as JSON to the path given with --json).
"""

import argparse
import collections
import glob
import json
import os
import re
import sys

LINE = re.compile(r"^(?P<tid>\d+)(?:<(?P<comm>[^>]*)>)?\s+(?P<call>\w+)\((?P<args>.*)\)\s+=\s+(?P<ret>.*)$")
# With several threads a call may be split: "connect(16<TCP:[…]>, {…}, 16 <unfinished ...>", later
# "<... connect resumed>) = -1 EINPROGRESS".
UNFINISHED = re.compile(r"^(?P<tid>\d+)(?:<(?P<comm>[^>]*)>)?\s+(?P<call>\w+)\((?P<args>.*?)\s*<unfinished \.\.\.>$")
RESUMED = re.compile(r"^(?P<tid>\d+)(?:<(?P<comm>[^>]*)>)?\s+<\.\.\. (?P<call>\w+) resumed>(?P<args>.*)\)\s+=\s+(?P<ret>.*)$")
SOCKET_RET = re.compile(r"^(?P<fd>\d+)<(?P<kind>[A-Za-z0-9-]+):\[(?P<inode>[^\]]*)\]>")
FD_ARG = re.compile(r"^(?P<fd>\d+)<(?P<kind>[A-Za-z0-9-]+):\[(?P<inode>[^\]]*)\]>")
INET = re.compile(r'sin_port=htons\((?P<port>\d+)\), sin_addr=inet_addr\("(?P<addr>[^"]+)"\)')
INET6 = re.compile(r'sin6_port=htons\((?P<port>\d+)\).*inet_pton\(AF_INET6, "(?P<addr>[^"]+)"')


def parse(trace, inspector):
    """The sockets of one app run: {inode: {...}} for AF_INET/AF_INET6, and a Counter of other families."""
    inet = {}
    # A socket's later calls name it by fd with its details: "7<TCP:[1838432]>" before it is bound,
    # "7<TCP:[127.0.0.1:37303]>" after; the inode from socket()'s answer is matched against the first.
    by_fd = {}
    other = collections.Counter()
    pending = {}
    with open(trace, encoding="utf-8", errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            m = LINE.match(raw)
            if m:
                call, args, ret, comm = m["call"], m["args"], m["ret"], m["comm"] or "?"
            elif u := UNFINISHED.match(raw):
                pending[(u["tid"], u["call"])] = u["args"]
                continue
            elif r := RESUMED.match(raw):
                call, ret, comm = r["call"], r["ret"], r["comm"] or "?"
                args = pending.pop((r["tid"], call), "") + r["args"]
                m = r
            else:
                continue
            if call == "socket":
                family = args.split(",", 1)[0].strip()
                if family in ("AF_INET", "AF_INET6"):
                    r = SOCKET_RET.match(ret)
                    key = r["inode"] if r else f"failed:{len(inet)}"
                    inet[key] = {"family": family, "type": args.split(",")[1].strip(), "process": comm,
                                 "tid": int(m["tid"]), "calls": [], "result": ret}
                    if r:
                        by_fd[(comm, r["fd"])] = key
                else:
                    other[family] += 1
                continue
            if call in ("bind", "connect", "listen"):
                a = FD_ARG.match(args)
                if not a:
                    continue
                key = a["inode"] if a["inode"] in inet else by_fd.get((comm, a["fd"]))
                if key in inet:
                    addr = INET.search(args) or INET6.search(args)
                    where = f"{addr['addr']}:{addr['port']}" if addr else None
                    inet[key]["calls"].append((call, where))
    accepted = 0
    if inspector:
        with open(trace, encoding="utf-8", errors="replace") as f:
            accepted = sum(1 for line in f if re.search(r"\baccept4?\(\d+<TCP:\[" + re.escape(inspector), line))
    return inet, other, accepted


def is_automation(sock, inspector):
    if not inspector or sock["family"] != "AF_INET" or "SOCK_STREAM" not in sock["type"]:
        return False
    calls = sock["calls"]
    addressed = [c for c in calls if c[0] in ("bind", "connect")]
    if len(addressed) != 1 or addressed[0][1] != inspector:
        return False
    if addressed[0][0] == "bind":
        return all(c[0] in ("bind", "listen") for c in calls)
    return all(c[0] == "connect" for c in calls)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trace_dir")
    ap.add_argument("--json")
    opts = ap.parse_args()
    traces = sorted(glob.glob(os.path.join(opts.trace_dir, "app-*.strace")))
    if not traces:
        print("check_sockets: no trace: the app never started under the tracer", file=sys.stderr)
        return 2
    summary = {"apps": len(traces), "inet_sockets": 0, "automation": collections.Counter(), "automation_accepted": 0,
               "other_families": collections.Counter(), "findings": []}
    for trace in traces:
        inspector_file = trace[: -len(".strace")] + ".inspector"
        inspector = open(inspector_file).read().strip() if os.path.exists(inspector_file) else ""
        if inspector and not re.fullmatch(r"127\.0\.0\.1:\d+", inspector):
            summary["findings"].append({"trace": os.path.basename(trace),
                                        "why": f"the inspector address is not on loopback: {inspector}"})
            inspector = ""
        inet, other, accepted = parse(trace, inspector)
        summary["other_families"].update(other)
        summary["automation_accepted"] += accepted
        for sock in inet.values():
            summary["inet_sockets"] += 1
            if is_automation(sock, inspector):
                role = "listener" if sock["calls"][0][0] == "bind" else "client"
                summary["automation"][f"{sock['process']} {role}"] += 1
            else:
                summary["findings"].append({"trace": os.path.basename(trace), **sock})
    non_automation = len(summary["findings"])
    automation = sum(summary["automation"].values())
    print(f"offline check: {summary['apps']} app start(s) traced; IPv4/IPv6 sockets created by the app's processes: "
          f"{summary['inet_sockets']}, of which automation (WebKit's inspector channel on the loopback address "
          f"WebKitWebDriver gave in WEBKIT_INSPECTOR_SERVER) {automation} "
          f"({', '.join(f'{k} ×{v}' for k, v in sorted(summary['automation'].items()))}; "
          f"{summary['automation_accepted']} connection(s) accepted on it), other: {non_automation}")
    print("  other socket families (no network): "
          + ", ".join(f"{k} ×{v}" for k, v in sorted(summary["other_families"].items())))
    for finding in summary["findings"]:
        print(f"  FOUND: {json.dumps(finding)}", file=sys.stderr)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({**summary, "automation": dict(summary["automation"]),
                       "other_families": dict(summary["other_families"]), "non_automation": non_automation},
                      f, indent=2)
    return 1 if non_automation else 0


if __name__ == "__main__":
    sys.exit(main())
