import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { appNames, readText, runTool, type ToolResult } from '../src/repo';

// The deployment files checked by the tools a platform team would use (none of them can run
// here: no Docker engine, no cluster): hadolint, Docker Compose's own `config`, helm lint and
// template, Kubernetes' schemas (kubernetes-validate, offline) and actionlint. Each check is
// shown to fail on a broken variant, so a passing one means something.

const scratch = mkdtempSync(path.join(tmpdir(), 'deploy-checks-'));
const scratchFile = (name: string, content: string) => {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
};
const passes = (result: ToolResult) =>
  expect({ status: result.status, output: result.output }).toMatchObject({ status: 0 });

describe('Dockerfile (hadolint)', () => {
  it('passes hadolint with no finding', () => {
    const result = runTool('hadolint', ['Dockerfile']);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: '' });
  });

  it('hadolint does flag an unpinned package', () => {
    const loose = readText('Dockerfile').replace(/tini="\$\{TINI_VERSION\}"/, 'tini');
    const result = runTool('hadolint', ['-'], { input: loose });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('DL3008');
  });

  it('each runtime image runs as uid 1000 under tini with NODE_ENV=production, servers with a HEALTHCHECK', () => {
    const stages = readText('Dockerfile')
      .split(/^FROM /m)
      .slice(1);
    const runtime = stages.find((s) => /^\S+ AS runtime$/m.test(s)) ?? '';
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node"/m);
    // Inherited by every target; bundles.test.ts runs it against each running bundle.
    expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node"/m);
    for (const app of [...appNames(), 'slack-emulator']) {
      const stage = stages.find((s) => s.startsWith(`runtime AS ${app}\n`));
      expect(stage ? 'stage' : `no target ${app}`).toBe('stage');
      expect(stage).not.toMatch(/^HEALTHCHECK NONE/m);
      expect(stage).not.toMatch(/^USER /m); // stays the runtime's non-root user
    }
    expect(stages.find((s) => s.startsWith('runtime AS provision\n'))).toMatch(/^HEALTHCHECK NONE$/m);
    // No build argument or environment variable that looks like a secret is baked into a layer.
    expect(readText('Dockerfile')).not.toMatch(/^(ARG|ENV)\s+\S*(SECRET|TOKEN|PASSWORD|KEY)/im);
  });
});

describe('docker-compose.yml (docker compose config)', () => {
  interface Service {
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
    build?: { target: string };
    command?: string[];
    restart?: string;
  }

  it('is a valid Compose project', () => {
    passes(runTool('docker-compose', ['--file', 'docker-compose.yml', 'config', '--quiet']));
  });

  it('Compose does refuse a dependency on a service that does not exist', () => {
    const broken = readText('docker-compose.yml').replace(
      'postgres: { condition: service_healthy }',
      'postgress: { condition: service_healthy }',
    );
    const result = runTool('docker-compose', [
      '--file',
      scratchFile('broken-compose.yml', broken),
      '--project-directory',
      '.',
      'config',
      '--quiet',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/postgress/);
  });

  it('starts each service after provisioning, each job after what it provisions is healthy', () => {
    const resolved = runTool('docker-compose', [
      '--file',
      'docker-compose.yml',
      'config',
      '--format',
      'json',
    ]);
    passes(resolved);
    const { services } = JSON.parse(resolved.stdout) as { services: Record<string, Service> };
    for (const app of appNames()) {
      expect(services[app]?.depends_on).toEqual({
        migrate: expect.objectContaining({ condition: 'service_completed_successfully' }),
        topics: expect.objectContaining({ condition: 'service_completed_successfully' }),
        schemas: expect.objectContaining({ condition: 'service_completed_successfully' }),
      });
      expect(services[app]?.build?.target).toBe(app);
    }
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services.topics?.depends_on?.kafka?.condition).toBe('service_healthy');
    expect(services.schemas?.depends_on?.['schema-registry']?.condition).toBe('service_healthy');
    for (const infra of ['postgres', 'kafka', 'schema-registry'])
      expect(services[infra]?.healthcheck?.test).toBeDefined();
    expect(services.kafka).toMatchObject({ image: expect.stringMatching(/^apache\/kafka:/) });
    expect(services['schema-registry']).toMatchObject({
      image: expect.stringMatching(/^apicurio\/apicurio-registry:/),
    });
  });
});

interface Probe {
  httpGet: { path: string };
}
interface PodSpec {
  securityContext: object;
  containers: {
    securityContext: object;
    livenessProbe: Probe;
    readinessProbe: Probe;
    resources: { requests: object; limits: { memory?: string } };
    envFrom: object[];
  }[];
}

describe('Helm charts (helm lint --strict, helm template, Kubernetes schemas)', () => {
  const charts = appNames();
  const render = (chart: string, args: string[] = []) =>
    runTool('helm', ['template', 'release', `infra/helm/${chart}`, ...args]);
  const production = (chart: string) => ['--values', `infra/helm/${chart}/values-production.yaml`];
  const withCrd = ['--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor'];
  const documents = (manifest: string) =>
    YAML.parseAllDocuments(manifest)
      .map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string; annotations?: Record<string, string> };
          } | null,
      )
      .filter((d): d is NonNullable<typeof d> => d !== null);
  const deployment = (manifest: string) =>
    documents(manifest).find((d) => d.kind === 'Deployment') as unknown as {
      spec: { template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } };
    };

  beforeAll(() => {
    for (const chart of charts)
      passes(runTool('helm', ['dependency', 'update', '--skip-refresh', `infra/helm/${chart}`]));
  });

  describe.each(charts)('%s', (chart) => {
    it.each([
      ['default values', []],
      ['production values', production(chart)],
    ])('passes helm lint --strict with its %s', (_name, values) => {
      passes(runTool('helm', ['lint', '--strict', `infra/helm/${chart}`, ...(values as string[])]));
    });

    it.each([
      ['default values', [] as string[]],
      ['production values', [...production(chart), ...withCrd]],
    ])('renders with its %s to manifests valid for Kubernetes 1.31 and 1.37', (_name, args) => {
      const rendered = render(chart, args);
      passes(rendered);
      const file = scratchFile(`${chart}-${args.length}.yaml`, rendered.stdout);
      for (const version of ['1.31.0', '1.37.0']) {
        const result = runTool('kubernetes-validate', ['--strict', '--kubernetes-version', version, file]);
        passes(result);
        expect(result.output).not.toMatch(/ERROR|FAIL/);
      }
    });

    it('runs hardened: non-root, read-only root file system, no capabilities, RuntimeDefault seccomp, probes, resources', () => {
      const { spec } = deployment(render(chart).stdout).spec.template;
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const container = spec.containers[0];
      if (!container) throw new Error('no container');
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
      expect(container.resources.limits.memory).toBeDefined();
      expect(container.envFrom).toContainEqual({ secretRef: { name: `coffeebuddy-${chart}` } });
    });

    it('refuses a value its schema does not know (additionalProperties: false), naming it', () => {
      const result = runTool('helm', ['lint', '--strict', `infra/helm/${chart}`, '--set', 'replicas=3']);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/additional properties 'replicas' not allowed/);
    });

    it('renders a ServiceMonitor only where the Prometheus Operator CRD exists', () => {
      const kinds = (args: string[]) => documents(render(chart, args).stdout).map((d) => d.kind);
      expect(kinds([])).not.toContain('ServiceMonitor');
      expect(kinds(withCrd)).toContain('ServiceMonitor');
    });

    it('with Vault, the pod gets the agent annotations and reads the rendered credentials file', () => {
      const manifest = render(chart, production(chart)).stdout;
      const annotations = deployment(manifest).spec.template.metadata.annotations;
      expect(annotations['vault.hashicorp.com/agent-inject']).toBe('true');
      expect(annotations['vault.hashicorp.com/agent-inject-template-database']).toContain('.Data.username');
      const config = documents(manifest).find((d) => d.kind === 'ConfigMap') as unknown as {
        data: Record<string, string>;
      };
      expect(config.data).toMatchObject({
        DATABASE_CREDENTIALS_FILE: '/vault/secrets/database',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: `coffeebuddy-${chart}`,
        KAFKA_SASL_PASSWORD_FILE: '/vault/secrets/kafka-password',
        KAFKA_SSL: 'true',
      });
    });

    it('refuses a database URL carrying a password (it would land in a ConfigMap)', () => {
      const result = render(chart, ['--set', 'database.url=postgresql://app:hunter2@db:5432/coffeebuddy']);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/database.url carries a password/);
    });
  });

  it('exactly one chart runs the provisioning Job, as a pre-install/pre-upgrade hook', () => {
    const hooks = charts.flatMap((chart) =>
      documents(render(chart).stdout)
        .filter((d) => d.kind === 'Job')
        .map((d) => ({ chart, hook: d.metadata.annotations?.['helm.sh/hook'] })),
    );
    expect(hooks).toEqual([{ chart: 'slack-gateway', hook: 'pre-install,pre-upgrade' }]);
  });
});

describe('GitHub workflows (actionlint)', () => {
  it('passes actionlint', () => {
    const result = runTool('actionlint', ['-no-color']);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: '' });
  });

  it('actionlint does flag a broken expression', () => {
    const broken = readText('.github/workflows/ci.yml').replace('github.workflow }}', 'github.workflw }}');
    const result = runTool('actionlint', ['-no-color', scratchFile('ci.yml', broken)]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/workflw/);
  });
});
