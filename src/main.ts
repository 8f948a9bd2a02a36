/**
 * Composition root: config → logger → data folders → sidecar supervisor → services → HTTP server, and
 * a shutdown that mirrors it (stop accepting, stop the sidecar gracefully, exit).
 */
import { mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createApp } from "./app.js";
import { readConfigOrExit } from "./config/read-config.js";
import { HttpDrain } from "./http/middleware/http-drain.js";
import { ROUTE_ACCESS } from "./http/auth/route-access.js";
import { attachRealtimeEndpoint, type RealtimeEndpoint } from "./http/realtime/realtime-endpoint.js";
import { childLogger, createRootLogger, type Logger } from "./logging.js";
import { createServices, type Services } from "./services/create-services.js";
import { PROJECT_ROOT } from "./project-root.js";
import { createHealthReporter } from "./services/health-service.js";
import { SidecarSupervisor } from "./sidecar/supervisor.js";
import { supervisorOptionsFromConfig } from "./sidecar/supervisor-config.js";
import { createJobRequestParsers } from "./http/schemas/job-request.js";
import { createAppMetrics } from "./services/metrics/app-metrics.js";
import { jobsWorkRoot } from "./services/jobs/job-workspace.js";
import { removeCrashLeftovers } from "./services/maintenance/crash-recovery.js";

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

interface Running {
  supervisor: SidecarSupervisor;
  services: Services;
  realtime: RealtimeEndpoint;
  drain: HttpDrain;
  graceMs: number;
}

function onShutdown(server: Server, running: Running, log: Logger): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inFlight: running.drain.pending, graceMs: running.graceMs }, "shutting down");
    server.close();
    // Jobs stop where they are at once (the next start resumes them): the grace is for the requests in flight.
    await running.services.jobs.stop();
    // The sidecar stays up meanwhile: the requests in flight need it to finish.
    if (!(await running.drain.drain(running.graceMs))) {
      log.warn({ inFlight: running.drain.pending }, "the shutdown grace ran out with requests still running");
    }
    await running.realtime.close();
    await Promise.all([running.supervisor.stop(), running.services.close()]);
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", (signal) => void shutdown(signal));
  process.on("SIGTERM", (signal) => void shutdown(signal));
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = readConfigOrExit();
  const root = createRootLogger(config.server.logLevel);
  const log = childLogger(root, "main");
  const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  await Promise.all(
    [config.paths.outputs, config.paths.referenceAudio, config.paths.vcInputs].map((d) =>
      mkdir(d, { recursive: true }),
    ),
  );
  const leftovers = await removeCrashLeftovers(config.paths.temp, [
    config.paths.outputs,
    config.paths.referenceAudio,
    config.paths.vcInputs,
    jobsWorkRoot(config.paths.data),
  ]);
  if (leftovers.scratchFolders + leftovers.partialFiles > 0) {
    log.warn(leftovers, "removed what an earlier run left half-done (it was stopped in the middle of its work)");
  }
  const supervisor = new SidecarSupervisor(
    supervisorOptionsFromConfig(config, { projectRoot: PROJECT_ROOT, logger: root }),
  );
  const metrics = createAppMetrics(supervisor);
  const services = createServices(config, metrics.meter(supervisor.backend), root, createJobRequestParsers(config));
  if (config.auth.enabled && !services.keys.hasActiveKeys()) {
    // Named from the access table itself, so the warning cannot drift from what the server does.
    const publicRoutes = Object.keys(ROUTE_ACCESS).filter((route) => ROUTE_ACCESS[route] === "public");
    log.warn(
      `auth.enabled is true but no API key exists: every route but ${publicRoutes.join(", ")} answers 401; ` +
        "create one with `npm run keys -- create --name admin --scopes admin`",
    );
  }
  const maxSegmentChars = config.inference.maxSegmentChars;
  const health = createHealthReporter({
    sidecar: supervisor,
    library: services.library,
    version,
    startedAt,
    maxSegmentChars,
  });
  const drain = new HttpDrain();
  const app = createApp({
    metrics,
    config,
    log: childLogger(root, "http"),
    version,
    services,
    health,
    sidecar: supervisor,
    drain,
  });
  const server = createServer(app.callback());
  // Long texts take minutes; Node's default 5-minute request timeout would cut them off.
  server.requestTimeout = 0;
  const realtime = attachRealtimeEndpoint(server, {
    tts: services.tts,
    voices: services.voiceResolver,
    config,
    keys: services.keys,
    usage: services.usage,
    limiter: services.limiter,
    metrics: metrics.realtime,
    log: childLogger(root, "http"),
  });
  await listen(server, config.server.host, config.server.port);
  const { port } = server.address() as AddressInfo;
  log.info({ url: `http://${config.server.host}:${port}`, config: config.source ?? "defaults" }, "listening");
  onShutdown(server, { supervisor, services, realtime, drain, graceMs: config.server.shutdownGraceMs }, log);
  // Jobs left running by a stopped server resume now; they wait for the sidecar if it is not ready yet.
  services.jobs.start();
  services.library
    .start()
    .catch((error: unknown) => log.error({ err: error }, "the library index could not be built"))
    // The startup cleanup finds 0-byte files through the index, so it waits for the first scan.
    .then(() => services.maintenance.start())
    .catch((error: unknown) => log.error({ err: error }, "the cleanup schedule could not start"));
  // A failed first start is logged by the supervisor, which keeps retrying; health shows the next attempt.
  supervisor.start().catch(() => log.warn("the inference sidecar is not ready yet; it is retried in the background"));
}

main().catch((error: unknown) => {
  // e.g. the HTTP port is taken: say so plainly instead of dying with an unhandled rejection.
  console.error(`chatterbox-ts could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
