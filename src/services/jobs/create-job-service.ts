/** Wires the jobs machinery: store, work folders, one executor per job type, the runner and webhooks. */
import type { AppConfig } from "../../config/app-config.js";
import type { Logger } from "../../logging.js";
import { AllowList } from "../../net/allow-list.js";
import { systemResolver } from "../../net/checked-addresses.js";
import { checkWebhookUrl, deliverWebhook } from "../../net/webhook.js";
import type { Db } from "../../storage/db/database.js";
import type { OutputStore } from "../../storage/output-store.js";
import type { AudioSources } from "../audio-sources.js";
import type { ConcatService } from "../concat/concat-service.js";
import type { TtsService } from "../tts/tts-service.js";
import type { VcService } from "../vc/vc-service.js";
import { JobRunner } from "./job-runner.js";
import { JobService, type JobRequestParsers } from "./job-service.js";
import { JobStore } from "./job-store.js";
import type { JobRecord } from "./job-types.js";
import { JobWorkspace, jobsWorkRoot } from "./job-workspace.js";
import { SegmentRetention } from "./segment-retention.js";
import { concatJobExecutor, vcJobExecutor } from "./single-step-job.js";
import { TtsJobExecutor } from "./tts-job.js";
import { jobEndUsage } from "./job-usage.js";
import { jobView } from "./job-view.js";
import type { UsageLog } from "../usage/usage-log.js";

export interface JobServiceDependencies {
  config: AppConfig;
  db: Db;
  tts: TtsService;
  vc: VcService;
  concat: ConcatService;
  sources: AudioSources;
  outputs: OutputStore;
  parsers: JobRequestParsers;
  /** Gets a row when a job ends, for the audio it produced. */
  usage: Pick<UsageLog, "record">;
  log: Logger;
}

/** A job that waited for a busy or restarting engine tries again after at most this long. */
const MAX_RETRY_DELAY_MS = 5_000;

export function createJobService(deps: JobServiceDependencies): JobService {
  const { config, parsers } = deps;
  const store = new JobStore(deps.db);
  const workspace = new JobWorkspace(jobsWorkRoot(config.paths.data));
  const log = deps.log.child({ component: "jobs" });
  const webhooks = { allow: AllowList.parse(config.urlSources.allowHosts), resolve: systemResolver };
  const notify = async (job: JobRecord) => {
    if (!job.webhookUrl || !job.webhookSecret) return;
    const result = await deliverWebhook(
      // One id per ending: a re-rendered job ends again, and that call is not a duplicate of the first.
      {
        url: new URL(job.webhookUrl),
        secret: job.webhookSecret,
        body: jobView(job),
        deliveryId: `${job.id}.${job.finishedMs}`,
      },
      {
        ...webhooks,
        timeoutMs: config.jobs.webhookTimeoutMs,
        attempts: config.jobs.webhookAttempts,
        backoffMs: (attempt) => Math.min(1000 * 2 ** (attempt - 1), 30_000),
      },
    );
    const fields = { job: job.id, url: job.webhookUrl, ...result };
    if (result.delivered) log.info(fields, "jobs: webhook delivered");
    else log.warn(fields, "jobs: webhook not delivered");
  };
  const retention = new SegmentRetention({ store, workspace, keepMs: config.jobs.keepSegmentsMs, log });
  const runner = new JobRunner({
    store,
    workspace,
    executors: {
      tts: new TtsJobExecutor({
        tts: deps.tts,
        sources: deps.sources,
        outputs: deps.outputs,
        store,
        workspace,
        parse: parsers.tts,
        callSeconds: config.jobs.callSeconds,
      }),
      vc: vcJobExecutor(store, deps.vc, parsers.vc),
      concat: concatJobExecutor(store, deps.concat, parsers.concat),
    },
    concurrency: config.jobs.concurrency,
    maxRetryDelayMs: MAX_RETRY_DELAY_MS,
    onFinished: async (job) => {
      const usage = jobEndUsage(job);
      if (usage) deps.usage.record(usage);
      await retention.prune();
      await notify(job).catch((error: unknown) => log.warn({ err: error, job: job.id }, "jobs: webhook"));
    },
    log,
  });
  return new JobService({
    store,
    runner,
    parsers,
    random: Math.random,
    checkWebhookUrl: (url) => checkWebhookUrl(url, { ...webhooks, signal: AbortSignal.timeout(10_000) }),
    segmentLimit: () => deps.tts.segmentLimit(),
    maxUnfinishedPerKey: config.jobs.maxUnfinishedPerKey,
    retention,
  });
}
