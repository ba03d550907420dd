// The CRD YAML is the source of the VaultCluster schema; the TypeScript types must say the same.
// This walks both with the TypeScript compiler's type checker: every property on one side exists
// on the other, with the same kind of value, enum members and optionality (a field is required in
// TypeScript exactly when the schema requires it or gives it a default).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import ts from 'typescript';

const TYPES_FILE = fileURLToPath(new URL('../../../src/operator/api/vault-cluster.ts', import.meta.url));
const CRD_FILE = fileURLToPath(new URL('../../../crds/vaultclusters.sealbox.dev.yaml', import.meta.url));

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

function crdSchema(): SchemaNode {
  const crd = parseYaml(readFileSync(CRD_FILE, 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] } };
  const version = crd.spec.versions.find((candidate) => candidate.name === 'v1alpha1');
  if (version === undefined) throw new Error('the CRD has no v1alpha1 version');
  return version.schema.openAPIV3Schema;
}

function checker(): { checker: ts.TypeChecker; type(name: string): ts.Type } {
  const program = ts.createProgram([TYPES_FILE], { strict: true, noEmit: true, target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true });
  const source = program.getSourceFile(TYPES_FILE);
  if (source === undefined) throw new Error('cannot load the types file');
  const typeChecker = program.getTypeChecker();
  return {
    checker: typeChecker,
    type(name) {
      const module = typeChecker.getSymbolAtLocation(source);
      const symbol = module === undefined ? undefined : typeChecker.getExportsOfModule(module).find((candidate) => candidate.name === name);
      if (symbol === undefined) throw new Error(`no interface ${name}`);
      return typeChecker.getDeclaredTypeOfSymbol(symbol);
    },
  };
}

/** Differences between a schema node and a TypeScript type, as `path: problem` lines. */
function compare(tc: ts.TypeChecker, schema: SchemaNode, type: ts.Type, path: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  const problems: string[] = [];
  const members = type.isUnion() ? type.types.filter((member) => !(member.flags & ts.TypeFlags.Undefined)) : [type];
  const shown = tc.typeToString(type);
  switch (schema.type) {
    case 'string': {
      if (!members.every((member) => member.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral))) return [`${path}: schema string, TypeScript ${shown}`];
      const literals = members.filter((member) => member.isStringLiteral()).map((member) => (member as ts.StringLiteralType).value).sort();
      const allowed = (schema.enum ?? []).map(String).sort();
      if (literals.length > 0 || allowed.length > 0) {
        if (JSON.stringify(literals) !== JSON.stringify(allowed)) problems.push(`${path}: schema enum [${allowed.join(', ')}], TypeScript ${shown}`);
      }
      return problems;
    }
    case 'integer':
    case 'number':
      return members.every((member) => member.flags & ts.TypeFlags.Number) ? [] : [`${path}: schema ${schema.type}, TypeScript ${shown}`];
    case 'boolean':
      return members.every((member) => member.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) ? [] : [`${path}: schema boolean, TypeScript ${shown}`];
    case 'array': {
      const [only] = members;
      if (members.length !== 1 || only === undefined || !tc.isArrayType(only)) return [`${path}: schema array, TypeScript ${shown}`];
      const element = tc.getTypeArguments(only as ts.TypeReference)[0];
      if (schema.items === undefined || element === undefined) return [`${path}: array without items`];
      return compare(tc, schema.items, element, `${path}[]`);
    }
    case 'object':
      return compareObject(tc, schema, members, path, shown);
    default:
      return [`${path}: schema type ${String(schema.type)} is not covered by this test`];
  }
}

function compareObject(tc: ts.TypeChecker, schema: SchemaNode, members: ts.Type[], path: string, shown: string): string[] {
  const [only] = members;
  if (members.length !== 1 || only === undefined || !(only.flags & ts.TypeFlags.Object)) return [`${path}: schema object, TypeScript ${shown}`];
  if (typeof schema.additionalProperties === 'object') {
    const index = tc.getIndexInfoOfType(only, ts.IndexKind.String);
    if (index === undefined) return [`${path}: schema map, TypeScript ${shown} has no string index`];
    return compare(tc, schema.additionalProperties, index.type, `${path}{}`);
  }
  const problems: string[] = [];
  const schemaProperties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const tsProperties = new Map(tc.getPropertiesOfType(only).map((symbol) => [symbol.name, symbol]));
  for (const [name, child] of Object.entries(schemaProperties)) {
    const symbol = tsProperties.get(name);
    const childPath = `${path}.${name}`;
    if (symbol === undefined) {
      problems.push(`${childPath}: in the schema, missing in TypeScript`);
      continue;
    }
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const mustBePresent = required.has(name) || child.default !== undefined;
    if (optional === mustBePresent) problems.push(`${childPath}: ${mustBePresent ? 'required or defaulted in the schema, optional' : 'optional in the schema, required'} in TypeScript`);
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (declaration === undefined) continue;
    problems.push(...compare(tc, child, tc.getTypeOfSymbolAtLocation(symbol, declaration), childPath));
  }
  for (const name of tsProperties.keys()) {
    if (!(name in schemaProperties)) problems.push(`${path}.${name}: in TypeScript, missing in the schema`);
  }
  return problems;
}

test('VaultClusterSpec matches the CRD schema of spec', (t) => {
  const { checker: tc, type } = checker();
  const spec = crdSchema().properties?.['spec'];
  t.truthy(spec);
  t.deepEqual(compare(tc, spec!, type('VaultClusterSpec'), 'spec'), []);
});

test('VaultClusterStatus matches the CRD schema of status', (t) => {
  const { checker: tc, type } = checker();
  const status = crdSchema().properties?.['status'];
  t.truthy(status);
  t.deepEqual(compare(tc, status!, type('VaultClusterStatus'), 'status'), []);
});

test('the comparison finds a renamed field, a wrong optionality and a wrong enum', (t) => {
  const { checker: tc, type } = checker();
  const schema: SchemaNode = {
    type: 'object',
    required: ['secretShares'],
    properties: {
      secretShare: { type: 'integer' },
      secretThreshold: { type: 'integer' },
      keysSecretRef: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      rootToken: { type: 'object', properties: { store: { type: 'string', enum: ['yes', 'no'] }, secretName: { type: 'string' } } },
    },
  };
  const problems = compare(tc, schema, type('UnsealSpec'), 'unseal');
  t.deepEqual(problems.sort(), [
    'unseal.rootToken.store: schema string, TypeScript boolean',
    'unseal.rootToken.store: optional in the schema, required in TypeScript',
    'unseal.rootToken: optional in the schema, required in TypeScript',
    'unseal.secretShare: in the schema, missing in TypeScript',
    'unseal.secretShares: in TypeScript, missing in the schema',
    'unseal.secretThreshold: optional in the schema, required in TypeScript',
  ].sort());
});
