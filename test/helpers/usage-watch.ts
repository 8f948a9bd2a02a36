/**
 * Sees every usage row a test app writes, so a test waits for a request's row instead of sleeping, and counts
 * the rows stored for a request only after a later request's row: a second row of the first, written on any
 * path that ends it (the response closing, a stream ending, a socket closing), would be stored by then.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { UsageRow } from "../../src/services/usage/usage-log.js";
import type { UsageRecord } from "../../src/services/usage/usage-record.js";
import type { TestApp } from "./test-app.js";

export class UsageWatch {
  /** Every row written, in order. */
  readonly written: UsageRecord[] = [];
  private listeners: Array<() => void> = [];

  constructor(private readonly app: TestApp) {
    const usage = app.services.usage;
    const record = usage.record.bind(usage);
    usage.record = (row) => {
      record(row);
      this.written.push(row);
      for (const listener of this.listeners) listener();
    };
  }

  /** The first row written for `requestId` (its X-Request-ID), once it is written. */
  rowOf(requestId: string): Promise<UsageRecord> {
    return new Promise((resolve) => {
      const check = () => {
        const row = this.written.find((written) => written.requestId === requestId);
        if (!row) return;
        this.listeners = this.listeners.filter((listener) => listener !== check);
        resolve(row);
      };
      this.listeners.push(check);
      check();
    });
  }

  /**
   * The rows stored in the database for `requestId`, read once its first row is written and then a later
   * request (a probe, GET /healthz) has been answered and accounted for.
   */
  async storedRows(requestId: string): Promise<UsageRow[]> {
    await this.rowOf(requestId);
    const later = `later-${randomUUID()}`;
    const laterRow = this.rowOf(later);
    await (await fetch(`${this.app.baseUrl}/healthz`, { headers: { "X-Request-ID": later } })).arrayBuffer();
    await laterRow;
    const all = this.app.services.usage.rows({}, { limit: 100_000, offset: 0 });
    return all.filter((row) => row.request_id === requestId);
  }

  /** The row stored for `requestId`, failing the test unless there is exactly one. */
  async onlyRow(requestId: string): Promise<UsageRow> {
    const rows = await this.storedRows(requestId);
    expect(rows, `the usage rows of ${requestId}`).to.have.length(1);
    return rows[0]!;
  }
}
