import { expect } from "chai";
import { QuotaExceededError, RateLimitedError } from "../../../../src/domain/errors.js";
import { NO_LIMITS, type ApiKey, type KeyLimits } from "../../../../src/services/auth/api-key-store.js";
import { KeyLimiter } from "../../../../src/services/auth/key-limiter.js";

const key = (limits: Partial<KeyLimits>): ApiKey => ({
  id: "k",
  name: "k",
  prefix: "cbx-abcdefgh",
  scopes: ["tts"],
  limits: { ...NO_LIMITS, ...limits },
  createdAt: "",
  revokedAt: null,
  lastUsedAt: null,
});

/** 2026-12-01T23:59:00Z: one minute before the daily quota resets. */
const NEAR_MIDNIGHT = Date.parse("2026-12-01T23:59:00Z");

describe("services/auth/key-limiter", () => {
  it("admits requests per sliding minute, then refuses with the seconds until one drops out", () => {
    let now = NEAR_MIDNIGHT;
    const limiter = new KeyLimiter({ charsSince: () => 0, now: () => now });
    const limited = key({ requestsPerMinute: 2 });
    expect(limiter.admit(limited).headers).to.include({ "x-ratelimit-remaining-requests": "1" });
    now += 20_000;
    expect(limiter.admit(limited).headers).to.include({ "x-ratelimit-remaining-requests": "0" });
    const refusal = (() => {
      try {
        limiter.admit(limited);
      } catch (error) {
        return error as RateLimitedError;
      }
      throw new Error("expected a refusal");
    })();
    expect(refusal).to.be.instanceOf(RateLimitedError);
    expect(refusal.retryAfterSeconds).to.equal(40);
    now += 40_001;
    expect(() => limiter.admit(limited)).to.not.throw();
  });

  it("holds a place per request running until it is released, once", () => {
    const limiter = new KeyLimiter({ charsSince: () => 0 });
    const pair = key({ maxConcurrent: 2 });
    const first = limiter.admit(pair);
    limiter.admit(pair);
    expect(() => limiter.admit(pair)).to.throw(RateLimitedError, "2 requests running at once");
    first.release();
    first.release();
    limiter.admit(pair);
    expect(() => limiter.admit(pair)).to.throw(RateLimitedError);
  });

  it("refuses a key whose characters today reached its quota until the next UTC day, and counts nothing", () => {
    let used = 900;
    const asked: number[] = [];
    const limiter = new KeyLimiter({
      charsSince: (_key, since) => (asked.push(since), used),
      now: () => NEAR_MIDNIGHT,
    });
    const quota = key({ dailyChars: 1000, requestsPerMinute: 5 });
    expect(limiter.admit(quota).headers).to.include({ "x-ratelimit-remaining-characters": "100" });
    expect(asked[0]).to.equal(Date.parse("2026-12-01T00:00:00Z"));
    used = 1000;
    expect(() => limiter.admit(quota))
      .to.throw(QuotaExceededError)
      .with.property("retryAfterSeconds", 60);
    used = 0;
    // The refused request did not use up one of the five a minute.
    expect(limiter.admit(quota).headers).to.include({ "x-ratelimit-remaining-requests": "3" });
  });
});
