/**
 * zod schemas → the JSON Schema 2020-12 that OpenAPI 3.1 embeds. The input side is described (what a client
 * sends, before transforms), and the defaults in force are written in from the running config, because the
 * schemas leave defaults to the parsers (a field the client did not send must stay distinguishable).
 */
import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/** The request-side JSON Schema of a zod schema; checks zod cannot express (refinements) are left out. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const converted = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  // The dialect is the document's (OpenAPI 3.1), not each component's.
  const { $schema: _dialect, ...rest } = converted as JsonSchema;
  return rest;
}

/** An object schema whose named properties get `default`: the value a missing field takes. */
export function withDefaults(schema: JsonSchema, defaults: object): JsonSchema {
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  for (const [name, value] of Object.entries(defaults)) {
    if (properties[name] !== undefined && value !== undefined)
      properties[name] = { ...properties[name], default: value };
  }
  return { ...schema, properties };
}

/** The schema of a zod object's shape as query parameters, one per property. */
export function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = jsonSchemaOf(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: "query",
      required: required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}
