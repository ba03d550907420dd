/** The name of the HA lock that the active node holds (the etcd key `<prefix>core/lock/active`). */
export const ACTIVE_NODE_LOCK = 'active';
