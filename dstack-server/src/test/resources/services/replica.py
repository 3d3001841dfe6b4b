# A tiny service replica for the proxy tests: answers with its job id, version, pid and what it was asked.
import base64, hashlib, http.server, json, os, struct, sys, time

JOB = os.environ.get("DSTACK_JOB_ID", "?")
VERSION = os.environ.get("VERSION", "1")
PORT = int(os.environ.get("PORT", "8000"))
STARTED = time.time()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                self.wfile.flush()
                return
            if opcode == 1:
                reply = ("echo from %s: %s" % (VERSION, data.decode())).encode()
                frame = bytes([0x81]) + (bytes([len(reply)]) if len(reply) < 126 else bytes([126]) + struct.pack(">H", len(reply)))
                self.wfile.write(frame + reply)
                self.wfile.flush()

    def do_GET(self):
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.websocket()
            self.close_connection = True
            return
        if self.path.startswith("/sse"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(3):
                self.wfile.write(("data: event %d\n\n" % i).encode())
                self.wfile.flush()
                time.sleep(0.3)
            self.close_connection = True
            return
        if self.path == "/headers":  # what the proxy passed on
            self.reply(200, "".join("%s: %s\n" % (k, v) for k, v in self.headers.items()))
            return
        if self.path == "/forward":  # forwards to FORWARD_TO with the same headers: a service that leads back
            import urllib.request, urllib.error
            request = urllib.request.Request(os.environ["FORWARD_TO"],
                                             headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
            try:
                with urllib.request.urlopen(request, timeout=20) as answer:
                    self.reply(answer.status, answer.read().decode())
            except urllib.error.HTTPError as e:
                self.reply(e.code, e.read().decode())
            return
        if self.path == "/ready" and time.time() - STARTED < 1.5:
            self.reply(503, "warming up")  # a replica is not ready at once: traffic must wait for the probes
            return
        self.reply(200, "job=%s version=%s pid=%d path=%s" % (JOB, VERSION, os.getpid(), self.path))

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1234")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if self.path.endswith("/chat/completions"):
            request = json.loads(body or "{}")
            answer = {"object": "chat.completion", "model": request.get("model"),
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": "served by " + VERSION}}]}
            self.reply(200, json.dumps(answer), "application/json")
            return
        self.reply(200, "job=%s echo=%s" % (JOB, body))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
