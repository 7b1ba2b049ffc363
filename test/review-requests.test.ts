// Human review with an SLA: a due time per request, the desk's list with overdue first, the answer shown to the
// consumer, and the overturn rate and overdue count in /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, signedInHeaders } from './protection.helpers.ts';

const hour = 3_600_000;

describe.each(databaseKinds)('review requests with an SLA on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, { REVIEW_REQUEST_SLA_HOURS: '24' });
  });
  afterAll(async () => {
    await app.close();
  });

  async function requestReview(reference: string) {
    const order = await approvedOrder(app, { merchant_reference: reference });
    const headers = await signedInHeaders(app, order.accountId);
    const [decision] = (await app.request('GET', '/v1/me/decisions', { key: null, headers })).json().data;
    const requested = await app.request('POST', '/v1/me/reviews', {
      key: null,
      headers,
      body: { decision_id: decision.id, message: `Please look again at ${reference}` },
    });
    expect(requested.statusCode).toBe(201);
    return {
      accountId: order.accountId,
      decisionId: decision.id as string,
      ...(requested.json() as { case_id: string; answer_due_at: string }),
    };
  }
  const desk = async (query = '') =>
    (await app.request('GET', `/v1/admin/review-requests${query}`, { key: adminKey })).json();
  const metric = async (name: string) => {
    const text = (await app.request('GET', '/metrics', { key: null })).body;
    const line = text.split('\n').find((row) => row.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };
  const resolve = (caseId: string, outcome: 'claim_upheld' | 'rejected') =>
    app.request('POST', `/v1/admin/cases/${caseId}/resolve`, {
      key: adminKey,
      body: { outcome, note: outcome === 'rejected' ? 'The check was right.' : 'It was you; approved.', actor: 'sam' },
    });

  it('gives each request a due time, lists overdue ones first, and reports overdue and overturn rate', async () => {
    const start = app.clock.now();
    const first = await requestReview('review-1');
    expect(first.answer_due_at).toBe(new Date(start + 24 * hour).toISOString());
    expect(await metric('rearguard_review_overturn_rate')).toBeNaN();

    app.clock.advance(2 * hour);
    const second = await requestReview('review-2');
    app.clock.advance(23 * hour);
    const third = await requestReview('review-3');

    // 25 hours after the first: the first is overdue, the second due in an hour, the third tomorrow.
    const listed = await desk();
    expect(Object.keys(listed).sort()).toEqual(['data', 'has_more', 'next_cursor']);
    expect(listed.data.map((item: { case_id: string }) => item.case_id)).toEqual([
      first.case_id,
      second.case_id,
      third.case_id,
    ]);
    expect(listed.data.map((item: { overdue: boolean }) => item.overdue)).toEqual([true, false, false]);
    expect(listed.data[0]).toMatchObject({ status: 'open', message: 'Please look again at review-1', answer: null });
    expect(await metric('rearguard_review_requests_overdue')).toBe(1);
    // Paged with the envelope's cursor, in the same order.
    const firstPage = await desk('?limit=2');
    expect(firstPage.has_more).toBe(true);
    const rest = await desk(`?limit=2&cursor=${firstPage.next_cursor}`);
    expect(rest.data.map((item: { case_id: string }) => item.case_id)).toEqual([third.case_id]);

    app.clock.advance(2 * hour);
    expect(await metric('rearguard_review_requests_overdue')).toBe(2);

    // The desk answers two: one changes the decision, one lets it stand.
    expect((await resolve(first.case_id, 'claim_upheld')).statusCode).toBe(200);
    expect((await resolve(second.case_id, 'rejected')).statusCode).toBe(200);
    expect(await metric('rearguard_review_requests_answered')).toBe(2);
    expect(await metric('rearguard_review_requests_overturned')).toBe(1);
    expect(await metric('rearguard_review_overturn_rate')).toBe(0.5);
    expect(await metric('rearguard_review_requests_overdue')).toBe(0);

    // Answered requests come after the open one, with their answer.
    const after = await desk();
    expect(after.data.map((item: { case_id: string; answer: string | null }) => [item.case_id, item.answer])).toEqual([
      [third.case_id, null],
      [first.case_id, 'decision_changed'],
      [second.case_id, 'decision_stands'],
    ]);
    expect((await desk('?status=open')).data).toHaveLength(1);

    // The consumer sees the answer on their decision, after any sign-in.
    const shownTo = async (request: typeof first) => {
      const headers = await signedInHeaders(app, request.accountId);
      const decisions = (await app.request('GET', '/v1/me/decisions', { key: null, headers })).json().data;
      return decisions.find((decision: { id: string }) => decision.id === request.decisionId).review;
    };
    expect(await shownTo(first)).toMatchObject({
      status: 'resolved',
      answer: 'decision_changed',
      answered_at: expect.any(String),
    });
    expect(await shownTo(second)).toMatchObject({ status: 'resolved', answer: 'decision_stands' });
    expect(await shownTo(third)).toMatchObject({
      status: 'open',
      answer: null,
      answer_due_at: new Date(Date.parse(third.answer_due_at)).toISOString(),
    });
  });

  it('refuses a cursor it did not give out and a key that is not the admin key', async () => {
    const bad = await app.request('GET', '/v1/admin/review-requests?cursor=bm90LWEtY3Vyc29y', { key: adminKey });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_cursor');
    expect((await app.request('GET', '/v1/admin/review-requests')).statusCode).toBe(401);
  });
});
