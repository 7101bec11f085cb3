import { readFileSync } from 'node:fs';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import type pg from 'pg';

/**
 * Compares prisma/schema.prisma (through Prisma's own schema parser, the WASM build the CLI
 * uses) with a database the migrations built. Returns one line per disagreement.
 */

export const SCHEMA_PATH = path.resolve(__dirname, '..', '..', '..', 'prisma', 'schema.prisma');

/** Objects the migrations add by hand because Prisma's schema language cannot express them. */
export const SQL_ONLY_INDEXES: Record<string, { table: string; predicate: string }> = {
  runs_one_open_per_channel: { table: 'runs', predicate: "(status = 'open'::run_status)" },
  orders_one_active_per_user: { table: 'orders', predicate: "(status = 'active'::order_status)" },
};

interface DmmfField {
  name: string;
  dbName?: string;
  kind: 'scalar' | 'enum' | 'object';
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  isUpdatedAt: boolean;
  type: string;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string }[] }[];
    indexes: DmmfIndex[];
  };
}

export function loadDmmf(schemaPath = SCHEMA_PATH): Dmmf {
  const schema = readFileSync(schemaPath, 'utf8');
  return JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as Dmmf;
}

function expectedColumnType(field: DmmfField, enumDbNames: Map<string, string>): string {
  if (field.kind === 'enum') return enumDbNames.get(field.type) ?? field.type;
  const native = field.nativeType?.[0];
  const base: Record<string, string> = {
    String: native === 'Uuid' ? 'uuid' : 'text',
    Int: 'int4',
    BigInt: 'int8',
    Boolean: 'bool',
    Float: 'float8',
    DateTime: native === 'Timestamptz' ? 'timestamptz' : native === 'Date' ? 'date' : 'timestamp',
    Json: 'jsonb',
  };
  const type = base[field.type] ?? field.type;
  return field.isList ? `_${type}` : type;
}

export async function schemaDrift(client: pg.Client, dmmf: Dmmf = loadDmmf()): Promise<string[]> {
  const problems: string[] = [];
  const { models, enums, indexes } = dmmf.datamodel;
  const tableOf = new Map(models.map((m) => [m.name, m.dbName ?? m.name]));
  const enumDbNames = new Map(enums.map((e) => [e.name, e.dbName ?? e.name]));
  const columnOf = (model: string, field: string): string => {
    const f = models.find((m) => m.name === model)?.fields.find((x) => x.name === field);
    return f?.dbName ?? field;
  };

  // Enums
  const { rows: enumRows } = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  const dbEnums = new Map(enumRows.map((r) => [r.name, r.values]));
  for (const e of enums) {
    const name = e.dbName ?? e.name;
    const values = dbEnums.get(name);
    if (!values) problems.push(`enum ${name} is missing`);
    else if (values.join(',') !== e.values.map((v) => v.name).join(','))
      problems.push(
        `enum ${name} has values ${values.join(',')}, schema says ${e.values.map((v) => v.name).join(',')}`,
      );
    dbEnums.delete(name);
  }
  for (const extra of dbEnums.keys())
    problems.push(`enum ${extra} exists in the database but not in the schema`);

  // Tables and columns
  const { rows: columns } = await client.query<{
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  const dbTables = new Map<string, Map<string, (typeof columns)[number]>>();
  for (const c of columns) {
    if (!dbTables.has(c.table_name)) dbTables.set(c.table_name, new Map());
    dbTables.get(c.table_name)?.set(c.column_name, c);
  }
  for (const model of models) {
    const table = tableOf.get(model.name) ?? model.name;
    const dbColumns = dbTables.get(table);
    if (!dbColumns) {
      problems.push(`table ${table} (model ${model.name}) is missing`);
      continue;
    }
    dbTables.delete(table);
    for (const field of model.fields.filter((f) => f.kind !== 'object')) {
      const name = field.dbName ?? field.name;
      const column = dbColumns.get(name);
      if (!column) {
        problems.push(`column ${table}.${name} is missing`);
        continue;
      }
      dbColumns.delete(name);
      const type = expectedColumnType(field, enumDbNames);
      if (column.udt_name !== type)
        problems.push(`column ${table}.${name} is ${column.udt_name}, schema says ${type}`);
      if (!field.isList && (column.is_nullable === 'NO') !== field.isRequired)
        problems.push(`column ${table}.${name} nullability differs (db nullable=${column.is_nullable})`);
      const hasDefault = column.column_default !== null;
      if (field.hasDefaultValue !== hasDefault)
        problems.push(
          `column ${table}.${name}: default ${hasDefault ? 'present' : 'absent'} in db, schema disagrees`,
        );
    }
    for (const extra of dbColumns.keys())
      problems.push(`column ${table}.${extra} exists in the database but not in the schema`);
  }
  for (const extra of dbTables.keys())
    problems.push(`table ${extra} exists in the database but not in the schema`);

  // Indexes, primary keys and unique constraints
  const { rows: dbIndexes } = await client.query<{
    index: string;
    table: string;
    columns: string[];
    unique: boolean;
    primary: boolean;
    predicate: string | null;
  }>(
    `SELECT ic.relname AS index, tc.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
            pg_get_expr(i.indpred, i.indrelid) AS predicate,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
      WHERE n.nspname = 'public' AND tc.relname <> '_prisma_migrations'`,
  );
  const remaining = new Map(dbIndexes.map((i) => [i.index, i]));
  for (const index of indexes) {
    const table = tableOf.get(index.model) ?? index.model;
    const wanted = index.fields.map((f) => columnOf(index.model, f.name));
    const found = [...remaining.values()].find(
      (i) =>
        i.table === table &&
        i.predicate === null &&
        i.columns.join(',') === wanted.join(',') &&
        (index.type === 'id' ? i.primary : index.type === 'unique' ? i.unique && !i.primary : !i.unique) &&
        (index.dbName === undefined || index.dbName === i.index),
    );
    if (!found)
      problems.push(`${index.type} index on ${table}(${wanted.join(', ')}) ${index.dbName ?? ''} is missing`);
    else remaining.delete(found.index);
  }
  for (const [name, extra] of remaining) {
    const declared = SQL_ONLY_INDEXES[name];
    if (!declared)
      problems.push(`index ${name} on ${extra.table} exists in the database but not in the schema`);
    else if (declared.table !== extra.table || declared.predicate !== extra.predicate)
      problems.push(
        `index ${name} is on ${extra.table} WHERE ${extra.predicate}, expected ${declared.predicate}`,
      );
  }
  for (const name of Object.keys(SQL_ONLY_INDEXES)) {
    if (!dbIndexes.some((i) => i.index === name)) problems.push(`hand-written index ${name} is missing`);
  }

  // Foreign keys
  const { rows: fks } = await client.query<{
    table: string;
    columns: string[];
    ref_table: string;
    on_delete: string;
  }>(
    `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS ref_table, c.confdeltype AS on_delete,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const onDeleteCode: Record<string, string> = {
    Cascade: 'c',
    Restrict: 'r',
    SetNull: 'n',
    NoAction: 'a',
    SetDefault: 'd',
  };
  const remainingFks = [...fks];
  for (const model of models) {
    for (const field of model.fields.filter((f) => f.kind === 'object' && f.relationFromFields?.length)) {
      const table = tableOf.get(model.name) ?? model.name;
      const cols = (field.relationFromFields ?? []).map((f) => columnOf(model.name, f));
      const refTable = tableOf.get(field.type) ?? field.type;
      const expectedOnDelete =
        onDeleteCode[field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull')];
      const idx = remainingFks.findIndex(
        (fk) => fk.table === table && fk.ref_table === refTable && fk.columns.join(',') === cols.join(','),
      );
      const fk = remainingFks[idx];
      if (!fk) {
        problems.push(`foreign key ${table}(${cols.join(', ')}) -> ${refTable} is missing`);
        continue;
      }
      if (fk.on_delete !== expectedOnDelete)
        problems.push(
          `foreign key ${table}(${cols.join(', ')}) ON DELETE is '${fk.on_delete}', schema says '${expectedOnDelete}'`,
        );
      remainingFks.splice(idx, 1);
    }
  }
  for (const fk of remainingFks)
    problems.push(`foreign key ${fk.table}(${fk.columns.join(', ')}) is not in the schema`);

  return problems;
}
