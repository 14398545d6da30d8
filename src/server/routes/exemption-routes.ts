/**
 * Exemptions through the API: list, create, delete. Every later assessment applies them (with
 * any configured exemptions file, and in a CLI scan into the store), as does an admission webhook
 * on the same store within its policyRefreshSeconds; creating or deleting one
 * re-assesses the sources whose latest findings the rule pattern touches, and derives again the
 * latest CLI-stored assessments it touches, so the score reflects it when the reply arrives.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { loadCatalog } from '../../posture/benchmark-catalog.js';
import {
  BLANKET_EXEMPTION_ADVICE,
  exemptionMatcher,
  exemptionPatternProblem,
  isActive,
  isBlanketExemption,
} from '../../posture/exemptions.js';
import { GlobPatternError } from '../../posture/safe-glob.js';
import {
  deleteExemption,
  exemptionsQuery,
  exemptionView,
  findExemption,
  insertExemption,
  type ExemptionRow,
} from '../../store/exemption-repository.js';
import { rederiveExemptions, unsourcedAssessments } from '../../store/exemption-rederive.js';
import type { Database } from '../../store/schema.js';
import { paginateArray } from '../array-pagination.js';
import { appendRequestAudit, auditedChange } from '../audited-change.js';
import type { AssessmentScheduler } from '../assessment-scheduler.js';
import { forbidden, HttpError } from '../http-error.js';
import { assertPlainText } from '../plain-text.js';
import {
  applyFilters,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import { currentAssessments } from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import { IdParams } from './schemas.js';

const Category = Type.Union([Type.Literal('waiver'), Type.Literal('mitigated')]);

const ExemptionSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  resource: Type.String(),
  justification: Type.String(),
  category: Category,
  expires: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean({ description: 'false once expired' }),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const Reassessed = Type.Array(
  Type.Object({
    sourceId: Type.String(),
    assessmentId: Type.Union([Type.String(), Type.Null()]),
    secureScore: Type.Union([Type.Number(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
);

const Rederived = Type.Array(
  Type.Object({
    assessmentId: Type.String(),
    targets: Type.Array(Type.String()),
    changed: Type.Integer({ description: 'findings whose exemption changed' }),
    secureScore: Type.Union([Type.Number(), Type.Null()]),
    skipped: Type.Union([Type.String(), Type.Null()], {
      description: 'why the assessment was left as it was; null when derived again',
    }),
  }),
  {
    description:
      'the latest assessments CLI scans stored (no source re-runs them) that the rule touches',
  },
);

const CreateExemption = Type.Object(
  {
    rule: Type.String({ minLength: 1, maxLength: 200, description: 'rule id or glob' }),
    resource: Type.String({
      minLength: 1,
      maxLength: 2_000,
      default: '*',
      description: 'glob on resource id, name or IaC address',
    }),
    justification: Type.String({
      minLength: 1,
      maxLength: 4_000,
      description: 'why, in at least 10 characters; no control characters',
    }),
    category: Type.Optional(Category),
    expires: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description:
        'YYYY-MM-DD, inclusive; from today to 3 years ahead (required: it must be reviewed)',
    }),
  },
  { additionalProperties: false },
);

/** True when `raw` (YYYY-MM-DD) is a real calendar date. */
function isCalendarDate(raw: string): boolean {
  const d = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === raw;
}

/** Shortest justification, once trimmed: a few words a later reader can act on. */
export const MIN_JUSTIFICATION = 10;
/** Longest an exemption may last: it must come up for review again. */
export const MAX_EXEMPTION_YEARS = 3;

/**
 * Refuses an exemption nobody should make by mistake: one that exempts everything, one with no
 * real reason, one that ended already, or one that lasts longer than a review cycle (the schema
 * already refuses one without an expiry).
 */
function assertSensibleExemption(body: Static<typeof CreateExemption>, now: Date): void {
  assertPlainText('body/rule', body.rule);
  assertPlainText('body/resource', body.resource);
  assertPlainText('body/justification', body.justification, { multiline: true });
  for (const field of ['rule', 'resource'] as const) {
    const problem = exemptionPatternProblem(body[field]);
    if (problem) throw new HttpError(400, 'BAD_PATTERN', `body/${field} ${problem}`);
  }
  if (isBlanketExemption(body)) {
    throw new HttpError(
      400,
      'BLANKET_EXEMPTION',
      `body/rule "${body.rule}" and body/resource "${body.resource}": ${BLANKET_EXEMPTION_ADVICE}`,
    );
  }
  if (body.justification.trim().length < MIN_JUSTIFICATION) {
    throw new HttpError(
      400,
      'BAD_JUSTIFICATION',
      `body/justification must say why in at least ${MIN_JUSTIFICATION} characters`,
    );
  }
  if (!isCalendarDate(body.expires)) {
    throw new HttpError(400, 'BAD_DATE', `body/expires ${body.expires} is not a calendar date`);
  }
  const today = now.toISOString().slice(0, 10);
  if (body.expires < today) {
    throw new HttpError(
      400,
      'BAD_DATE',
      `body/expires ${body.expires} is in the past (today is ${today}); the exemption would never apply`,
    );
  }
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_EXEMPTION_YEARS);
  const cap = latest.toISOString().slice(0, 10);
  if (body.expires > cap) {
    throw new HttpError(
      400,
      'BAD_DATE',
      `body/expires ${body.expires} is more than ${MAX_EXEMPTION_YEARS} years away; the latest is ${cap}`,
    );
  }
}

/**
 * The matcher of a stored exemption's rule pattern; undefined for a pattern stored before
 * patterns were checked, which never applied (assessments skip it), so changing it changes no
 * finding.
 */
function storedRuleMatcher(rulePattern: string): ((ruleId: string) => boolean) | undefined {
  try {
    return exemptionMatcher(rulePattern);
  } catch (error) {
    if (error instanceof GlobPatternError) return undefined;
    throw error;
  }
}

/**
 * Whether an exemption whose rule is `rulePattern` applies to the rule `ruleId`: the pattern
 * names it, or matches it as a glob (a pattern stored before patterns were checked matches only
 * itself, as it is never applied as a glob).
 */
function ruleApplies(rulePattern: string, ruleId: string): boolean {
  if (rulePattern === ruleId) return true;
  return storedRuleMatcher(rulePattern)?.(ruleId) ?? false;
}

/** Re-assesses every source whose latest findings include a rule matching `rulePattern`. */
async function reassess(db: Kysely<Database>, scheduler: AssessmentScheduler, rulePattern: string) {
  const matchesRule = storedRuleMatcher(rulePattern);
  if (!matchesRule) return [];
  const current = (await currentAssessments(db)).filter((c) => c.source);
  const affected: string[] = [];
  for (const c of current) {
    if (await judgesRule(db, c.id, matchesRule)) affected.push(c.source!.id);
  }
  const runs = await Promise.allSettled(affected.map((id) => scheduler.request(id, 'exemption')));
  return runs.map((r, i) =>
    r.status === 'fulfilled'
      ? {
          sourceId: affected[i],
          assessmentId: r.value.assessmentId,
          secureScore: r.value.secureScore,
          error: null,
        }
      : {
          sourceId: affected[i],
          assessmentId: null,
          secureScore: null,
          error: String(r.reason?.message ?? r.reason),
        },
  );
}

/** Whether assessment `id` has findings of a rule `matchesRule` accepts. */
async function judgesRule(
  db: Kysely<Database>,
  id: string,
  matchesRule: (ruleId: string) => boolean,
): Promise<boolean> {
  const rules = await db
    .selectFrom('findings')
    .select('rule_id')
    .distinct()
    .where('assessment_id', '=', id)
    .execute();
  return rules.some((r) => matchesRule(r.rule_id));
}

/**
 * Derives again, with the store's exemptions, the latest assessment of each target set no source
 * has (a CLI scan's) whose findings `rulePattern` touches: no source can run it again. Each one
 * changed goes on the audit record with the request's actor, in the same transaction.
 */
async function rederive(request: FastifyRequest, rulePattern: string, opts: PostureOptions) {
  const { db, clock } = request.server.palisade;
  const matchesRule = storedRuleMatcher(rulePattern);
  if (!matchesRule) return [];
  const { rules } = await opts.posture.rules();
  const { controls } = await loadCatalog();
  const out = [];
  for (const a of await unsourcedAssessments(db)) {
    if (!(await judgesRule(db, a.id, matchesRule))) continue;
    const done = await db.transaction().execute(async (trx) => {
      const result = await rederiveExemptions(trx, a.id, {
        rulePattern,
        controls,
        rules,
        now: clock.now(),
      });
      if (result.changed > 0) {
        await appendRequestAudit(request, trx, {
          action: 'assessment.rederive',
          outcome: 'success',
          target: { kind: 'assessment', id: a.id },
          details: { rule: rulePattern, changed: result.changed, secureScore: result.secureScore },
        });
      }
      return result;
    });
    out.push({ ...done, targets: a.targets });
  }
  return out;
}

export const exemptionRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app, opts) => {
  const { db, clock } = app.palisade;
  const { scheduler } = opts.posture;

  app.get(
    '/exemptions',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'List exemptions made through the API',
        tags: ['exemptions'],
        querystring: Type.Object({
          ...PageQueryFields,
          sort: SortField(['created_at', 'rule', 'expires'], '-created_at'),
          rule: Type.Optional(
            Type.String({ maxLength: 200, description: 'exemptions whose rule is exactly this' }),
          ),
          appliesTo: Type.Optional(
            Type.String({
              maxLength: 200,
              description:
                'a rule id: the exemptions whose rule (an id or a glob such as aws-s3-*) matches it',
            }),
          ),
          category: Type.Optional(Category),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Page(ExemptionSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, active, appliesTo, ...filters } = request.query;
      let query = applyFilters(exemptionsQuery(db), filters, {
        rule: 'rule',
        category: 'category',
      });
      if (active !== undefined) {
        // Active through the expiry day: expired means expires < today (UTC).
        const today = clock.now().toISOString().slice(0, 10);
        query = active
          ? query.where((eb) => eb.or([eb('expires', 'is', null), eb('expires', '>=', today)]))
          : query.where('expires', '<', today);
      }
      const order = parseSort(sort);
      const page =
        appliesTo === undefined
          ? await paginate(query, { sort: order, idColumn: 'id', cursor, limit })
          : // A glob cannot be matched in SQL: the (few) exemptions are matched here instead.
            paginateArray(
              (await query.execute()).filter((r) => ruleApplies(r.rule, appliesTo)),
              {
                sort: order,
                idOf: (r) => r.id,
                valueOf: (r, column) => r[column as keyof ExemptionRow],
                cursor,
                limit,
              },
            );
      const now = clock.now();
      return {
        items: page.items.map((r) =>
          exemptionView(r, isActive({ expires: r.expires ?? undefined }, now)),
        ),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/exemptions',
    {
      config: { permission: 'exemptions:write' },
      schema: {
        summary: 'Exempt resources from a rule; the affected sources are re-assessed at once',
        tags: ['exemptions'],
        body: CreateExemption,
        response: {
          201: Type.Object({
            exemption: ExemptionSchema,
            reassessed: Reassessed,
            rederived: Rederived,
          }),
        },
      },
    },
    async (request, reply) => {
      const actor = request.principal!;
      // An exemption matches resources of every account; a scoped caller could reach beyond.
      if (actor.scopes.length > 0) {
        throw forbidden(
          'exemptions apply to every account; a caller limited to accounts cannot make them',
        );
      }
      const body = request.body;
      assertSensibleExemption(body, clock.now());
      const row = await auditedChange<ExemptionRow>(
        request,
        (r) => ({
          action: 'exemption.create',
          outcome: 'success',
          target: { kind: 'exemption', id: r.id },
          details: {
            rule: r.rule,
            resource: r.resource,
            category: r.category,
            expires: r.expires,
            justification: r.justification,
          },
        }),
        (trx) =>
          insertExemption(
            trx,
            {
              rule: body.rule,
              resource: body.resource,
              justification: body.justification,
              category: body.category ?? 'waiver',
              expires: body.expires,
              created_by: `${actor.kind}:${actor.name}`,
            },
            clock.now(),
          ),
      );
      const reassessed = await reassess(db, scheduler, row.rule);
      const rederived = await rederive(request, row.rule, opts);
      const active = isActive({ expires: row.expires ?? undefined }, clock.now());
      return reply.code(201).send({ exemption: exemptionView(row, active), reassessed, rederived });
    },
  );

  app.delete(
    '/exemptions/:id',
    {
      config: { permission: 'exemptions:write' },
      schema: {
        summary: 'Delete an exemption; the affected sources are re-assessed at once',
        tags: ['exemptions'],
        params: IdParams,
        response: {
          200: Type.Object({
            exemption: ExemptionSchema,
            reassessed: Reassessed,
            rederived: Rederived,
          }),
        },
      },
    },
    async (request) => {
      if (request.principal!.scopes.length > 0) {
        throw forbidden(
          'exemptions apply to every account; a caller limited to accounts cannot delete them',
        );
      }
      const row = await findExemption(db, request.params.id);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no exemption ${request.params.id}`);
      await auditedChange(
        request,
        {
          action: 'exemption.delete',
          outcome: 'success',
          target: { kind: 'exemption', id: row.id },
          details: { rule: row.rule, resource: row.resource },
        },
        (trx) => deleteExemption(trx, row.id),
      );
      const reassessed = await reassess(db, scheduler, row.rule);
      const rederived = await rederive(request, row.rule, opts);
      const active = isActive({ expires: row.expires ?? undefined }, clock.now());
      return { exemption: exemptionView(row, active), reassessed, rederived };
    },
  );
};
