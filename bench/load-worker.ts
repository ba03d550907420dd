import type { EtcdLoadSpec } from './load-etcd.ts';
import { runEtcdLoad } from './load-etcd.ts';
import type { HttpLoadSpec } from './load-http.ts';
import { runHttpLoad } from './load-http.ts';

/** The load generator process: one spec in (argv), one result out (stdout), apart from the measured server. */
export type LoadSpec = ({ readonly kind: 'http' } & HttpLoadSpec) | ({ readonly kind: 'etcd' } & EtcdLoadSpec);

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const result = spec.kind === 'http' ? await runHttpLoad(spec) : await runEtcdLoad(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);
