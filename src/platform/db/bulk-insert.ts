import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client';

/*
 * Many rows in one statement, for imports. Drizzle's `insert().values([...])` builds one placeholder per
 * value and walks every chunk of the query in JavaScript: at 100,000 rows that costs more than the database
 * does. Here a whole batch travels as ONE parameter, a JSON array, that PostgreSQL unpacks with
 * `json_to_recordset` using the columns' own SQL types (taken from the Drizzle table, so the two cannot
 * drift). Same statement on PGlite and PostgreSQL; no size limit from the 65,535-parameter ceiling.
 */

type ColumnsOf<T extends PgTable> = {
  [K in keyof T['_']['columns']]: T['_']['columns'][K];
};

/** `insert into <table> (<columns>) select … from json_to_recordset($1)` for these rows, then `suffix`. */
export function jsonInsert<T extends PgTable, K extends keyof ColumnsOf<T> & string>(
  table: T,
  keys: readonly K[],
  rows: readonly { [P in K]: unknown }[],
  suffix: SQL = sql``,
): SQL {
  const columns = keys.map((k) => {
    const column = (table as unknown as Record<string, PgColumn>)[k];
    if (!column) throw new Error(`jsonInsert: the table has no column ${k}`);
    return { key: k, name: column.name, type: column.getSQLType() };
  });
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const record = columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  const data = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) {
        const v = row[c.key];
        out[c.name] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v;
      }
      return out;
    }),
  );
  return sql`insert into ${table} (${sql.raw(names)}) select ${sql.raw(names)} from json_to_recordset(${data}::json) as r(${sql.raw(record)}) ${suffix}`;
}

/** Runs `jsonInsert`; answers the rows a `returning` suffix asked for. */
export async function insertJsonRows<T extends PgTable, K extends keyof ColumnsOf<T> & string, R = never>(
  db: Db,
  table: T,
  keys: readonly K[],
  rows: readonly { [P in K]: unknown }[],
  suffix: SQL = sql``,
): Promise<R[]> {
  if (rows.length === 0) return [];
  const result = await db.execute(jsonInsert(table, keys, rows, suffix));
  return (result as unknown as { rows: R[] }).rows;
}

/** `column in (<the JSON array's strings>)`, as one parameter whatever the number of values. */
export function inJsonList(column: PgColumn, values: readonly string[]): SQL {
  return sql`${column} in (select json_array_elements_text(${JSON.stringify(values)}::json))`;
}
