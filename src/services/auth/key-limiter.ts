/**
 * Per-key limits (docs/api/keys.md#limits): requests per minute (a sliding minute), requests at once, and TTS
 * characters per UTC day (from the usage table, so restarts keep the count). Checked when a request arrives;
 * a request in flight may take a key past its daily quota once, and the next one is refused. Request counts
 * live in memory: one server process is the unit this accounts for.
 */
import { QuotaExceededError, RateLimitedError } from "../../domain/errors.js";
import type { ApiKey } from "./api-key-store.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface Admission {
  /** Rate-limit headers for the response (OpenAI's names where they exist). */
  headers: Record<string, string>;
  /** Ends the request's share of the key's concurrency; safe to call more than once. */
  release(): void;
}

export interface KeyLimiterOptions {
  /** TTS characters the key used since `sinceMs` (successful requests). */
  charsSince(keyId: string, sinceMs: number): number;
  now?: () => number;
}

export class KeyLimiter {
  private readonly recent = new Map<string, number[]>();
  private readonly running = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: KeyLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Admits one request of `key`.
   * @throws QuotaExceededError (429, no retry before the next UTC day); RateLimitedError (429 with Retry-After)
   */
  admit(key: ApiKey): Admission {
    const now = this.now();
    const quotaHeaders = this.checkQuota(key, now);
    this.checkConcurrency(key);
    // Last: only a request that passes every check counts toward the minute.
    const headers = { ...quotaHeaders, ...this.checkRate(key, now) };
    this.running.set(key.id, (this.running.get(key.id) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running.set(key.id, (this.running.get(key.id) ?? 1) - 1);
    };
    return { headers, release };
  }

  private checkQuota(key: ApiKey, now: number): Record<string, string> {
    const quota = key.limits.dailyChars;
    if (quota === null) return {};
    const dayStart = now - (now % DAY_MS);
    const used = this.options.charsSince(key.id, dayStart);
    const untilReset = Math.ceil((dayStart + DAY_MS - now) / 1000);
    if (used >= quota) {
      throw new QuotaExceededError(
        `The API key '${key.prefix}…' used its ${quota} characters for today (UTC); the quota resets in ${untilReset} s`,
        untilReset,
      );
    }
    return {
      "x-ratelimit-limit-characters": String(quota),
      "x-ratelimit-remaining-characters": String(quota - used),
      "x-ratelimit-reset-characters": `${untilReset}s`,
    };
  }

  private checkRate(key: ApiKey, now: number): Record<string, string> {
    const limit = key.limits.requestsPerMinute;
    if (limit === null) return {};
    const times = (this.recent.get(key.id) ?? []).filter((time) => time > now - MINUTE_MS);
    const resetSeconds = times.length > 0 ? Math.ceil((times[0]! + MINUTE_MS - now) / 1000) : 60;
    if (times.length >= limit) {
      this.recent.set(key.id, times);
      throw new RateLimitedError(
        `The API key '${key.prefix}…' may send ${limit} requests a minute; retry in ${resetSeconds} s`,
        resetSeconds,
      );
    }
    times.push(now);
    this.recent.set(key.id, times);
    return {
      "x-ratelimit-limit-requests": String(limit),
      "x-ratelimit-remaining-requests": String(limit - times.length),
      "x-ratelimit-reset-requests": `${resetSeconds}s`,
    };
  }

  private checkConcurrency(key: ApiKey): void {
    const limit = key.limits.maxConcurrent;
    if (limit === null || (this.running.get(key.id) ?? 0) < limit) return;
    throw new RateLimitedError(
      `The API key '${key.prefix}…' may have ${limit} requests running at once; retry shortly`,
      1,
    );
  }
}
