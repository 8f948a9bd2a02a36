/** What an API key may do. `admin` may do everything, key management included. */
export const SCOPES = [
  "tts",
  "vc",
  "voices:read",
  "voices:write",
  "files:read",
  "files:delete",
  "realtime",
  "stt",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

/** Whether a key with `granted` may use a route that needs `needed`. */
export function allows(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes("admin");
}
