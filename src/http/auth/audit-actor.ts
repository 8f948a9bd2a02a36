/** Who the audit log names for an administrative request. */
import type { Context } from "koa";
import type { ApiKey } from "../../services/auth/api-key-store.js";

/** The request's key id, or `anonymous` while API keys are off. */
export const auditActor = (ctx: Context): string => (ctx.state.apiKey as ApiKey | undefined)?.id ?? "anonymous";
