/**
 * The studio calls the server's own public API, nothing private: every request carries the API key the user
 * gave (kept in session storage, so it ends with the tab), and a failed one becomes an ApiError with the
 * message of the server's error body (ours under /api, OpenAI's under /v1).
 */
const KEY_STORAGE = "studio.apiKey";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

let unauthorized: ((message: string) => void) | undefined;

/** The shell asks for a key when any call is refused for want of one. */
export function onUnauthorized(listener: (message: string) => void): void {
  unauthorized = listener;
}

/** fetch with the key; resolves only for a 2xx response. */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = apiKey();
  if (key) headers.set("Authorization", `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers });
  if (response.ok) return response;
  const error = await errorOf(response);
  if (response.status === 401) unauthorized?.(error.message);
  throw error;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await api(path)).json() as Promise<T>;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  return (await api(path, init)).json() as Promise<T>;
}

export async function sendForm<T>(method: string, path: string, form: FormData): Promise<T> {
  return (await api(path, { method, body: form })).json() as Promise<T>;
}

/**
 * A file the API serves, as a blob: URL an <audio> element can play. Media elements cannot send the
 * Authorization header, so the bytes are fetched with it instead. Revoke the URL when it is no longer shown.
 */
export async function blobUrl(path: string): Promise<string> {
  return URL.createObjectURL(await (await api(path)).blob());
}

/** `a/b c.wav` → `a/b%20c.wav`: each segment encoded, the slashes kept (the routes take `*path`). */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new ApiError(response.status, text || `${response.status} ${response.statusText}`, undefined);
  }
  return new ApiError(response.status, messageOf(body) ?? `${response.status} ${response.statusText}`, codeOf(body));
}

type ErrorBody = {
  error?: string | { message?: string; code?: string | null };
  error_code?: string;
  detail?: string | Array<{ loc: Array<string | number>; msg: string }> | null;
};

function messageOf(raw: unknown): string | undefined {
  const body = raw as ErrorBody;
  if (typeof body?.error === "object") return body.error?.message;
  if (Array.isArray(body?.detail) && body.detail.length > 0) {
    // Validation: name each field with its problem, as a form shows it.
    return body.detail
      .map((issue) => `${issue.loc.slice(1).join(".") || issue.loc.join(".")}: ${issue.msg}`)
      .join("; ");
  }
  return body?.error;
}

function codeOf(raw: unknown): string | undefined {
  const body = raw as ErrorBody;
  if (typeof body?.error === "object") return body.error?.code ?? undefined;
  return body?.error_code;
}
