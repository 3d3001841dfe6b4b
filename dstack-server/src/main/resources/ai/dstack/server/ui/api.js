// The REST API, as the CLI calls it: POST /api/... with JSON and the user's bearer token.
// Errors become ApiError with a message in plain words and the server's problems (field, line) kept for forms.

const KEY = 'dstack.token';

export const session = {
  get token() {
    return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
  },
  /** Keeps the token for this tab only, or on this device when remember is set. */
  save(token, remember) {
    this.clear();
    (remember ? localStorage : sessionStorage).setItem(KEY, token);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  /**
   * @param status the HTTP status (0 when the server could not be reached)
   * @param message what went wrong, for people
   * @param problems [{message, field, line, column}] when the server named fields or lines
   */
  constructor(status, message, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }

  /** The token was refused: the user must log in (again). */
  get invalidToken() {
    return this.status === 401 || (this.status === 403 && /invalid token|not authenticated/i.test(this.message));
  }
}

/** POST /api/<path> with an optional JSON body and the session's token (or the one given). */
export async function call(path, body, token = session.token) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method: 'POST', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${path}`, init);
  } catch (e) {
    throw new ApiError(0, `The server cannot be reached (${e.message}). Check that it is running.`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok) return json;
  const error = errorOf(response.status, json, text);
  // The session's token stopped working (refreshed or deleted elsewhere): back to the login page.
  if (error.invalidToken && token && token === session.token) {
    window.dispatchEvent(new CustomEvent('dstack:logout', { detail: error.message }));
  }
  throw error;
}

/** A project's route: /api/project/<p>/<path>. */
export function projectCall(project, path, body) {
  return call(`project/${encodeURIComponent(project)}/${path}`, body);
}

/** dstack's error bodies ({detail: [{msg, code, loc}]}, {detail: {msg}}, {msg}, {detail: "..."}) in plain words. */
export function errorOf(status, json, text) {
  const detail = json && typeof json === 'object' && 'detail' in json ? json.detail : json;
  const entries = Array.isArray(detail) ? detail : [detail];
  const problems = entries.filter(e => e != null).map(problemOf);
  let message = problems.map(p => p.message).filter(Boolean).join('\n');
  if (!message) message = (text || '').slice(0, 300);
  switch (status) {
    case 401:
      return new ApiError(status, 'You are not logged in, or your token is no longer valid. Log in again.', problems);
    case 403:
      if (/invalid token|not authenticated/i.test(message)) {
        return new ApiError(status, 'Your token is not valid (it may have been refreshed). Log in again.', problems);
      }
      return new ApiError(status, `You are not allowed to do this (${message || 'access denied'}).`, problems);
    case 404:
      return new ApiError(status, message && !/^not found$/i.test(message) ? message : 'Not found.', problems);
    case 413:
      return new ApiError(status, 'The request is too large for the server.', problems);
    case 422:
      return new ApiError(status, `The server refused the request: ${message}`, problems);
    default:
      if (status >= 500) return new ApiError(status, `The server failed (${status}). ${message}`.trim(), problems);
      return new ApiError(status, message || `The request failed (${status}).`, problems);
  }
}

const LINE = /^(?:[^:\s]+):(\d+):(\d+):\s*(.*)$/;

function problemOf(entry) {
  if (typeof entry === 'string') return locate({ message: entry });
  const message = entry.msg ?? entry.message ?? JSON.stringify(entry);
  const loc = Array.isArray(entry.loc) ? entry.loc.filter(p => p !== 'body').join('.') : null;
  const fields = Array.isArray(entry.fields) ? entry.fields.map(f => (Array.isArray(f) ? f.join('.') : f)).join(', ') : null;
  const field = loc || fields || null;
  return locate({ message: field && !message.includes(field) ? `${field}: ${message}` : message, field });
}

/** Messages such as "config_yaml:5:3: creds.client_secret: Field required" (one per line) carry a position. */
function locate(problem) {
  const found = problem.message.split('\n').map(line => LINE.exec(line.trim())).find(Boolean);
  if (found) {
    problem.line = Number(found[1]);
    problem.column = Number(found[2]);
  }
  return problem;
}

/** Every "<source>:<line>:<column>: <text>" line of an error's messages, for editors that mark lines. */
export function positionsOf(error) {
  const found = [];
  for (const problem of error.problems ?? []) {
    for (const line of problem.message.split('\n')) {
      const m = LINE.exec(line.trim());
      if (m) found.push({ line: Number(m[1]), column: Number(m[2]), text: m[3] });
    }
  }
  return found;
}
