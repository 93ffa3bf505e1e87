#!/usr/bin/env python
"""How long the notify channels take to render and to deliver a digest.

    python benchmarks/bench_channels.py [--items 10,100,1000] [--repeat N]

For digests of N items (one section, the wording of real digest lines, a third of them urgent)
it times each platform's ``render`` (which measures every part it builds against the platform's
size limits) with the default ``max_parts`` (3) and with room for everything (``max_parts`` 50),
and prints the parts made and the items left to the page. Then it delivers one message to an HTTP
server on 127.0.0.1 (the whole path: JSON, signing, POST, reading the answer) and times that.
The digest itself (who is told what) is timed by the notify benchmark, not here.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import load_average, run_header  # noqa: E402

from ptrack.notify.channels import CHANNELS  # noqa: E402
from ptrack.notify.model import Digest, DigestItem, DigestSection, ItemKind, Recipient  # noqa: E402

PLATFORMS = ("feishu", "dingtalk", "wecom", "slack", "email")
HANDLES = {"feishu": "ou_7d8a6e6df7621556ce0d21922b676706", "dingtalk_mobile": "13800138000",
           "wecom_userid": "zhangsan", "slack": "U024BE7LH", "email": "zhang.san@acme.example"}


def make_digest(n: int) -> Digest:
    items = tuple(DigestItem(ItemKind.TASK_DUE, f"抖音信息流投放 {i}：4月19日（周五）到期，实际进度 35.0%（计划 60.0%）",
                             urgent=i % 3 == 0) for i in range(1, n + 1))
    return Digest(campaign_id="bench", campaign_name="新品上市综合营销推广", as_of="2024-04-15", locale="zh-CN",
                  recipient=Recipient("zhang", "张三", HANDLES), title=f"新品上市综合营销推广：张三的 {n} 件事",
                  summary="截至 2024-04-15：计划 42.0%，实际 35.5%，偏差 -6.5 个百分点，进行中，健康度 黄",
                  sections=(DigestSection("due", "近期到期", items),), page_url="https://acme.example/bench/",
                  key="bench/zhang/2024-04-15", health="amber")


def settings(platform: str, **extra) -> dict:
    if platform == "email":
        return {"host": "127.0.0.1", "from": "ptrack@acme.example", **extra}
    return {"webhook_env": "HOOK", **{k: v for k, v in extra.items() if k != "to"}}


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"errcode":0,"code":0,"errmsg":"ok"}' if "slack" not in self.path else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(x) for x in args.items.split(",")]
    print(run_header([], args.repeat))
    print()
    print(f"{'platform':<10}{'items':>7}{'render ms':>11}{'parts':>7}{'left out':>10}"
          f"{'render ms (all)':>17}{'parts (all)':>13}")
    for platform in PLATFORMS:
        for n in sizes:
            digest = make_digest(n)
            row = []
            for max_parts in (3, 50):
                extra = {} if platform == "email" else {"max_parts": max_parts}
                channel = CHANNELS[platform]("bench", settings(platform, **extra))
                seconds = best_of(args.repeat, lambda: channel.render(digest))
                messages = channel.render(digest)
                shown = sum(str(m.payload).count("抖音信息流投放 ") for m in messages)
                if platform == "email":
                    shown //= 2             # each item is in the plain-text and the HTML part
                row.append((seconds * 1000, len(messages), n - shown))
            (ms3, parts3, left3), (ms50, parts50, _left50) = row
            print(f"{platform:<10}{n:>7}{ms3:>11.2f}{parts3:>7}{left3:>10}{ms50:>17.2f}{parts50:>13}")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    print()
    print(f"{'platform':<10}{'deliver one message to 127.0.0.1, ms':>38}")
    for platform in PLATFORMS[:-1]:
        channel = CHANNELS[platform]("bench", {"webhook_env": "HOOK", "per_minute": 1_000_000})
        channel.limiter.windows = []              # time the request, not the platform's rate limit
        [message, *_] = channel.render(make_digest(10))
        env = {"HOOK": f"http://127.0.0.1:{httpd.server_address[1]}/{platform}/hook/0123456789abcdef"}
        seconds = best_of(args.repeat, lambda: channel.deliver(message, env))
        print(f"{platform:<10}{seconds * 1000:>38.2f}")
    httpd.shutdown()
    print()
    print(load_average("at end"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
