/**
 * Fake ServiceNow and Jira Cloud APIs.
 * ServiceNow Table API (docs.servicenow.com, REST Table API): GET /api/now/table/incident with
 * sysparm_query / sysparm_fields / sysparm_limit, POST /api/now/table/incident (201, `result`),
 * PATCH /api/now/table/incident/{sys_id} (200, `result`); Basic auth; Accept and Content-Type
 * application/json; incident state 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed,
 * 8 Canceled; the Resolved state requires close_code and close_notes (data policy: 403).
 * Jira Cloud REST v3 (developer.atlassian.com): POST /rest/api/3/issue (201 {id,key,self}) with
 * fields.project.key, fields.issuetype, fields.summary (one line, ≤ 255), description in Atlassian
 * Document Format; GET /rest/api/3/search/jql; GET/POST /rest/api/3/issue/{key}/transitions (204);
 * POST /rest/api/3/issue/{key}/comment (201) with an ADF body; Basic auth email:api-token.
 */

import { randomBytes } from 'node:crypto';
import {
  expectJsonContent,
  jsonBody,
  startFake,
  type FakeVendor,
  type Received,
} from './fake-vendor.js';

const INCIDENT_FIELDS = new Set([
  'short_description',
  'description',
  'urgency',
  'impact',
  'correlation_id',
  'correlation_display',
  'category',
  'assignment_group',
  'state',
  'work_notes',
  'close_code',
  'close_notes',
  'caller_id',
]);

export interface FakeServiceNow extends FakeVendor {
  incidents: Map<string, Record<string, string>>;
}

function basicAuth(req: Received, user: string, secret: string): boolean {
  return (
    req.headers.authorization === `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`
  );
}

export async function startFakeServiceNow(user: string, password: string): Promise<FakeServiceNow> {
  const incidents = new Map<string, Record<string, string>>();
  let number = 10000;
  const fake = (await startFake((req, self) => {
    if (!basicAuth(req, user, password)) {
      return {
        status: 401,
        body: {
          error: {
            message: 'User Not Authenticated',
            detail: 'Required to provide Auth information',
          },
          status: 'failure',
        },
      };
    }
    if (!/application\/json/.test(req.headers.accept ?? ''))
      self.violation(`${req.method} ${req.path}: Accept is not JSON`);
    const match = /^\/api\/now\/table\/incident(?:\/([0-9a-f]{32}))?$/.exec(req.path);
    if (!match)
      return { status: 400, body: { error: { message: 'Invalid table' }, status: 'failure' } };
    const sysId = match[1];
    if (req.method === 'GET' && !sysId) {
      const query = req.query.get('sysparm_query') ?? '';
      const found = /^correlation_id=(.+)$/.exec(query);
      if (!found) self.violation(`unexpected sysparm_query ${query}`);
      const limit = Number(req.query.get('sysparm_limit') ?? '10000');
      const rows = [...incidents.values()]
        .filter((i) => i.correlation_id === found?.[1])
        .slice(0, limit);
      return { status: 200, body: { result: rows } };
    }
    expectJsonContent(req, self);
    const body = jsonBody(req, self) ?? {};
    for (const key of Object.keys(body)) {
      if (!INCIDENT_FIELDS.has(key)) self.violation(`unknown incident field ${key}`);
    }
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string')
        self.violation(`${key} is not a string (Table API fields are strings)`);
    }
    if (req.method === 'POST' && !sysId) {
      if (!body.short_description) self.violation('short_description missing');
      if ((body.short_description ?? '').length > 160) self.violation('short_description over 160');
      const id = randomBytes(16).toString('hex');
      const row = { ...body, sys_id: id, number: `INC00${++number}`, state: body.state ?? '1' };
      incidents.set(id, row);
      return { status: 201, body: { result: row } };
    }
    if (req.method === 'PATCH' && sysId) {
      const row = incidents.get(sysId);
      if (!row)
        return { status: 404, body: { error: { message: 'No Record found' }, status: 'failure' } };
      if (body.state && !['1', '2', '3', '6', '7', '8'].includes(body.state))
        self.violation(`bad state ${body.state}`);
      if (body.state === '6' && (!body.close_code || !body.close_notes)) {
        return {
          status: 403,
          body: {
            error: {
              message: 'Operation Failed',
              detail: 'Data Policy Exception: Resolution code, Resolution notes are mandatory',
            },
            status: 'failure',
          },
        };
      }
      const notes = [row.work_notes, body.work_notes].filter(Boolean).join('\n');
      Object.assign(row, body, notes ? { work_notes: notes } : {});
      return { status: 200, body: { result: row } };
    }
    return { status: 405, body: { error: { message: 'Method not Supported' }, status: 'failure' } };
  })) as FakeServiceNow;
  fake.incidents = incidents;
  return fake;
}

/** An issue in the fake Jira. */
export interface FakeIssue {
  id: string;
  key: string;
  fields: Record<string, any>;
  status: string;
  comments: any[];
}

export interface FakeJira extends FakeVendor {
  issues: Map<string, FakeIssue>;
}

/** Jira's default workflow: transitions available from each status. */
const WORKFLOW: Record<string, { id: string; name: string; to: string }[]> = {
  'To Do': [
    { id: '21', name: 'In Progress', to: 'In Progress' },
    { id: '31', name: 'Done', to: 'Done' },
  ],
  'In Progress': [
    { id: '11', name: 'To Do', to: 'To Do' },
    { id: '31', name: 'Done', to: 'Done' },
  ],
  Done: [
    { id: '11', name: 'To Do', to: 'To Do' },
    { id: '21', name: 'In Progress', to: 'In Progress' },
  ],
};

const ADF_NODES = new Set([
  'doc',
  'paragraph',
  'text',
  'bulletList',
  'orderedList',
  'listItem',
  'heading',
  'codeBlock',
  'hardBreak',
  'rule',
]);
const ADF_MARKS = new Set(['strong', 'em', 'code', 'link', 'underline', 'strike']);

/** Problems of an ADF document, by the ADF structure rules Jira enforces. */
export function adfProblems(doc: any): string[] {
  const problems: string[] = [];
  if (doc?.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) {
    return ['not an ADF doc (type doc, version 1, content array)'];
  }
  const visit = (node: any, parent: string): void => {
    if (!ADF_NODES.has(node.type)) problems.push(`unknown node ${node.type}`);
    if (node.type === 'text') {
      if (typeof node.text !== 'string' || node.text === '') problems.push('empty text node');
      for (const mark of node.marks ?? []) {
        if (!ADF_MARKS.has(mark.type)) problems.push(`unknown mark ${mark.type}`);
        if (mark.type === 'link' && !/^https?:\/\//.test(mark.attrs?.href ?? ''))
          problems.push('link without href');
      }
      if (parent === 'doc') problems.push('text directly under doc');
      return;
    }
    if (node.type === 'listItem' && parent !== 'bulletList' && parent !== 'orderedList')
      problems.push('listItem outside a list');
    for (const child of node.content ?? []) visit(child, node.type);
  };
  for (const child of doc.content) visit(child, 'doc');
  return problems;
}

export async function startFakeJira(
  email: string,
  token: string,
  project: string,
): Promise<FakeJira> {
  const issues = new Map<string, FakeIssue>();
  let next = 10000;
  const fake = (await startFake((req, self) => {
    if (!basicAuth(req, email, token)) {
      return {
        status: 401,
        body: {
          errorMessages: [
            'You are not authenticated. Authentication required to perform this operation.',
          ],
          errors: {},
        },
      };
    }
    if (req.method === 'GET' && req.path === '/rest/api/3/search/jql') {
      const jql = req.query.get('jql') ?? '';
      const m = /^project = "([A-Z][A-Z0-9_]+)" AND labels = "([^"]+)"$/.exec(jql);
      if (!m)
        return {
          status: 400,
          body: { errorMessages: [`Error in the JQL Query: ${jql}`], errors: {} },
        };
      const found = [...issues.values()].filter(
        (i) => i.key.startsWith(`${m[1]}-`) && i.fields.labels.includes(m[2]),
      );
      return {
        status: 200,
        body: {
          issues: found.map((i) => ({
            id: i.id,
            key: i.key,
            fields: { status: { name: i.status } },
          })),
          isLast: true,
        },
      };
    }
    if (req.method === 'POST' && req.path === '/rest/api/3/issue') {
      expectJsonContent(req, self);
      const fields = jsonBody(req, self)?.fields ?? {};
      const errors: Record<string, string> = {};
      if (fields.project?.key !== project) errors.project = 'valid project is required';
      if (!fields.issuetype?.name && !fields.issuetype?.id)
        errors.issuetype = 'Specify an issue type';
      if (typeof fields.summary !== 'string' || fields.summary === '')
        errors.summary = 'You must specify a summary of the issue.';
      else if (fields.summary.length > 255)
        errors.summary = 'Summary must be less than 255 characters.';
      else if (/[\r\n]/.test(fields.summary))
        errors.summary = 'The summary is invalid because it contains newline characters.';
      const problems = adfProblems(fields.description);
      if (problems.length > 0)
        errors.description = `Operation value must be an Atlassian Document: ${problems.join('; ')}`;
      for (const label of fields.labels ?? [])
        if (/\s/.test(label)) errors.labels = 'Labels cannot contain spaces';
      if (Object.keys(errors).length > 0) {
        self.violation(JSON.stringify(errors));
        return { status: 400, body: { errorMessages: [], errors } };
      }
      const id = `${++next}`;
      const key = `${project}-${issues.size + 1}`;
      issues.set(key, { id, key, fields, status: 'To Do', comments: [] });
      return { status: 201, body: { id, key, self: `${fake.url}/rest/api/3/issue/${id}` } };
    }
    const m = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]+-\d+)\/(transitions|comment)$/.exec(
      req.path,
    );
    const issue = m ? issues.get(m[1]) : undefined;
    if (!m || !issue)
      return {
        status: 404,
        body: {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
          errors: {},
        },
      };
    if (m[2] === 'transitions' && req.method === 'GET') {
      return {
        status: 200,
        body: {
          transitions: WORKFLOW[issue.status].map((t) => ({
            id: t.id,
            name: t.name,
            to: { name: t.to },
          })),
        },
      };
    }
    expectJsonContent(req, self);
    const body = jsonBody(req, self) ?? {};
    if (m[2] === 'transitions' && req.method === 'POST') {
      const t = WORKFLOW[issue.status].find((x) => x.id === body.transition?.id);
      if (!t) {
        self.violation(`transition ${body.transition?.id} not available from ${issue.status}`);
        return {
          status: 400,
          body: {
            errorMessages: [`Transition id '${body.transition?.id}' is not valid for this issue.`],
            errors: {},
          },
        };
      }
      issue.status = t.to;
      return { status: 204 };
    }
    if (m[2] === 'comment' && req.method === 'POST') {
      const problems = adfProblems(body.body);
      if (problems.length > 0) {
        self.violation(`comment: ${problems.join('; ')}`);
        return {
          status: 400,
          body: { errorMessages: [], errors: { comment: 'Comment body is not valid ADF' } },
        };
      }
      issue.comments.push(body.body);
      return { status: 201, body: { id: `${issue.comments.length}` } };
    }
    return { status: 405, body: { errorMessages: ['Method not allowed'], errors: {} } };
  })) as FakeJira;
  fake.issues = issues;
  return fake;
}
