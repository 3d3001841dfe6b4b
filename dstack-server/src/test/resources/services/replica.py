# A tiny service replica for the proxy tests: answers with its job id, version, pid and what it was asked.
import http.server, json, os, sys, time

JOB = os.environ.get("DSTACK_JOB_ID", "?")
VERSION = os.environ.get("VERSION", "1")
PORT = int(os.environ.get("PORT", "8000"))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
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
        self.reply(200, "job=%s version=%s pid=%d path=%s" % (JOB, VERSION, os.getpid(), self.path))

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
