// The pod runner against a real control plane: what a kubelet does for the operator's pods.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { useCluster } from '../test-cluster.ts';
import type { TestCluster } from '../test-cluster.ts';
import { waitUntil } from '../wait-until.ts';

const cluster = useCluster(test);
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };

async function createPod(c: TestCluster, namespace: string, pod: V1Pod): Promise<void> {
  await c.kubeConfig().makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: pod });
}

function waitPod(c: TestCluster, namespace: string, name: string, what: string, check: (pod: V1Pod) => boolean): Promise<V1Pod> {
  const core = c.kubeConfig().makeApiClient(CoreV1Api);
  return waitUntil(
    async () => {
      const pod = await core.readNamespacedPod({ namespace, name });
      return check(pod) ? pod : undefined;
    },
    { ...WAIT, what: `${namespace}/${name}: ${what}` },
  );
}

function container(pod: V1Pod, name = 'main'): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((status) => status.name === name);
}

function isReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

test('volumes, env and the service account token are visible to the container, in its own mount namespace', async (t) => {
  const c = cluster();
  const core = c.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = await c.createNamespace('runner-volumes');
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { greeting: 'hello-from-configmap', mode: 'fast' } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, stringData: { password: 'hunter2-from-secret' } } });
  const script = [
    'echo "config=$(cat /etc/demo/config/greeting)"',
    'echo "secret=$(cat /etc/demo/secret/password)"',
    'echo "labels=$(cat /etc/podinfo/labels)"',
    'echo "env=$GREETING/$PASSWORD/$MY_NAME/$MY_IP/$CFG_mode"',
    'echo "hostname=$(hostname)"',
    'echo "ca=$(head -c 27 /var/run/secrets/kubernetes.io/serviceaccount/ca.crt)"',
    'echo "namespace=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"',
    'echo "token=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"',
    'echo scratch >/scratch/file && echo "scratch=$(cat /scratch/file)"',
    'echo "api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
  ].join('; ');
  await createPod(c, namespace, {
    metadata: { name: 'reader', labels: { app: 'reader' } },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', script],
          env: [
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/demo/config' },
            { name: 'secret', mountPath: '/etc/demo/secret' },
            { name: 'podinfo', mountPath: '/etc/podinfo' },
            { name: 'scratch', mountPath: '/scratch' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'settings' } },
        { name: 'secret', secret: { secretName: 'creds' } },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'scratch', emptyDir: {} },
      ],
    },
  });
  const pod = await waitPod(c, namespace, 'reader', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  const logs = await c.runner.logs(namespace, 'reader', 'main');
  const ip = pod.status?.podIP ?? '';
  t.true(ip.startsWith('127.') && ip !== '127.0.0.1', ip);
  t.regex(logs, /^config=hello-from-configmap$/m);
  t.regex(logs, /^secret=hunter2-from-secret$/m);
  t.regex(logs, /^labels=app="reader"$/m);
  t.true(logs.includes(`env=hello-from-configmap/hunter2-from-secret/reader/${ip}/fast`), logs);
  t.regex(logs, /^hostname=reader$/m);
  t.regex(logs, /^ca=-----BEGIN CERTIFICATE-----$/m);
  t.regex(logs, new RegExp(`^namespace=${namespace}$`, 'm'));
  t.regex(logs, /^scratch=scratch$/m);
  t.regex(logs, new RegExp(`^api=127\\.0\\.0\\.1:${c.controlPlane.port}$`, 'm'));
  t.is(container(pod)?.state?.terminated?.exitCode, 0);

  const token = /^token=(.+)$/m.exec(logs)?.[1] ?? '';
  const review = await c.kubeConfig().makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
  t.true(review.status?.authenticated, 'the projected token authenticates');
  t.is(review.status?.user?.username, `system:serviceaccount:${namespace}:default`);

  // The mounts lived in the container's namespace only: the host sees no secret under the mount path.
  t.false(existsSync('/etc/demo/secret/password'));
  t.false(existsSync('/etc/demo/secret') && readdirSync('/etc/demo/secret').length > 0);
});

test('init containers run to completion, in order, before the containers', async (t) => {
  const c = cluster();
  const namespace = await c.createNamespace('runner-init');
  await createPod(c, namespace, {
    metadata: { name: 'ordered' },
    spec: {
      restartPolicy: 'Never',
      initContainers: [
        { name: 'first', image: 'busybox', command: ['sh', '-c', 'echo first >>/shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
        { name: 'second', image: 'busybox', command: ['sh', '-c', 'echo second >>/shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
      ],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      volumes: [{ name: 'shared', emptyDir: {} }],
    },
  });
  const pod = await waitPod(c, namespace, 'ordered', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  t.is(await c.runner.logs(namespace, 'ordered', 'main'), 'first\nsecond\n');
  t.deepEqual(pod.status?.initContainerStatuses?.map((status) => status.state?.terminated?.reason), ['Completed', 'Completed']);
  t.true(pod.status?.conditions?.some((condition) => condition.type === 'Initialized' && condition.status === 'True'));
});

test('restart policies: OnFailure restarts with a count and the last state, Never fails the pod', async (t) => {
  const c = cluster();
  const namespace = await c.createNamespace('runner-restart');
  await createPod(c, namespace, {
    metadata: { name: 'crasher' },
    spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo run; exit 3'] }] },
  });
  await createPod(c, namespace, {
    metadata: { name: 'quitter' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 7'] }] },
  });
  const crasher = await waitPod(c, namespace, 'crasher', 'restarted twice', (p) => (container(p)?.restartCount ?? 0) >= 2);
  t.is(container(crasher)?.lastState?.terminated?.exitCode, 3);
  t.is(container(crasher)?.lastState?.terminated?.reason, 'Error');
  t.regex(await c.runner.logs(namespace, 'crasher', 'main'), /^run\nrun\n/);

  const quitter = await waitPod(c, namespace, 'quitter', 'Failed', (p) => p.status?.phase === 'Failed');
  t.is(container(quitter)?.state?.terminated?.exitCode, 7);
  t.is(container(quitter)?.restartCount, 0);
});

test('probes: readiness over HTTP and TCP, a failing exec liveness probe restarts the container', async (t) => {
  const c = cluster();
  const namespace = await c.createNamespace('runner-probes');
  await createPod(c, namespace, {
    metadata: { name: 'served' },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', 'mkdir -p /www && echo ok >/www/healthz && exec httpd -f -p $(POD_IP):8080 -h /www'],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
          livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          volumeMounts: [{ name: 'www', mountPath: '/www' }],
        },
      ],
      volumes: [{ name: 'www', emptyDir: {} }],
    },
  });
  await createPod(c, namespace, {
    metadata: { name: 'sickly' },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          // The probe sees /state only inside the container's mount namespace: on the host it
          // stays empty, so a probe run outside would pass for ever.
          command: ['sh', '-c', 'echo started; touch /state/sick; exec sleep 3600'],
          livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e /state/sick'] }, periodSeconds: 1, failureThreshold: 1 },
          volumeMounts: [{ name: 'state', mountPath: '/state' }],
        },
      ],
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'state', emptyDir: {} }],
    },
  });
  const served = await waitPod(c, namespace, 'served', 'Ready', isReady);
  t.is(container(served)?.ready, true);
  t.is(container(served)?.restartCount, 0);
  t.is(await (await fetch(`http://${served.status?.podIP}:8080/healthz`)).text(), 'ok\n');

  const sickly = await waitPod(c, namespace, 'sickly', 'restarted by its liveness probe', (p) => (container(p)?.restartCount ?? 0) >= 1);
  t.truthy(container(sickly)?.lastState?.terminated);
  t.regex(await c.runner.logs(namespace, 'sickly', 'main'), /^started\n/);
});

test('deletion honours the grace period: SIGTERM first, SIGKILL when it is over, then the pod is gone', async (t) => {
  const c = cluster();
  const core = c.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = await c.createNamespace('runner-grace');
  const looping = (trap: string) => ['sh', '-c', `${trap}; echo up; while true; do sleep 0.1; done`];
  await createPod(c, namespace, {
    metadata: { name: 'polite' },
    spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'main', image: 'busybox', command: looping('trap "echo got TERM; exit 0" TERM') }] },
  });
  await createPod(c, namespace, {
    metadata: { name: 'stubborn' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: looping('trap "echo ignoring TERM" TERM') }] },
  });
  for (const name of ['polite', 'stubborn']) await waitPod(c, namespace, name, 'Running', (p) => container(p)?.state?.running !== undefined);
  for (const name of ['polite', 'stubborn']) {
    await waitUntil(async () => ((await c.runner.logs(namespace, name, 'main')).includes('up') ? true : undefined), { ...WAIT, what: `${name} to start` });
    await core.deleteNamespacedPod({ namespace, name });
  }
  await waitUntil(
    async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined),
    { ...WAIT, what: 'both pods to be gone' },
  );
  t.regex(await c.runner.logs(namespace, 'polite', 'main'), /got TERM/);
  t.regex(await c.runner.logs(namespace, 'stubborn', 'main'), /ignoring TERM/);
});

test('the sealbox image runs the work tree CLI on its pod address', async (t) => {
  const c = cluster();
  const namespace = await c.createNamespace('runner-sealbox');
  await createPod(c, namespace, {
    metadata: { name: 'sealbox' },
    spec: {
      containers: [
        {
          name: 'sealbox',
          image: 'sealbox:dev',
          args: ['server', '-dev', '-dev-listen-address', '0.0.0.0:8200'],
          readinessProbe: { httpGet: { path: '/v1/sys/health', port: 8200 }, periodSeconds: 1 },
        },
      ],
    },
  });
  const pod = await waitPod(c, namespace, 'sealbox', 'Ready', isReady);
  const health = (await (await fetch(`http://${pod.status?.podIP}:8200/v1/sys/health`)).json()) as { initialized?: boolean; sealed?: boolean };
  t.is(health.initialized, true);
  t.is(health.sealed, false);
});

test('an image without a local command waits with ErrImagePull / ImagePullBackOff', async (t) => {
  const c = cluster();
  const namespace = await c.createNamespace('runner-image');
  await createPod(c, namespace, { metadata: { name: 'unknown' }, spec: { containers: [{ name: 'main', image: 'example.com/no-such-image:1' }] } });
  const pulling = (p: V1Pod) => ['ErrImagePull', 'ImagePullBackOff'].includes(container(p)?.state?.waiting?.reason ?? '');
  const pod = await waitPod(c, namespace, 'unknown', 'ErrImagePull', pulling);
  t.regex(container(pod)?.state?.waiting?.message ?? '', /no local command/);
  t.is(pod.status?.phase, 'Pending');
});

test('a ConfigMap update reaches the running container; a claim outlives its pod', async (t) => {
  const c = cluster();
  const core = c.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = await c.createNamespace('runner-refresh');
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'live' }, data: { value: 'one' } } });
  const watcher = (name: string, script: string): V1Pod => ({
    metadata: { name },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', script],
          volumeMounts: [
            { name: 'live', mountPath: '/etc/live' },
            { name: 'data', mountPath: '/data' },
          ],
        },
      ],
      terminationGracePeriodSeconds: 1,
      volumes: [
        { name: 'live', configMap: { name: 'live' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      ],
    },
  });
  const follow = 'last=; while true; do v=$(cat /etc/live/value); if [ "$v" != "$last" ]; then echo "value=$v"; last=$v; fi; sleep 0.2; done';
  await createPod(c, namespace, watcher('first', `echo kept >/data/file; ${follow}`));
  const sawValue = (pod: string, value: string) =>
    waitUntil(async () => ((await c.runner.logs(namespace, pod, 'main')).includes(`value=${value}\n`) ? true : undefined), { ...WAIT, what: `${pod} to see ${value}` });
  await sawValue('first', 'one');
  await core.replaceNamespacedConfigMap({ namespace, name: 'live', body: { metadata: { name: 'live' }, data: { value: 'two' } } });
  await sawValue('first', 'two');

  await core.deleteNamespacedPod({ namespace, name: 'first' });
  await createPod(c, namespace, { ...watcher('second', 'echo "claim=$(cat /data/file)"; sleep 3600') });
  await waitUntil(async () => ((await c.runner.logs(namespace, 'second', 'main')).includes('claim=kept') ? true : undefined), {
    ...WAIT,
    what: 'the second pod to read the claim',
  });
  t.pass();
});

test('lifecycle: a sidecar starts before the containers, postStart and preStop hooks run inside the container', async (t) => {
  const c = cluster();
  const core = c.kubeConfig().makeApiClient(CoreV1Api);
  const namespace = await c.createNamespace('runner-hooks');
  const shared = [{ name: 'shared', mountPath: '/shared' }];
  await createPod(c, namespace, {
    metadata: { name: 'hooked' },
    spec: {
      terminationGracePeriodSeconds: 10,
      initContainers: [
        {
          name: 'sidecar',
          image: 'busybox',
          restartPolicy: 'Always',
          command: ['sh', '-c', 'echo sidecar >/shared/sidecar; exec sleep 3600'],
          startupProbe: { exec: { command: ['test', '-e', '/shared/sidecar'] }, periodSeconds: 1 },
          volumeMounts: shared,
        },
      ],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', `echo "saw $(cat /shared/sidecar)"; trap 'echo "TERM after $(cat /shared/poststart) and $(cat /shared/prestop)"; exit 0' TERM; while true; do sleep 0.1; done`],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'echo poststart >/shared/poststart'] } },
            preStop: { exec: { command: ['sh', '-c', 'echo prestop >/shared/prestop'] } },
          },
          volumeMounts: shared,
        },
      ],
      volumes: [{ name: 'shared', emptyDir: {} }],
    },
  });
  const pod = await waitPod(c, namespace, 'hooked', 'Ready', isReady);
  t.is(pod.status?.initContainerStatuses?.[0]?.state?.running !== undefined, true, 'the sidecar keeps running');
  await core.deleteNamespacedPod({ namespace, name: 'hooked' });
  await waitUntil(async () => ((await c.runner.logs(namespace, 'hooked', 'main')).includes('TERM after') ? true : undefined), {
    ...WAIT,
    what: 'the container to get SIGTERM',
  });
  const logs = await c.runner.logs(namespace, 'hooked', 'main');
  t.regex(logs, /^saw sidecar$/m);
  t.regex(logs, /^TERM after poststart and prestop$/m, 'postStart ran, and preStop before SIGTERM');
});
