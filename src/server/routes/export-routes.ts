/**
 * Continuous exports through the API: list, create, show (with delivery state), delete, the
 * dead-letter list and its replay, and an on-demand snapshot. Changes are audited; sink secrets
 * are stored encrypted and never returned.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  exportCreatedAudit,
  exportDeletedAudit,
  exportUpdatedAudit,
} from '../../audit/sink-change-audit.js';
import { updatedExportSettings } from '../../export/export-update.js';
import { ExportConfigError, parseExportInput } from '../../export/exporter-config.js';
import { writeSnapshot } from '../../export/outbox/snapshot.js';
import { EXPORT_DATA_TYPES } from '../../model/export-record.js';
import { deadLetterCount, deliveryState } from '../../store/delivery-repository.js';
import {
  deleteExport,
  exportConsumer,
  exportView,
  findExportRow,
  insertExport,
  listExportRows,
  updateExport,
  type ExportDefinition,
  type ExportRow,
} from '../../store/export-repository.js';
import { auditedChange } from '../audited-change.js';
import { badRequestOn, forbidden, HttpError } from '../http-error.js';
import { assertPlainText } from '../plain-text.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { IdParams } from './schemas.js';

const Json = Type.Record(Type.String(), Type.Unknown());

const ExportSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  scope: Json,
  types: Type.Array(Type.String()),
  minSeverity: Type.Union([Type.String(), Type.Null()]),
  format: Type.String(),
  sink: Json,
  secretFields: Type.Array(Type.String()),
  maxAttempts: Type.Integer(),
  batchSize: Type.Integer(),
  snapshotMinutes: Type.Union([Type.Integer(), Type.Null()]),
  lastSnapshotAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const DeliverySchema = Type.Object({
  cursor: Type.Integer({ description: 'every outbox record up to this sequence is settled' }),
  delivered: Type.Integer(),
  attempts: Type.Integer({ description: 'failed attempts of the batch waiting' }),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const CreateExport = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean()),
    scope: Type.Optional(
      Type.String({ maxLength: 500, description: 'all, account:<id> or tag:<key>=<value>' }),
    ),
    types: Type.Optional(
      Type.Array(Type.String(), {
        maxItems: EXPORT_DATA_TYPES.length,
        description: EXPORT_DATA_TYPES.join(', '),
      }),
    ),
    minSeverity: Type.Optional(Type.String()),
    format: Type.Optional(Type.String({ description: 'json, ocsf, cef or leef' })),
    sink: Type.Object({ kind: Type.String() }, { additionalProperties: true }),
    maxAttempts: Type.Optional(Type.Integer()),
    batchSize: Type.Optional(Type.Integer()),
    snapshotMinutes: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

const UpdateExport = Type.Partial(CreateExport, { additionalProperties: false });

/** True when a caller limited to `scopes` may see or manage `def`. */
function visible(scopes: readonly string[], def: Pick<ExportDefinition, 'scope'>): boolean {
  if (scopes.length === 0) return true;
  return def.scope.kind === 'account' && scopes.includes(def.scope.value);
}

async function findVisible(request: FastifyRequest, id: string) {
  const row = await findExportRow(request.server.palisade.db, id);
  if (!row || !visible(request.principal!.scopes, exportView(row))) {
    throw new HttpError(404, 'NOT_FOUND', `no export ${id}`);
  }
  return row;
}

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock } = app.palisade;

  app.get(
    '/exports',
    {
      config: { permission: 'exports:read' },
      schema: {
        summary: 'List continuous exports (sink secrets are never shown)',
        tags: ['exports'],
        response: { 200: Type.Object({ items: Type.Array(ExportSchema) }) },
      },
    },
    async (request) => {
      const rows = await listExportRows(db);
      const items = rows.map(exportView).filter((d) => visible(request.principal!.scopes, d));
      return { items };
    },
  );

  app.post(
    '/exports',
    {
      config: { permission: 'exports:write' },
      schema: {
        summary: 'Create a continuous export; it carries changes from now on',
        tags: ['exports'],
        body: CreateExport,
        response: { 201: Type.Object({ export: ExportSchema }) },
      },
    },
    async (request, reply) => {
      assertPlainText('body/name', request.body.name);
      const settings = badRequestOn(ExportConfigError, 'BAD_EXPORT', () =>
        parseExportInput(request.body),
      );
      const actor = request.principal!;
      if (!visible(actor.scopes, settings)) {
        throw forbidden('a caller limited to accounts can only export one of its accounts');
      }
      const row = await auditedChange<ExportRow>(
        request,
        (r) => ({ ...exportCreatedAudit(r, settings), outcome: 'success' }),
        (trx) =>
          insertExport(
            trx,
            settings,
            app.palisade.serverKey,
            `${actor.kind}:${actor.name}`,
            clock.now(),
          ),
      );
      return reply.code(201).send({ export: exportView(row) });
    },
  );

  app.get(
    '/exports/:id',
    {
      config: { permission: 'exports:read' },
      schema: {
        summary: 'One export with its delivery state',
        tags: ['exports'],
        params: IdParams,
        response: {
          200: Type.Object({
            export: ExportSchema,
            delivery: DeliverySchema,
            deadLetters: Type.Integer({ description: 'records waiting on the dead-letter list' }),
          }),
        },
      },
    },
    async (request) => {
      const row = await findVisible(request, request.params.id);
      const state = await deliveryState(db, exportConsumer(row.id));
      const dead = await deadLetterCount(db, exportConsumer(row.id));
      return {
        export: exportView(row),
        delivery: {
          cursor: Number(state?.cursor_seq ?? 0),
          delivered: Number(state?.delivered ?? 0),
          attempts: state?.attempts ?? 0,
          nextAttemptAt: state?.next_attempt_at ?? null,
          lastError: state?.last_error ?? null,
        },
        deadLetters: dead,
      };
    },
  );

  app.patch(
    '/exports/:id',
    {
      config: { permission: 'exports:write' },
      schema: {
        summary:
          'Change an export: only the fields given change; pausing (enabled false) keeps its place, and it catches up when enabled again',
        description:
          'A sink given with a secret field as ******** (as listings show it), or with the URL a listing shows, keeps the stored secret.',
        tags: ['exports'],
        params: IdParams,
        body: UpdateExport,
        response: { 200: Type.Object({ export: ExportSchema }) },
      },
    },
    async (request) => {
      const row = await findVisible(request, request.params.id);
      if (request.body.name !== undefined) assertPlainText('body/name', request.body.name);
      const settings = badRequestOn(ExportConfigError, 'BAD_EXPORT', () =>
        updatedExportSettings(row, app.palisade.serverKey, request.body),
      );
      if (!visible(request.principal!.scopes, settings)) {
        throw forbidden('a caller limited to accounts can only export one of its accounts');
      }
      const changed = await auditedChange<ExportRow>(
        request,
        (r) => ({ ...exportUpdatedAudit(row, r, app.palisade.serverKey), outcome: 'success' }),
        (trx) => updateExport(trx, row, settings, app.palisade.serverKey, clock.now()),
      );
      return { export: exportView(changed) };
    },
  );

  app.delete(
    '/exports/:id',
    {
      config: { permission: 'exports:write' },
      schema: {
        summary: 'Delete an export with its delivery state and dead letters',
        tags: ['exports'],
        params: IdParams,
        response: { 200: Type.Object({ export: ExportSchema }) },
      },
    },
    async (request) => {
      const row = await findVisible(request, request.params.id);
      await auditedChange(
        request,
        { ...exportDeletedAudit(row, app.palisade.serverKey), outcome: 'success' },
        (trx) => deleteExport(trx, row.id),
      );
      return { export: exportView(row) };
    },
  );

  deadLetterRoutes(app, {
    path: 'exports',
    target: 'export',
    tag: 'exports',
    read: 'exports:read',
    write: 'exports:write',
    find: async (request) => (await findVisible(request, request.params.id)).id,
    consumer: exportConsumer,
  });

  app.post(
    '/exports/:id/snapshot',
    {
      config: { permission: 'exports:write' },
      schema: {
        summary: 'Write a snapshot of the current state for this export (fills a new SIEM)',
        tags: ['exports'],
        params: IdParams,
        response: {
          200: Type.Object({
            snapshotId: Type.String(),
            alert: Type.Integer(),
            recommendation: Type.Integer(),
            secure_score: Type.Integer(),
            compliance: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const row = await findVisible(request, request.params.id);
      const now = clock.now();
      const snapshotId = `${row.id}:manual:${now.toISOString()}`;
      const counts = await writeSnapshot(db, row.id, snapshotId, now, exportView(row));
      await auditedChange(
        request,
        {
          action: 'export.snapshot',
          outcome: 'success',
          target: { kind: 'export', id: row.id },
          details: { ...counts },
        },
        async () => undefined,
      );
      return counts;
    },
  );
};
