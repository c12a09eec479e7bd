import { z } from 'zod';

/**
 * What a `delta` event carries: one part of a run's message, in the vocabulary of the AI SDK's UI message
 * stream (`reasoning-start`, `tool-input-delta`, `start-step`, `source-url`, `data-<name>`, …), so that a
 * mapping to it is one-to-one. Text is not here: it streams as `token` events, the hot path.
 */

const partIdSchema = z.string().min(1).max(128);
export const toolNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/,
    'a tool name is 1 to 64 letters, digits, "_" or "-", not starting with a digit',
  );
export const dataPartNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'a data part name is 1 to 64 lowercase letters, digits or "-"');

export const reasoningStartPartSchema = z.object({ type: z.literal('reasoning-start'), id: partIdSchema });
export const reasoningDeltaPartSchema = z.object({
  type: z.literal('reasoning-delta'),
  id: partIdSchema,
  delta: z.string(),
});
export const reasoningEndPartSchema = z.object({ type: z.literal('reasoning-end'), id: partIdSchema });

const toolCall = { toolCallId: partIdSchema };

export const toolInputStartPartSchema = z.object({
  type: z.literal('tool-input-start'),
  ...toolCall,
  toolName: toolNameSchema,
});
/** A piece of the tool's JSON arguments as the model streams them (not valid JSON on its own). */
export const toolInputDeltaPartSchema = z.object({
  type: z.literal('tool-input-delta'),
  ...toolCall,
  inputTextDelta: z.string(),
});
/** The arguments are complete, parsed and valid for the tool's input schema. */
export const toolInputAvailablePartSchema = z.object({
  type: z.literal('tool-input-available'),
  ...toolCall,
  toolName: toolNameSchema,
  input: z.json(),
});
/** The model's arguments were not JSON or did not fit the tool's schema (or it named no such tool); the tool did not run. */
export const toolInputErrorPartSchema = z.object({
  type: z.literal('tool-input-error'),
  ...toolCall,
  toolName: toolNameSchema,
  input: z.json(),
  errorText: z.string(),
});
/** The tool needs the thread owner's approval (`run.approveTool`) before it runs; the run waits. */
export const toolApprovalRequestPartSchema = z.object({
  type: z.literal('tool-approval-request'),
  ...toolCall,
  approvalId: partIdSchema,
});
/** The owner's answer to an approval request (the AI SDK keeps it on the message as `approval`). */
export const toolApprovalResponsePartSchema = z.object({
  type: z.literal('tool-approval-response'),
  ...toolCall,
  approvalId: partIdSchema,
  approved: z.boolean(),
  reason: z.string().optional(),
});
export const toolOutputAvailablePartSchema = z.object({
  type: z.literal('tool-output-available'),
  ...toolCall,
  output: z.json(),
});
/** The tool threw, timed out or was refused; the model sees `errorText`. */
export const toolOutputErrorPartSchema = z.object({
  type: z.literal('tool-output-error'),
  ...toolCall,
  errorText: z.string(),
});
/** The owner denied the tool: it did not run. */
export const toolOutputDeniedPartSchema = z.object({ type: z.literal('tool-output-denied'), ...toolCall });

/** One model call begins (a run loops model → tools → model, one step per call). */
export const startStepPartSchema = z.object({ type: z.literal('start-step') });
export const finishStepPartSchema = z.object({ type: z.literal('finish-step') });

export const sourceUrlPartSchema = z.object({
  type: z.literal('source-url'),
  sourceId: partIdSchema,
  url: z.url({ protocol: /^https?$/ }),
  title: z.string().optional(),
});

/** An app's own part: `data-<name>`, whose payload the app validates (see `parseDataPart`). */
export const dataPartSchema = z.object({
  type: z.templateLiteral(['data-', dataPartNameSchema], {
    error: 'a data part type is "data-<name>", the name 1 to 64 lowercase letters, digits or "-"',
  }),
  id: partIdSchema.optional(),
  data: z.json(),
});

export const builtInPartSchema = z.discriminatedUnion('type', [
  reasoningStartPartSchema,
  reasoningDeltaPartSchema,
  reasoningEndPartSchema,
  toolInputStartPartSchema,
  toolInputDeltaPartSchema,
  toolInputAvailablePartSchema,
  toolInputErrorPartSchema,
  toolApprovalRequestPartSchema,
  toolApprovalResponsePartSchema,
  toolOutputAvailablePartSchema,
  toolOutputErrorPartSchema,
  toolOutputDeniedPartSchema,
  startStepPartSchema,
  finishStepPartSchema,
  sourceUrlPartSchema,
]);

const partUnion = z.union([builtInPartSchema, dataPartSchema]);
export type DeltaPart = z.infer<typeof partUnion>;

const builtInByType = new Map<string, z.ZodType>(
  builtInPartSchema.options.map((option) => [option.shape.type.value, option]),
);

/**
 * The content of a `delta` event. An unknown `type` or a malformed part is refused (by the bus, before it is
 * stored) with an error that names the type and the field, where a plain union would only say "invalid input".
 */
export const deltaPartSchema = z.unknown().transform((value, ctx): DeltaPart => {
  const type = typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
  const schema =
    typeof type === 'string' ? (type.startsWith('data-') ? dataPartSchema : builtInByType.get(type)) : undefined;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `unknown part type ${JSON.stringify(type)}: expected ${[...builtInByType.keys()].join(', ')} or data-<name>`,
    });
    return z.NEVER;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as DeltaPart;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: `${type}: ${issue.message}` });
  }
  return z.NEVER;
});

export type BuiltInPart = z.infer<typeof builtInPartSchema>;
export type DataPart = z.infer<typeof dataPartSchema>;
export type DeltaPartType = BuiltInPart['type'] | `data-${string}`;
export type JsonValue = z.infer<ReturnType<typeof z.json>>;

/** Why the model stopped, in the AI SDK's words. */
export const finishReasons = ['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other'] as const;
export const finishReasonSchema = z.enum(finishReasons);
export type FinishReason = z.infer<typeof finishReasonSchema>;

/** Tokens the provider reported for a whole run (every step added up). */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

/**
 * Checks an app's data part against the app's own schemas (`{ weather: z.object(…) }` for `data-weather`):
 * the typed payload, or null for a part of another name or a payload that does not fit.
 */
export function parseDataPart<Schemas extends Record<string, z.ZodType>>(
  schemas: Schemas,
  part: DataPart,
):
  | { [Name in keyof Schemas & string]: { name: Name; id?: string; data: z.output<Schemas[Name]> } }[keyof Schemas &
      string]
  | null {
  const name = part.type.slice('data-'.length);
  const schema = Object.hasOwn(schemas, name) ? schemas[name] : undefined;
  if (!schema) return null;
  const parsed = schema.safeParse(part.data);
  if (!parsed.success) return null;
  return { name, ...(part.id === undefined ? {} : { id: part.id }), data: parsed.data } as never;
}
