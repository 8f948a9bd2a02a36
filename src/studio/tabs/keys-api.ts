/** The key management routes (docs/api/keys.md, scope `admin`), in the shapes the studio reads. */
import { getJson, sendJson } from "../api/client";
import type { Scope } from "../../services/auth/scopes";

export interface KeyLimitsView {
  requests_per_minute: number | null;
  max_concurrent: number | null;
  daily_chars: number | null;
}

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  limits: KeyLimitsView;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface NewKey {
  name: string;
  scopes: Scope[];
  limits: Partial<Record<keyof KeyLimitsView, number>>;
}

export async function listKeys(): Promise<KeyView[]> {
  return (await getJson<{ keys: KeyView[] }>("/api/v1/keys")).keys;
}

export function createKey(key: NewKey): Promise<{ key: KeyView; secret: string }> {
  return sendJson("POST", "/api/v1/keys", key);
}

export function revokeKey(id: string): Promise<{ key: KeyView }> {
  return sendJson("DELETE", `/api/v1/keys/${encodeURIComponent(id)}`);
}
