// The JSON API client: same-origin fetch with the session cookie and the CSRF token header.

let session = null;

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function getSession(force = false) {
  if (!session || force) {
    const res = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
    session = await res.json();
  }
  return session;
}

export function setCsrf(token) {
  if (session) session.csrf = token;
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    const s = await getSession();
    headers["X-CSRF-Token"] = s.csrf;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: "same-origin",
                              body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, "The server could not be reached. Check your connection and try again.");
  }
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (!res.ok) {
    throw new ApiError(res.status, (data && data.error) || `Request failed (${res.status})`, data);
  }
  return data;
}

export async function signOut() {
  try { await api("/api/logout", { method: "POST" }); } finally { window.location.assign("/"); }
}
