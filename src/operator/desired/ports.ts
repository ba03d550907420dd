/** Ports of the server container; the metrics port comes from the spec. */
export const API_PORT = 8200;
export const CLUSTER_PORT = 8201;

export const CONFIG_DIR = '/vault/config';
export const CONFIG_FILE = 'config.json';
export const AUDIT_DIR = '/vault/audit';
export const AUDIT_FILE = `${AUDIT_DIR}/audit.log`;
export const AUDIT_SOCKET = `${AUDIT_DIR}/audit.sock`;
export const TLS_DIR = '/vault/tls';
export const ETCD_TLS_DIR = '/vault/etcd-tls';
export const TMP_DIR = '/vault/tmp';
