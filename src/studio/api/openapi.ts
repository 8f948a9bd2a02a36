/**
 * The request schemas of the server's own /openapi.json, which are generated from the zod schemas the API
 * validates with: forms built from them show the defaults, ranges and help text in force, and cannot drift.
 */
import { getJson } from "./client";

export interface FieldSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  items?: FieldSchema;
  anyOf?: FieldSchema[];
}

export interface ObjectSchema {
  properties: Record<string, FieldSchema>;
  required?: string[];
}

interface OpenApiDocument {
  components: { schemas: Record<string, ObjectSchema> };
}

let document: Promise<OpenApiDocument> | undefined;

export async function requestSchema(name: string): Promise<ObjectSchema> {
  // Fetched once per page; a failed fetch is forgotten, so the next form asks again instead of failing forever.
  document ??= getJson<OpenApiDocument>("/openapi.json").catch((error: unknown) => {
    document = undefined;
    throw error;
  });
  const schema = (await document).components.schemas[name];
  if (!schema?.properties) throw new Error(`/openapi.json has no schema ${name}`);
  return schema;
}

/**
 * The field's schema without the `null` zod's nullish() adds, in either form it takes: `anyOf: [T, {type:
 * "null"}]` (the wrapper's description and default kept) or `type: [T, "null"]`.
 */
export function plainField(field: FieldSchema): FieldSchema {
  if (Array.isArray(field.type)) {
    const types = field.type.filter((type) => type !== "null");
    return types.length === 1 ? { ...field, type: types[0] } : field;
  }
  const branches = field.anyOf?.filter((branch) => branch.type !== "null");
  if (!branches || branches.length !== 1) return field;
  const { anyOf: _anyOf, ...outer } = field;
  return { ...branches[0], ...outer };
}
