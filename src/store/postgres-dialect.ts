/**
 * The PostgreSQL dialect of a store: Kysely's, with an introspector that reads the store's own
 * schema only.
 *
 * Kysely's migrator asks the introspector whether its migration tables exist (`getSchemas`,
 * `getTables`), and Kysely's PostgreSQL introspector lists the tables of every schema in the
 * database, resolving each one by name as it goes (`has_schema_privilege`,
 * `pg_get_serial_sequence`). So a store's migration read other schemas' catalogs, which a
 * least-privilege store role has no business seeing, and failed with 'schema "..." does not
 * exist' whenever another schema in the database was dropped meanwhile (another Palisade's,
 * another test file's).
 */

import {
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  type PostgresDialectConfig,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';

export class SchemaPostgresDialect extends PostgresDialect {
  readonly #schemas: readonly string[];

  /** `schemas`: the store's schema, and the migration tables' when that is another one. */
  constructor(config: PostgresDialectConfig, schemas: readonly string[]) {
    super(config);
    this.#schemas = schemas;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SchemaPostgresIntrospector(db, this.#schemas);
  }
}

interface ColumnRow {
  schema: string;
  table: string;
  is_view: boolean;
  column: string;
  type: string;
  type_schema: string;
  not_null: boolean;
  has_default: boolean;
  auto_incrementing: boolean;
  comment: string | null;
}

/** Kysely's `PostgresIntrospector`, limited to the given schemas. */
class SchemaPostgresIntrospector implements DatabaseIntrospector {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
    private readonly schemas: readonly string[],
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace where nspname = any(${this.schemas})
    `.execute(this.db);
    return rows;
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const internal = options.withInternalKyselyTables
      ? []
      : [DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE];
    const { rows } = await sql<ColumnRow>`
      select ns.nspname as schema, c.relname as table, c.relkind = 'v' as is_view,
        a.attname as column, typ.typname as type, typns.nspname as type_schema,
        a.attnotnull as not_null, a.atthasdef as has_default,
        pg_get_serial_sequence(format('%I.%I', ns.nspname, c.relname), a.attname) is not null
          as auto_incrementing,
        col_description(a.attrelid, a.attnum) as comment
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on c.oid = a.attrelid
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      join pg_catalog.pg_type typ on typ.oid = a.atttypid
      join pg_catalog.pg_namespace typns on typns.oid = typ.typnamespace
      where ns.nspname = any(${this.schemas})
        and c.relkind in ('r', 'v', 'p')
        and not (c.relname = any(${internal}))
        and a.attnum > 0 and not a.attisdropped
      order by ns.nspname, c.relname, a.attnum
    `.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of rows) {
      const key = `${row.schema}.${row.table}`;
      let table = tables.get(key);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.is_view, columns: [] };
        tables.set(key, table);
      }
      table.columns.push({
        name: row.column,
        dataType: row.type,
        dataTypeSchema: row.type_schema,
        isNullable: !row.not_null,
        hasDefaultValue: row.has_default,
        isAutoIncrementing: row.auto_incrementing,
        ...(row.comment === null ? {} : { comment: row.comment }),
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
