/**
 * Fake Slack and Microsoft Teams incoming webhooks.
 * Slack (api.slack.com, incoming webhooks and Block Kit reference): POST JSON to
 * /services/T…/B…/secret; `text` as the notification fallback; at most 50 blocks; header text
 * plain_text ≤ 150; section text ≤ 3000; at most 10 fields of ≤ 2000; button text ≤ 75, url ≤
 * 3000, action_id ≤ 255. Answers `ok`, or 400 invalid_payload / 404 no_service / 429.
 * Teams (learn.microsoft.com, "Create and send messages" with Adaptive Cards): POST JSON with
 * `type: "message"` and attachments of contentType application/vnd.microsoft.card.adaptive whose
 * content is an AdaptiveCard with a version, body elements and Action.OpenUrl actions; payload
 * at most 28 KB. Answers 200 `1`.
 */

import { expectJsonContent, jsonBody, startFake, type FakeVendor } from './fake-vendor.js';

export async function startFakeSlack(path: string): Promise<FakeVendor & { messages: any[] }> {
  const messages: any[] = [];
  const fake = await startFake((req, self) => {
    if (req.method !== 'POST') return { status: 405, body: 'invalid_method' };
    if (req.path !== path) return { status: 404, body: 'no_service' };
    expectJsonContent(req, self);
    const body = jsonBody(req, self);
    if (!body) return { status: 400, body: 'invalid_payload' };
    const problems: string[] = [];
    if (typeof body.text !== 'string' || body.text === '') problems.push('no_text fallback');
    const blocks: any[] = body.blocks ?? [];
    if (blocks.length > 50) problems.push('more than 50 blocks');
    for (const block of blocks) {
      if (block.type === 'header') {
        if (block.text?.type !== 'plain_text') problems.push('header text not plain_text');
        if ((block.text?.text ?? '').length > 150) problems.push('header text over 150');
      } else if (block.type === 'section') {
        if (!block.text && !block.fields) problems.push('section without text or fields');
        if (block.text && block.text.text.length > 3000) problems.push('section text over 3000');
        if (block.fields && block.fields.length > 10) problems.push('more than 10 fields');
        for (const field of block.fields ?? []) {
          if (!['mrkdwn', 'plain_text'].includes(field.type)) problems.push('bad field type');
          if (field.text.length > 2000) problems.push('field over 2000');
        }
      } else if (block.type === 'actions') {
        for (const el of block.elements ?? []) {
          if (el.type !== 'button') problems.push(`unknown element ${el.type}`);
          if (el.text?.type !== 'plain_text' || el.text.text.length > 75)
            problems.push('button text');
          if (typeof el.url !== 'string' || el.url.length > 3000) problems.push('button url');
          if (typeof el.action_id !== 'string' || el.action_id.length > 255)
            problems.push('action_id');
        }
      } else if (block.type !== 'context' && block.type !== 'divider') {
        problems.push(`unknown block ${block.type}`);
      }
    }
    if (problems.length > 0) {
      for (const p of problems) self.violation(p);
      return { status: 400, body: 'invalid_blocks' };
    }
    messages.push(body);
    return { status: 200, body: 'ok' };
  });
  return Object.assign(fake, { messages });
}

const CARD_ELEMENTS = new Set(['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image']);

export async function startFakeTeams(path: string): Promise<FakeVendor & { cards: any[] }> {
  const cards: any[] = [];
  const fake = await startFake((req, self) => {
    if (req.method !== 'POST' || req.path !== path) return { status: 404, body: 'Not found' };
    expectJsonContent(req, self);
    if (Buffer.byteLength(req.body) > 28 * 1024) {
      self.violation('payload over 28 KB');
      return { status: 413, body: 'Payload too large' };
    }
    const body = jsonBody(req, self);
    const problems: string[] = [];
    if (body?.type !== 'message') problems.push('type is not message');
    const attachments: any[] = body?.attachments ?? [];
    if (attachments.length === 0) problems.push('no attachments');
    for (const a of attachments) {
      if (a.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('contentType');
      const card = a.content ?? {};
      if (card.type !== 'AdaptiveCard') problems.push('content is not an AdaptiveCard');
      if (typeof card.version !== 'string') problems.push('card version missing');
      for (const el of card.body ?? []) {
        if (!CARD_ELEMENTS.has(el.type)) problems.push(`unknown element ${el.type}`);
        if (el.type === 'TextBlock' && typeof el.text !== 'string') problems.push('TextBlock text');
        if (el.type === 'FactSet') {
          for (const f of el.facts ?? []) {
            if (typeof f.title !== 'string' || typeof f.value !== 'string') problems.push('fact');
          }
        }
      }
      for (const action of card.actions ?? []) {
        if (action.type !== 'Action.OpenUrl' || !/^https?:\/\//.test(action.url))
          problems.push('action');
      }
    }
    if (problems.length > 0) {
      for (const p of problems) self.violation(p);
      return { status: 400, body: 'Bad payload received by generic incoming webhook.' };
    }
    cards.push(attachments[0].content);
    return { status: 200, body: '1' };
  });
  return Object.assign(fake, { cards });
}
