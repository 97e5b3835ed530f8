#!/usr/bin/env python3
"""fake_oauth: a scripted stand-in for Microsoft's and Google's OAuth 2.0
endpoints over HTTPS on 127.0.0.1, for tests.  Test code only.

  fake_oauth.py --cert C --key K --portfile F --log LOG [options]

Paths (any prefix, so /TENANT/oauth2/v2.0/... and Google's /token both
work): GET .../authorize (checks the request and redirects to redirect_uri
with code and state, as a browser would be sent), POST .../devicecode,
POST .../token for grant_type authorization_code (the PKCE verifier must
hash to the challenge, redirect_uri must be identical to the authorize
leg's), refresh_token and urn:ietf:params:oauth:grant-type:device_code.

Every request is appended to LOG as one JSON line: path, form fields, time.

Options:
  --client-id ID        the only client id accepted (default client-1)
  --secret S            client_secret required (Google); without it a
                        client_secret is refused with AADSTS700025
  --access-token T      the access token issued (default tok123)
  --expires N           expires_in of issued tokens (default 3599)
  --pending N           device flow: authorization_pending N times
  --interval N          device flow interval (default 1)
  --strict              a refresh token is dead once used (rotation)
  --no-rotate           refresh answers carry no refresh_token
  --deny                /authorize sends error=access_denied back
  --script FILE         replies used before the default behaviour: lines
                        "KIND STATUS BODY" with KIND one of authorize,
                        devicecode, code, refresh, device; STATUS a number
                        or "sleep:SECONDS" (then the default reply); BODY
                        the JSON text; each line used once, in order
  --rt R                a refresh token that is valid from the start
"""
import argparse
import base64
import hashlib
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
codes = {}          # code -> dict(challenge, redirect_uri, used)
refresh_tokens = set()
devices = {}        # device_code -> polls so far
script = []         # [kind, status, body]
counter = [0]


def log(path, form):
    with lock:
        with open(args.log, "a") as f:
            f.write(json.dumps({"path": path, "form": form,
                                "t": time.time()}) + "\n")


def scripted(kind):
    with lock:
        for i, (k, status, body) in enumerate(script):
            if k == kind:
                del script[i]
                return status, body
    return None


def new_id(prefix):
    with lock:
        counter[0] += 1
        return "%s-%d-%s" % (prefix, counter[0], os.urandom(6).hex())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, body, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, desc, codes_=None):
        body = {"error": code, "error_description": desc}
        if codes_:
            body["error_codes"] = codes_
        self.reply(status, json.dumps(body))

    def run_script(self, kind):
        s = scripted(kind)
        if s is None:
            return False
        status, body = s
        if status.startswith("sleep:"):
            time.sleep(float(status[6:]))
            return False
        self.reply(int(status), body)
        return True

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        log(u.path, q)
        if not u.path.endswith("/authorize"):
            return self.reply(404, "{}")
        if self.run_script("authorize"):
            return
        ru = q.get("redirect_uri", "")
        if not (ru.startswith("http://localhost:") or
                ru.startswith("http://127.0.0.1:")):
            return self.reply(400, '{"error":"invalid_request",'
                              '"error_description":"AADSTS50011: redirect"}')
        sep = "&" if "?" in ru else "?"
        if args.deny:
            loc = ru + sep + urllib.parse.urlencode({
                "error": "access_denied",
                "error_description": "The user declined.\nSTATE: +x",
                "state": q.get("state", "")})
            return self.reply(302, "", {"Location": loc})
        bad = []
        if q.get("client_id") != args.client_id:
            bad.append("client_id")
        if q.get("response_type") != "code":
            bad.append("response_type")
        if q.get("code_challenge_method") != "S256":
            bad.append("code_challenge_method")
        if not q.get("state") or not q.get("code_challenge"):
            bad.append("state/code_challenge")
        if bad:
            return self.reply(400, json.dumps({"error": "invalid_request",
                                               "error_description":
                                               "bad " + ",".join(bad)}))
        code = new_id("code")
        with lock:
            codes[code] = {"challenge": q["code_challenge"],
                           "redirect_uri": ru, "used": False}
        loc = ru + sep + urllib.parse.urlencode({"code": code,
                                                 "state": q["state"],
                                                 "session_state": "x"})
        self.reply(302, "", {"Location": loc})

    def tokens(self, with_rt=True):
        body = {"token_type": "Bearer", "scope": "SMTP.Send",
                "expires_in": args.expires,
                "access_token": args.access_token}
        if with_rt:
            rt = new_id("rt")
            with lock:
                refresh_tokens.add(rt)
            body["refresh_token"] = rt
        self.reply(200, json.dumps(body))

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        log(u.path, form)
        if u.path.endswith("/devicecode"):
            if self.run_script("devicecode"):
                return
            dc = new_id("dev")
            with lock:
                devices[dc] = 0
            return self.reply(200, json.dumps({
                "device_code": dc, "user_code": "ABCD-1234",
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": 900, "interval": args.interval,
                "message": "To sign in, use a web browser to open the "
                "page https://microsoft.com/devicelogin and enter the "
                "code ABCD-1234 to authenticate."}))
        if not u.path.endswith("/token"):
            return self.reply(404, "{}")
        if form.get("client_id") != args.client_id:
            return self.error(400, "invalid_client", "AADSTS700016: "
                              "unknown application", [700016])
        if args.secret is None and "client_secret" in form:
            return self.error(401, "invalid_client", "AADSTS700025: "
                              "Client is public so neither "
                              "'client_assertion' nor 'client_secret' "
                              "should be presented.", [700025])
        if args.secret is not None and form.get("client_secret") != \
                args.secret:
            return self.error(401, "invalid_client", "Unauthorized")
        gt = form.get("grant_type")
        if gt == "authorization_code":
            if self.run_script("code"):
                return
            with lock:
                c = codes.get(form.get("code", ""))
                if c is None or c["used"]:
                    c = None
                else:
                    c["used"] = True
            if c is None:
                return self.error(400, "invalid_grant", "AADSTS54005: "
                                  "OAuth2 Authorization code was already "
                                  "redeemed", [54005])
            if form.get("redirect_uri") != c["redirect_uri"]:
                return self.error(400, "invalid_grant", "AADSTS50148: "
                                  "redirect_uri differs", [50148])
            v = form.get("code_verifier", "")
            h = base64.urlsafe_b64encode(hashlib.sha256(v.encode())
                                         .digest()).rstrip(b"=").decode()
            if h != c["challenge"] or not 43 <= len(v) <= 128:
                return self.error(400, "invalid_grant", "AADSTS501481: "
                                  "The Code_Verifier does not match",
                                  [501481])
            return self.tokens()
        if gt == "refresh_token":
            if self.run_script("refresh"):
                return
            rt = form.get("refresh_token", "")
            with lock:
                ok = rt in refresh_tokens
                if ok and args.strict:
                    refresh_tokens.discard(rt)
            if not ok:
                return self.error(400, "invalid_grant", "AADSTS70008: The "
                                  "provided authorization code or refresh "
                                  "token has expired due to inactivity.",
                                  [70008])
            return self.tokens(not args.no_rotate)
        if gt == "urn:ietf:params:oauth:grant-type:device_code":
            if self.run_script("device"):
                return
            dc = form.get("device_code", "")
            with lock:
                polls = devices.get(dc)
                if polls is not None:
                    devices[dc] = polls + 1
            if polls is None:
                return self.error(400, "bad_verification_code", "unknown")
            if polls < args.pending:
                return self.error(400, "authorization_pending",
                                  "AADSTS70016: pending", [70016])
            return self.tokens()
        self.error(400, "unsupported_grant_type", gt or "none")


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--portfile", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--client-id", default="client-1")
    p.add_argument("--secret")
    p.add_argument("--access-token", default="tok123")
    p.add_argument("--expires", type=int, default=3599)
    p.add_argument("--pending", type=int, default=0)
    p.add_argument("--interval", type=int, default=1)
    p.add_argument("--strict", action="store_true")
    p.add_argument("--no-rotate", action="store_true")
    p.add_argument("--deny", action="store_true")
    p.add_argument("--script")
    p.add_argument("--rt", action="append", default=[])
    args = p.parse_args()
    refresh_tokens.update(args.rt)
    if args.script:
        for line in open(args.script):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                k, st, body = (line.split(" ", 2) + [""])[:3]
                script.append([k, st, body])
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.portfile + ".tmp", args.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
