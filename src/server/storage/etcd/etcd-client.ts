import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import { SealboxError } from '../../../lib/errors.ts';
import type { EtcdStorageConfig } from '../../config/server-config.ts';

/** An etcd3 client for the configured endpoints, TLS files and credentials. */
export async function createEtcdClient(config: EtcdStorageConfig): Promise<Etcd3> {
  const options: IOptions = {
    hosts: [...config.endpoints],
    // Every unary call gets a deadline, so that nothing can hang on a dead cluster; streams
    // (watches, lease keepalives) live on and are supervised separately.
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: new Date(Date.now() + config.requestTimeoutMs) },
    // One read-only Txn answers many gets at once, each value up to etcd's 1.5 MiB request limit:
    // past gRPC's default 4 MiB a batch would fail. etcd's own client sets no limit either.
    grpcOptions: { 'grpc.max_receive_message_length': -1 },
  };
  const credentials = await tlsCredentials(config);
  if (credentials !== undefined) options.credentials = credentials;
  if (config.username !== undefined) {
    options.auth = { username: config.username, password: config.password ?? '' };
  }
  return new Etcd3(options);
}

async function tlsCredentials(config: EtcdStorageConfig): Promise<IOptions['credentials']> {
  const { tlsCaFile, tlsCertFile, tlsKeyFile } = config;
  if (tlsCaFile === undefined && tlsCertFile === undefined && tlsKeyFile === undefined) return undefined;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new SealboxError('config_invalid', 'storage.etcd: tls_cert_file and tls_key_file must be set together');
  }
  const rootCertificate =
    tlsCaFile === undefined ? Buffer.from(rootCertificates.join('\n')) : await readTlsFile(tlsCaFile, 'tls_ca_file');
  if (tlsCertFile === undefined || tlsKeyFile === undefined) return { rootCertificate };
  return {
    rootCertificate,
    certChain: await readTlsFile(tlsCertFile, 'tls_cert_file'),
    privateKey: await readTlsFile(tlsKeyFile, 'tls_key_file'),
  };
}

async function readTlsFile(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SealboxError('config_invalid', `storage.etcd: cannot read ${field} ${path}`, { cause: error });
  }
}
