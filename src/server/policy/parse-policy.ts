import { parse as parseHcl } from '@cdktf/hcl2json';
import { parseDurationMs } from '../../lib/duration.ts';
import { SealboxError } from '../../lib/errors.ts';
import type { Capability } from './acl.ts';
import type { ParsedPolicy, PolicyRule } from './parsed-policy.ts';
import type { ParameterMap, Permissions } from './permissions.ts';
import { CAPABILITY_BITS, DENY_PERMISSIONS } from './permissions.ts';

type Block = Record<string, unknown>;

const SOURCE_NAME = 'policy.hcl';

/** `name` is accepted from very old policies and ignored: the name comes from the URL. */
const TOP_LEVEL_KEYS = new Set(['name', 'path']);

const RULE_KEYS = new Set([
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
  'comment',
]);

/** Capabilities of features Sealbox lacks: accepted so Vault's policies load, but they grant nothing. */
const IGNORED_CAPABILITIES = new Set(['subscribe', 'recover', 'scan']);

/** The pre-0.5 `policy = "…"` shorthand. */
const LEGACY_POLICIES: Readonly<Record<string, readonly string[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

/**
 * Parses and validates an ACL policy in HCL or JSON. Every problem is a 400 carrying Vault's
 * message (`failed to parse policy: …`). The HCL parser is WebAssembly and slow to start, so
 * callers parse once per write and cache the result.
 */
export async function parsePolicy(text: string): Promise<ParsedPolicy> {
  const document = await readDocument(text);
  const unknownKeys = Object.keys(document).filter((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknownKeys.length > 0) throw policyError(errorList(unknownKeys.map((key) => invalidKey(text, key, 0))));
  return { rules: pathBlocks(document['path']).map(([label, body]) => parseRule(text, label, body)) };
}

async function readDocument(text: string): Promise<Block> {
  // HCL 2 has no JSON mode of its own here; Vault's HCL 1 parser accepted JSON documents directly.
  const document = text.trimStart().startsWith('{') ? readJson(text) : await readHcl(text);
  if (!isBlock(document)) throw policyError('does not contain a root object');
  return document;
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw policyError(error instanceof Error ? error.message : 'invalid JSON');
  }
}

async function readHcl(text: string): Promise<unknown> {
  try {
    return await parseHcl(SOURCE_NAME, text);
  } catch (error) {
    throw policyError(hclMessage(error));
  }
}

/** `parse config: [policy.hcl:4,1-2: Summary; Detail.]` becomes `At 4:1: Summary; Detail.`, as HCL 1 put it. */
function hclMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const body = /^parse config: \[([\s\S]*)\]$/.exec(message)?.[1] ?? message;
  return body.replace(/policy\.hcl:(\d+),(\d+)(?:-[\d,]+)?: /g, 'At $1:$2: ');
}

/**
 * `path` blocks in every shape they arrive in: hcl2json's `{label: [body, …]}`, and the JSON
 * forms `{label: body}` and `[{label: body}, …]`.
 */
function pathBlocks(value: unknown): Array<[string, Block]> {
  if (value === undefined) return [];
  const blocks: Array<[string, Block]> = [];
  for (const group of Array.isArray(value) ? value : [value]) {
    if (!isBlock(group)) throw policyError('each path block needs the path it applies to as its label');
    for (const [label, bodies] of Object.entries(group)) {
      for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
        if (!isBlock(body)) throw policyError(`path ${quote(label)}: expected a block of settings`);
        blocks.push([label, body]);
      }
    }
  }
  return blocks;
}

function parseRule(text: string, label: string, body: Block): PolicyRule {
  const unknownKeys = Object.keys(body).filter((key) => !RULE_KEYS.has(key));
  if (unknownKeys.length > 0) {
    const from = lineContaining(text, quote(label), 0);
    throw policyError(errorList(unknownKeys.map((key) => `path ${quote(label)}: ${invalidKey(text, key, from)}`)));
  }
  const path = label.startsWith('/') ? label.slice(1) : label;
  if (path.includes('+*')) throw policyError(`path ${quote(path)}: invalid use of wildcards ('+*' is forbidden)`);
  return { path, templated: path.includes('{{'), permissions: parsePermissions(label, path, body) };
}

function parsePermissions(label: string, path: string, body: Block): Permissions {
  let bits = 0;
  for (const name of capabilityNames(label, body)) {
    // As in Vault, deny ends the rule: nothing after it, parameters included, is even looked at.
    if (name === 'deny') return DENY_PERMISSIONS;
    if (IGNORED_CAPABILITIES.has(name)) continue;
    if (!Object.hasOwn(CAPABILITY_BITS, name)) throw policyError(`path ${quote(label)}: invalid capability ${quote(name)}`);
    bits |= CAPABILITY_BITS[name as Capability];
  }
  const allowedParameters = parameterMap(body['allowed_parameters'], path, 'allowed_parameters');
  const deniedParameters = parameterMap(body['denied_parameters'], path, 'denied_parameters');
  const minWrappingTtl = wrappingTtl(body['min_wrapping_ttl'], 'min_wrapping_ttl');
  const maxWrappingTtl = wrappingTtl(body['max_wrapping_ttl'], 'max_wrapping_ttl');
  if (minWrappingTtl !== 0 && maxWrappingTtl !== 0 && maxWrappingTtl < minWrappingTtl) {
    throw policyError('max_wrapping_ttl cannot be less than min_wrapping_ttl');
  }
  const requiredParameters = stringList(body['required_parameters'], label, 'required_parameters');
  return { bits, minWrappingTtl, maxWrappingTtl, allowedParameters, deniedParameters, requiredParameters };
}

/** `capabilities` plus what a legacy `policy` adds; a legacy deny replaces everything. */
function capabilityNames(label: string, body: Block): readonly string[] {
  const capabilities = stringList(body['capabilities'], label, 'capabilities');
  const legacy = body['policy'];
  if (legacy === undefined || legacy === '') return capabilities;
  const mapped = typeof legacy === 'string' && Object.hasOwn(LEGACY_POLICIES, legacy) ? LEGACY_POLICIES[legacy] : undefined;
  if (mapped === undefined) throw policyError(`path ${quote(label)}: invalid policy ${quote(String(legacy))}`);
  return legacy === 'deny' ? mapped : [...capabilities, ...mapped];
}

/** A list of strings; a lone string is a list of one, as HCL 1 decoded it. */
function stringList(value: unknown, label: string, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw policyError(`path ${quote(label)}: ${field}: expected a list of strings`);
}

/** Parameter name (lower-cased) to the values it may or may not take; a lone value is a list of one. */
function parameterMap(value: unknown, path: string, field: string): ParameterMap {
  const map = new Map<string, readonly unknown[]>();
  if (value === undefined || value === null) return map;
  // A block (`allowed_parameters { … }`) comes back from hcl2json as a list of maps.
  for (const entries of Array.isArray(value) ? value : [value]) {
    if (!isBlock(entries)) throw policyError(`path ${quote(path)}: ${field}: expected a map of parameter names to lists of values`);
    for (const [key, values] of Object.entries(entries)) {
      map.set(key.toLowerCase(), values === null ? [] : Array.isArray(values) ? values : [values]);
    }
  }
  return map;
}

/** Whole seconds; 0 when unset. */
function wrappingTtl(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDurationMs(value) : undefined;
  if (ms === undefined) throw policyError(`error parsing ${field}: time: invalid duration ${quote(String(value))}`);
  return Math.floor(ms / 1000);
}

function invalidKey(text: string, key: string, fromLine: number): string {
  const line = keyLine(text, key, fromLine);
  return `invalid key ${quote(key)}${line === undefined ? '' : ` on line ${line}`}`;
}

/**
 * The parser reports no positions, so the line of an unknown key is found in the text: the first
 * line at or after `fromLine` (0-based) that assigns it or opens a block with it.
 */
function keyLine(text: string, key: string, fromLine: number): number | undefined {
  const pattern = new RegExp(`(?:^|[\\s{,])"?${escapeRegExp(key)}"?\\s*[=:{"]`);
  const index = text.split('\n').findIndex((line, i) => i >= fromLine && pattern.test(line));
  return index === -1 ? undefined : index + 1;
}

function lineContaining(text: string, needle: string, fromLine: number): number {
  const index = text.split('\n').findIndex((line, i) => i >= fromLine && line.includes(needle));
  return index === -1 ? 0 : index;
}

/** go-multierror's rendering, which Vault's messages carry. */
function errorList(problems: readonly string[]): string {
  const count = problems.length === 1 ? '1 error occurred' : `${problems.length} errors occurred`;
  return `${count}:\n${problems.map((problem) => `\t* ${problem}`).join('\n')}\n\n`;
}

function policyError(message: string): SealboxError {
  return new SealboxError('invalid_request', `failed to parse policy: ${message}`);
}

/** Go's %q for the strings that occur here. */
function quote(text: string): string {
  return JSON.stringify(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isBlock(value: unknown): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
