/** Shared pieces of the URL download tests: settings, a scratch folder, a counting resolver, a WAV body. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppConfig } from "../../../src/config/app-config.js";
import { DomainError, type FieldIssue } from "../../../src/domain/errors.js";
import type { ResolvedAddress } from "../../../src/net/checked-addresses.js";
import { startLocalServer, type LocalServer, type LocalServerOptions } from "../../helpers/local-http-server.js";
import { buildS16Wav, mono, sine } from "../../helpers/wav-builder.js";
import type { RequestListener } from "node:http";

export const WAV = buildS16Wav(mono(16_000, sine({ freq: 440, seconds: 0.25, sampleRate: 16_000 })));
export const FIELD = "reference_audio_filename";

export function settings(overrides: Partial<AppConfig["urlSources"]> = {}): AppConfig["urlSources"] {
  return { enabled: true, allowHosts: [], maxBytes: 1024 * 1024, timeoutMs: 5_000, maxRedirects: 3, ...overrides };
}

export async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected the download to fail");
}

/** `detail[0].type` of a ValidationError, e.g. url_host_not_allowed. */
export function issueType(error: DomainError): string | undefined {
  return Array.isArray(error.detail) ? (error.detail[0] as FieldIssue | undefined)?.type : undefined;
}

export const LOOPBACK_V4: ResolvedAddress = { address: "127.0.0.1", family: 4 };

/** Per-test scratch folder and servers, cleaned up by `reset()`. */
export class TestBed {
  scratchDir = "";
  private readonly servers: LocalServer[] = [];

  async setUp(): Promise<void> {
    this.scratchDir = await mkdtemp(join(tmpdir(), "url-source-test-"));
  }

  async serve(handler: RequestListener, options?: LocalServerOptions): Promise<LocalServer> {
    const server = await startLocalServer(handler, options);
    this.servers.push(server);
    return server;
  }

  /** Names of the files left in the scratch folder. */
  files(): Promise<string[]> {
    return readdir(this.scratchDir);
  }

  async tearDown(): Promise<void> {
    try {
      await Promise.all(this.servers.splice(0).map((server) => server.close()));
    } finally {
      await rm(this.scratchDir, { recursive: true, force: true });
    }
  }
}

/** Answers every request with the WAV. */
export const serveWav: RequestListener = (_request, response) => {
  response.writeHead(200, { "content-type": "audio/wav", "content-length": WAV.length });
  response.end(WAV);
};

/** Redirects every request to `location`. */
export function redirectTo(location: string, status = 302): RequestListener {
  return (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };
}
