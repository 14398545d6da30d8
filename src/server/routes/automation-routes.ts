/**
 * Workflow automation through the API: list, create and delete rules, each rule's runs with
 * their outcome, and its dead letters with their replay. Changes are audited; action secrets are stored encrypted and never returned.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  automationCreatedAudit,
  automationDeletedAudit,
  automationUpdatedAudit,
} from '../../audit/sink-change-audit.js';
import { updatedAutomationSettings } from '../../automate/automation-update.js';
import {
  AutomationConfigError,
  AUTOMATION_TRIGGERS,
  parseAutomationInput,
} from '../../automate/automation-rule.js';
import {
  automationConsumer,
  automationView,
  deleteAutomationRule,
  findAutomationRow,
  insertAutomationRule,
  updateAutomationRule,
  listAutomationRows,
  listAutomationRuns,
  type AutomationRow,
} from '../../store/automation-repository.js';
import { auditedChange } from '../audited-change.js';
import { badRequestOn, forbidden, HttpError } from '../http-error.js';
import { assertPlainText } from '../plain-text.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { IdParams } from './schemas.js';

const Json = Type.Record(Type.String(), Type.Unknown());

const RuleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  triggers: Type.Array(Type.String()),
  conditions: Json,
  actions: Type.Array(Type.Object({ sink: Json, secretFields: Type.Array(Type.String()) })),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const RunSchema = Type.Object({
  id: Type.Integer(),
  ruleId: Type.String(),
  recordId: Type.String(),
  trigger: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  outcome: Type.String(),
  actions: Type.Array(
    Type.Object({
      kind: Type.String(),
      ok: Type.Boolean(),
      error: Type.Optional(Type.String()),
      earlier: Type.Optional(
        Type.Literal(true, { description: 'succeeded in an earlier attempt; not sent again' }),
      ),
    }),
  ),
});

const CreateRule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean()),
    triggers: Type.Array(Type.String(), {
      minItems: 1,
      maxItems: 4,
      description: AUTOMATION_TRIGGERS.join(', '),
    }),
    conditions: Type.Optional(Json),
    actions: Type.Array(Type.Object({ sink: Json }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 10,
    }),
  },
  { additionalProperties: false },
);

const UpdateRule = Type.Partial(CreateRule, { additionalProperties: false });

/** A rule as the API shows it. */
function ruleView(row: AutomationRow) {
  const view = automationView(row);
  return { ...view, conditions: { ...view.conditions } as Record<string, unknown> };
}

/**
 * A rule acts on records of every account, so a caller limited to accounts, who could reach
 * beyond its own through one, may neither make nor delete rules.
 */
function refuseScopedCaller(
  scopes: readonly string[],
  verb: 'make' | 'change' | 'delete' | 'read the dead letters of' | 'read the runs of',
): void {
  if (scopes.length === 0) return;
  throw forbidden(
    `automation rules see every account; a caller limited to accounts cannot ${verb} them`,
  );
}

export const automationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock } = app.palisade;

  app.get(
    '/automations',
    {
      config: { permission: 'automation:read' },
      schema: {
        summary: 'List workflow automation rules (action secrets are never shown)',
        tags: ['automation'],
        response: { 200: Type.Object({ items: Type.Array(RuleSchema) }) },
      },
    },
    async () => ({ items: (await listAutomationRows(db)).map(ruleView) }),
  );

  app.post(
    '/automations',
    {
      config: { permission: 'automation:write' },
      schema: {
        summary: 'Create an automation rule; it acts on changes from now on',
        tags: ['automation'],
        body: CreateRule,
        response: { 201: Type.Object({ rule: RuleSchema }) },
      },
    },
    async (request, reply) => {
      const actor = request.principal!;
      refuseScopedCaller(actor.scopes, 'make');
      assertPlainText('body/name', request.body.name);
      const settings = badRequestOn(AutomationConfigError, 'BAD_AUTOMATION', () =>
        parseAutomationInput(request.body),
      );
      const row = await auditedChange<AutomationRow>(
        request,
        (r) => ({ ...automationCreatedAudit(r, settings), outcome: 'success' }),
        (trx) =>
          insertAutomationRule(
            trx,
            settings,
            app.palisade.serverKey,
            `${actor.kind}:${actor.name}`,
            clock.now(),
          ),
      );
      return reply.code(201).send({ rule: ruleView(row) });
    },
  );

  app.patch(
    '/automations/:id',
    {
      config: { permission: 'automation:write' },
      schema: {
        summary:
          'Change an automation rule: only the fields given change (conditions and actions each whole); a rule enabled again acts on changes from then on',
        description:
          'An action sent back with a secret field as ******** (as listings show it) keeps the stored secret.',
        tags: ['automation'],
        params: IdParams,
        body: UpdateRule,
        response: { 200: Type.Object({ rule: RuleSchema }) },
      },
    },
    async (request) => {
      refuseScopedCaller(request.principal!.scopes, 'change');
      const row = await findAutomationRow(db, request.params.id);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no automation rule ${request.params.id}`);
      if (request.body.name !== undefined) assertPlainText('body/name', request.body.name);
      const settings = badRequestOn(AutomationConfigError, 'BAD_AUTOMATION', () =>
        updatedAutomationSettings(row, app.palisade.serverKey, request.body),
      );
      const changed = await auditedChange<AutomationRow>(
        request,
        (r) => ({ ...automationUpdatedAudit(row, r, app.palisade.serverKey), outcome: 'success' }),
        (trx) => updateAutomationRule(trx, row, settings, app.palisade.serverKey, clock.now()),
      );
      return { rule: ruleView(changed) };
    },
  );

  app.delete(
    '/automations/:id',
    {
      config: { permission: 'automation:write' },
      schema: {
        summary: 'Delete an automation rule (its runs stay as history)',
        tags: ['automation'],
        params: IdParams,
        response: { 200: Type.Object({ rule: RuleSchema }) },
      },
    },
    async (request) => {
      refuseScopedCaller(request.principal!.scopes, 'delete');
      const row = await findAutomationRow(db, request.params.id);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no automation rule ${request.params.id}`);
      await auditedChange(
        request,
        { ...automationDeletedAudit(row, app.palisade.serverKey), outcome: 'success' },
        (trx) => deleteAutomationRule(trx, row.id),
      );
      return { rule: ruleView(row) };
    },
  );

  app.get(
    '/automations/:id/runs',
    {
      config: { permission: 'automation:read' },
      schema: {
        summary: "An automation rule's runs, newest first, each with its outcome",
        tags: ['automation'],
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(RunSchema) }) },
      },
    },
    async (request) => {
      // Runs name the records of every account a rule acted on, and their errors.
      refuseScopedCaller(request.principal!.scopes, 'read the runs of');
      const row = await findAutomationRow(db, request.params.id);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no automation rule ${request.params.id}`);
      return { items: await listAutomationRuns(db, row.id, request.query.limit) };
    },
  );

  // The records a rule gave up on, and sending them through its actions again. Rules see every
  // account, so a caller limited to accounts may neither list nor replay them.
  deadLetterRoutes(app, {
    path: 'automations',
    target: 'automation',
    tag: 'automation',
    read: 'automation:read',
    write: 'automation:write',
    find: async (request) => {
      refuseScopedCaller(request.principal!.scopes, 'read the dead letters of');
      const row = await findAutomationRow(db, request.params.id);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no automation rule ${request.params.id}`);
      return row.id;
    },
    consumer: automationConsumer,
  });
};
