import type { DatabaseHandle } from '../../src/platform/db/client';

/** One table's content: how many rows, and an MD5 of every row's text in primary-key order. */
export interface TableDigest {
  rows: number;
  md5: string;
}

/** Every table (and every sequence's position) of every schema Passage writes, by `schema.table`. */
export interface DatabaseDigest {
  tables: Record<string, TableDigest>;
  sequences: Record<string, string>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * A fingerprint of a whole database for comparing a backup with its restore, or a database before and
 * after an upgrade: each ordinary or partitioned table of the non-system schemas (public, drizzle, pgboss
 * when present) with its row count and the MD5 of its rows' text ordered by primary key (by the whole
 * row where a table has none), and each sequence's last value. Both sides must be the same engine: a
 * row's text form (timestamps, numerics) is compared as PostgreSQL prints it.
 */
export async function databaseDigest(handle: DatabaseHandle): Promise<DatabaseDigest> {
  const { rows: tables } = await handle.query<{ schema: string; name: string; pk: string[] | null }>(
    `select n.nspname as schema, c.relname as name,
       (select array_agg(a.attname::text order by k.ord)
          from pg_index i
          cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
         where i.indrelid = c.oid and i.indisprimary) as pk
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p')
       and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
       and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
     order by 1, 2`,
  );
  const digest: DatabaseDigest = { tables: {}, sequences: {} };
  for (const t of tables) {
    const order = t.pk?.length ? t.pk.map((c) => `t.${quote(c)}`).join(', ') : 't::text';
    const { rows } = await handle.query<{ n: number; md5: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, E'\\n' order by ${order}), '')) as md5
       from ${quote(t.schema)}.${quote(t.name)} t`,
    );
    const r = rows[0];
    digest.tables[`${t.schema}.${t.name}`] = { rows: r?.n ?? 0, md5: r?.md5 ?? '' };
  }
  const { rows: sequences } = await handle.query<{ name: string; last: string | null }>(
    `select schemaname || '.' || sequencename as name, last_value::text as last from pg_sequences
     where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
  );
  for (const s of sequences) digest.sequences[s.name] = s.last ?? 'unused';
  return digest;
}

/** How many rows the digest holds in all, for asserting that a comparison was not of two empty databases. */
export function totalRows(digest: DatabaseDigest): number {
  return Object.values(digest.tables).reduce((sum, t) => sum + t.rows, 0);
}
