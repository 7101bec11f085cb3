import { existsSync } from 'node:fs';
import path from 'node:path';
import { SERVICES } from '@coffeebuddy/contracts';
import { appNames, NON_SERVICE_DEPLOYABLES, packageDir, ROOT, readText, readYaml } from '../src/repo';

// Adding a service is one small step per place; this suite names the step that was forgotten.
// The admin-service and reminder-worker being built now must show up everywhere below.

const apps = appNames();
const deployables = [...apps, ...Object.keys(NON_SERVICE_DEPLOYABLES)];
const dockerTargets = [...readText('Dockerfile').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
const compose = readYaml<{ services: Record<string, { build?: { target?: string } }> }>('docker-compose.yml');
const imagesWorkflow = readYaml<{ jobs: { image: { strategy: { matrix: { target: string[] } } } } }>(
  '.github/workflows/images.yml',
);
const deployPackage = JSON.parse(readText('tests/deploy/package.json')) as {
  devDependencies: Record<string, string>;
};

it('finds the services of apps/', () => {
  expect(apps).toEqual(expect.arrayContaining(['slack-gateway', 'runs-service', 'orders-service']));
});

describe.each(apps)('service %s', (app) => {
  it('has a Helm chart: Chart.yaml, values.yaml, values-production.yaml, the shared schema, templates/all.yaml', () => {
    const chart = path.join('infra', 'helm', app);
    for (const file of ['Chart.yaml', 'values.yaml', 'values-production.yaml', 'templates/all.yaml'])
      expect(existsSync(path.join(ROOT, chart, file)) ? file : `missing ${chart}/${file}`).toBe(file);
    expect(readYaml(`${chart}/Chart.yaml`)).toMatchObject({ name: app, type: 'application' });
    // One schema for every service chart; copy infra/helm/service-values.schema.json.
    expect(readText(`${chart}/values.schema.json`)).toBe(readText('infra/helm/service-values.schema.json'));
  });

  it('is a Kafka principal with its ACLs (packages/contracts/src/acl.ts SERVICES)', () => {
    expect(SERVICES).toContain(app);
  });

  it('has a SCRAM user on the local broker (infra/local/kafka.sh SCRAM_USERS)', () => {
    expect(readText('infra/local/kafka.sh')).toContain(`  coffeebuddy-${app}\n`);
  });
});

describe.each(deployables)('deployable %s', (name) => {
  it('builds a bundle (a build script running scripts/bundle.mjs) that the bundle test builds first', () => {
    const pkg = JSON.parse(readText(`${packageDir(name)}/package.json`)) as {
      name: string;
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toMatch(/scripts\/bundle\.mjs/);
    expect(Object.keys(deployPackage.devDependencies)).toContain(pkg.name);
  });

  it('has a Dockerfile target, a docker-compose service built from it and an image build on main', () => {
    expect(dockerTargets).toContain(name);
    const composed = Object.values(compose.services).filter((s) => s.build?.target === name);
    expect(composed.length).toBeGreaterThan(0);
    expect(imagesWorkflow.jobs.image.strategy.matrix.target).toContain(name);
  });
});

it('composes and builds nothing that is not a deployable', () => {
  const built = Object.values(compose.services).flatMap((s) => (s.build?.target ? [s.build.target] : []));
  expect([...new Set(built)].sort()).toEqual([...deployables].sort());
  expect([...imagesWorkflow.jobs.image.strategy.matrix.target].sort()).toEqual([...deployables].sort());
  expect(dockerTargets.filter((t) => !['build', 'runtime'].includes(t as string)).sort()).toEqual(
    [...deployables].sort(),
  );
});
