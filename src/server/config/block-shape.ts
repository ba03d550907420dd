import { z } from 'zod';

/**
 * The same config arrives in two shapes. hcl2json turns every block into a list
 * (`listener "tcp" {}` -> {"listener": {"tcp": [{}]}}, `telemetry {}` -> {"telemetry": [{}]}),
 * while Vault's JSON form writes blocks as objects ({"storage": {"file": {...}}}) or, for
 * repeatable ones, a list of them ({"listener": [{"tcp": {...}}, {"tcp": {...}}]}).
 * These helpers fold both into one shape before validation, so error paths read the same.
 */

/**
 * Keys a block does not know are either stripped (the parse that builds the config) or reported
 * (the parse that collects warnings). Vault ignores unknown keys; so do we, but we say so.
 */
export type UnknownKeys = 'strip' | 'report';

export function blockObject<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  unknownKeys: UnknownKeys,
): z.ZodObject<Shape> {
  // Strict and stripping objects have the same static type; only their parsing differs.
  return unknownKeys === 'report' ? z.strictObject(shape) : z.object(shape);
}

/**
 * Folds labelled blocks into {label: [body, ...]}, whether written as {label: body},
 * {label: [body]} or a list of those. Anything else passes through for the schema to reject.
 */
export function groupByLabel(value: unknown): unknown {
  const entries = Array.isArray(value) ? value : [value];
  if (!entries.every(isPlainObject)) return value;
  // A Map, so a label such as "__proto__" is just a label.
  const grouped = new Map<string, unknown[]>();
  for (const entry of entries) {
    for (const [label, body] of Object.entries(entry)) {
      const bodies = grouped.get(label) ?? [];
      bodies.push(...(Array.isArray(body) ? body : [body]));
      grouped.set(label, bodies);
    }
  }
  return Object.fromEntries(grouped);
}

/** A block that may appear once: unwraps hcl2json's one-element list, rejects a second block. */
export function singleBlock<Schema extends z.ZodType>(schema: Schema, name: string) {
  return z.preprocess((value, ctx) => {
    if (!Array.isArray(value) || value.length === 0) return value;
    if (value.length > 1) ctx.addIssue(`only one ${name} block is allowed`);
    return value[0];
  }, schema);
}

/** Reports labels (block types) that the schema does not implement, naming the ones it does. */
export function rejectUnsupportedLabels(kind: string, supported: readonly string[]) {
  return (blocks: object, ctx: z.core.$RefinementCtx): void => {
    for (const label of Object.keys(blocks)) {
      if (supported.includes(label)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [label],
        message: `unsupported ${kind} type ${JSON.stringify(label)}; supported: ${supported.join(', ')}`,
      });
    }
  };
}

/**
 * For refinements across a block's fields. Zod skips refinements once any field failed; these run
 * anyway, so every problem is reported at once, but only on an object: a refinement must then
 * expect fields that failed to still hold their raw input.
 */
export const EVEN_AFTER_FIELD_ERRORS = {
  when: (payload: { value: unknown }) => isPlainObject(payload.value),
} as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
