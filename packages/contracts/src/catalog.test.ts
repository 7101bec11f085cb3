import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { aclEntries, consumerGroupFor, SERVICE_ACCESS, SERVICES } from './acl';
import { MESSAGE_CATALOG, MESSAGE_SCHEMAS, MESSAGE_TYPES } from './catalog';
import { createMessage } from './envelope';
import { ContractError, MessageValidationError } from './errors';
import { deadLetterTopicFor, ENVIRONMENTS, TOPICS, topicSpecs } from './topics';
import { validateMessage } from './validation';

const context = { correlationId: 'corr-123', teamId: 'T0001', channelId: 'C0001', userId: 'U0001' };
const runId = '3f1b7c2e-9d4a-4c8e-8f7a-1b2c3d4e5f60';

describe('topics', () => {
  it('declares the plan topics, command topics and a dead-letter topic for each', () => {
    const names = topicSpecs('local').map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['coffeebuddy.run.events', 'coffeebuddy.reminder.events']));
    for (const topic of Object.values(TOPICS)) expect(names).toContain(deadLetterTopicFor(topic));
  });

  it.each(ENVIRONMENTS)(
    'gives every topic partitions, replication, min ISR, retention and cleanup (%s)',
    (env) => {
      for (const spec of topicSpecs(env)) {
        expect(spec.partitions).toBeGreaterThan(0);
        expect(spec.replicationFactor).toBeGreaterThan(0);
        const minIsr = Number(spec.config['min.insync.replicas']);
        expect(minIsr).toBeGreaterThan(0);
        expect(minIsr).toBeLessThanOrEqual(spec.replicationFactor);
        expect(Number(spec.config['retention.ms'])).toBeGreaterThan(0);
        expect(spec.config['cleanup.policy']).toBe('delete');
      }
    },
  );

  it('survives a broker loss in production (RF 3, min ISR 2) and runs on one broker locally', () => {
    for (const spec of topicSpecs('production')) {
      expect(spec.replicationFactor).toBe(3);
      expect(spec.config['min.insync.replicas']).toBe('2');
    }
    for (const spec of topicSpecs('local')) expect(spec.replicationFactor).toBe(1);
  });

  it('is the only place in the repository where a topic name is written', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    // git grep exits 1 when nothing matches: that is the passing case.
    const grep = spawnSync(
      'git',
      [
        'grep',
        '--untracked',
        '-n',
        '-I',
        '-E',
        '[\'"`]coffeebuddy\\.[a-z]+\\.[a-z]+',
        '--',
        'apps',
        'packages',
        'infra',
        ':!**/*.md',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(grep.status === 0 || grep.status === 1).toBe(true);
    const offenders = grep.stdout
      .split('\n')
      .filter(Boolean)
      .filter((line) => !line.startsWith('packages/contracts/src/topics.ts:'))
      .filter((line) => !line.includes('.test.ts:'));
    expect(offenders).toEqual([]);
  });
});

describe('ACLs', () => {
  it('grant each service exactly what it produces and consumes, and its own group', () => {
    const entries = aclEntries();
    for (const service of SERVICES) {
      const mine = entries.filter((e) => e.principal.endsWith(service));
      for (const topic of SERVICE_ACCESS[service].produces) {
        expect(mine).toContainEqual(expect.objectContaining({ resourceName: topic, operation: 'WRITE' }));
        if (!SERVICE_ACCESS[service].consumes.includes(topic)) {
          expect(mine).not.toContainEqual(
            expect.objectContaining({ resourceName: topic, operation: 'READ' }),
          );
        }
      }
      for (const topic of SERVICE_ACCESS[service].consumes) {
        expect(mine).toContainEqual(expect.objectContaining({ resourceName: topic, operation: 'READ' }));
      }
      const groups = mine.filter((e) => e.resourceType === 'GROUP').map((e) => e.resourceName);
      expect(groups).toEqual(SERVICE_ACCESS[service].consumes.length ? [consumerGroupFor(service)] : []);
    }
  });

  it('let every message type be produced by some service to each of its topics', () => {
    const produced = new Set(SERVICES.flatMap((s) => SERVICE_ACCESS[s].produces));
    for (const type of MESSAGE_TYPES)
      for (const topic of MESSAGE_CATALOG[type].topics) expect(produced).toContain(topic);
  });

  it('give every consumed topic a writer of its dead-letter topic', () => {
    for (const service of SERVICES) {
      for (const topic of SERVICE_ACCESS[service].consumes) {
        expect(SERVICE_ACCESS[service].produces).toContain(
          deadLetterTopicFor(topic as (typeof TOPICS)[keyof typeof TOPICS]),
        );
      }
    }
  });
});

describe('envelope and payload schemas', () => {
  it('builds a valid message with ID, version and time', () => {
    const message = createMessage(
      'run_created',
      context,
      { runId, channelId: 'C0001', initiatorId: 'U0001', pickupAt: null, pickupText: null, note: 'oat' },
      new Date('2026-11-25T10:00:00Z'),
    );
    expect(message).toMatchObject({
      type: 'run_created',
      schemaVersion: 1,
      occurredAt: '2026-11-25T10:00:00.000Z',
      correlationId: 'corr-123',
    });
    expect(message.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['', '   ', undefined])('refuses a missing correlation ID (%p)', (correlationId) => {
    expect(() =>
      createMessage(
        'order_cancelled',
        { ...context, correlationId: correlationId as string },
        { runId, orderId: runId, userId: 'U0001' },
      ),
    ).toThrow(expect.objectContaining({ code: 'MISSING_CORRELATION_ID' }));
  });

  it('rejects a bad payload, naming the field', () => {
    const build = () =>
      createMessage('order_placed', context, {
        runId,
        orderId: runId,
        userId: 'U0001',
        text: '',
        provenance: 'typed',
      });
    expect(build).toThrow(MessageValidationError);
    expect(build).toThrow(/\/payload\/text must NOT have fewer than 1 characters/);
  });

  it('rejects unknown types and wrong schema versions', () => {
    expect(() => validateMessage({ type: 'nope' })).toThrow(ContractError);
    const message = createMessage('order_cancelled', context, { runId, orderId: runId, userId: 'U0001' });
    expect(() => validateMessage({ ...message, schemaVersion: 2 })).toThrow(/schemaVersion/);
  });

  it('has a JSON-serialisable schema for every type with the envelope fields required', () => {
    for (const type of MESSAGE_TYPES) {
      const schema = JSON.parse(JSON.stringify(MESSAGE_SCHEMAS[type]));
      expect(schema.required).toEqual(
        expect.arrayContaining([
          'messageId',
          'type',
          'schemaVersion',
          'occurredAt',
          'correlationId',
          'teamId',
          'channelId',
          'userId',
          'payload',
        ]),
      );
    }
  });
});

describe('schemas the registry can evolve', () => {
  /** Every `anyOf` in a schema, with its path. */
  function anyOfs(node: unknown, at = ''): { at: string; branches: Record<string, unknown>[] }[] {
    if (!node || typeof node !== 'object') return [];
    const found: { at: string; branches: Record<string, unknown>[] }[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'anyOf' && Array.isArray(value)) found.push({ at, branches: value });
      found.push(...anyOfs(value, `${at}/${key}`));
    }
    return found;
  }

  it('writes string enums as enum, never as an anyOf of consts (Apicurio refuses any later change to those)', () => {
    for (const type of MESSAGE_TYPES) {
      const unions = anyOfs(JSON.parse(JSON.stringify(MESSAGE_SCHEMAS[type])));
      const constUnions = unions.filter((u) => u.branches.filter((b) => 'const' in b).length > 1);
      expect({ type, constUnions: constUnions.map((u) => u.at) }).toEqual({ type, constUnions: [] });
    }
    expect(
      JSON.parse(JSON.stringify(MESSAGE_SCHEMAS.reminder_scheduled)).properties.payload.properties.kind,
    ).toEqual({
      type: 'string',
      enum: ['runner', 'last_call'],
    });
  });
});

describe('tolerant reading', () => {
  it('rejects unknown fields when producing and drops them when consuming', () => {
    const message = createMessage('order_cancelled', context, { runId, orderId: runId, userId: 'U0001' });
    const newer = { ...message, payload: { ...message.payload, reason: 'changed my mind' } };
    expect(() => validateMessage(structuredClone(newer))).toThrow(/must NOT have additional properties/);
    const read = validateMessage(structuredClone(newer), 'consume');
    expect(read.payload).toEqual(message.payload);
  });
});
