// The rule levers on the desk: read and edit a ruleset (validated, errors by path), put one in shadow on live traffic
// and read its disagreements, and roll back to the version active before. Every change is audited.
import { z } from 'zod';
import { defineStaffRoute } from './staff.route.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { RulesetsService } from '../ops/rulesets.service.ts';
import { checkRuleset } from '../risk/rules/ruleset.loader.ts';
import { compareRulesetShadow } from '../ops/ruleset-shadow.ts';
import { makeStaffAudit } from './audit.ts';

const versionParams = z.object({ version: z.string().min(1).max(100) });
const validationView = z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});
const shadowView = z.object({
  version: z.string(),
  decisions: z.number(),
  agreed: z.number(),
  disagreed: z.number(),
  disagreements: z.array(z.object({ active: z.string(), shadow: z.string(), decisions: z.number() })),
});

/** "rules.0.action: Invalid option" as a path and a message, so the editor can show each error where it belongs. */
export function validationErrors(candidate: unknown): z.infer<typeof validationView> {
  const check = checkRuleset(candidate);
  if (check.kind === 'ok') return { valid: true, errors: [] };
  return {
    valid: false,
    errors: check.errors.map((error) => {
      const split = error.indexOf(': ');
      return split < 0
        ? { path: '', message: error }
        : { path: error.slice(0, split), message: error.slice(split + 2) };
    }),
  };
}

export function rulesLeverRoutes(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  rulesets: RulesetsService;
}) {
  const { database, rulesets } = dependencies;
  const audit = makeStaffAudit(dependencies);

  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/rulesets/:version',
      summary: 'One ruleset version with its rules (to edit as a new version)',
      tags: ['ops'],
      params: versionParams,
      responses: {
        200: {
          description: 'The ruleset document as stored',
          schema: z.object({ version: z.string(), active: z.boolean(), body: z.record(z.string(), z.unknown()) }),
        },
      },
      handler: async ({ params }) => {
        const row = await rulesets.get(params.version);
        return { status: 200, body: { version: row.version, active: row.active, body: row.body } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/validate',
      summary: 'Check a ruleset against the schema and the feature catalogue without storing it; errors by path',
      tags: ['ops'],
      body: z.object({ ruleset: z.unknown() }),
      responses: { 200: { description: 'Valid, or the errors by path', schema: validationView } },
      handler: async ({ body }) => {
        return { status: 200, body: validationErrors(body.ruleset) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets',
      summary: 'Store an edited ruleset as a new version (lead role; 422 invalid_ruleset with errors by path; audited)',
      tags: ['ops'],
      staffRole: 'lead',
      body: z.object({ ruleset: z.unknown(), note: z.string().trim().max(500).optional() }),
      responses: { 201: { description: 'Stored, not active', schema: z.object({ version: z.string() }) } },
      handler: async ({ staff: member, body }) => {
        const ruleset = await rulesets.create(body.ruleset, { note: body.note ?? `edited by ${member.name}` });
        await audit(member, 'ruleset.create', ruleset.version, null, { rules: ruleset.rules.length, note: body.note });
        return { status: 201, body: { version: ruleset.version } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/:version/shadow',
      summary: 'Evaluate a stored version in shadow beside the active one on live traffic (lead role; audited)',
      tags: ['ops'],
      staffRole: 'lead',
      params: versionParams,
      responses: { 200: { description: 'In shadow', schema: z.object({ shadow: z.string().nullable() }) } },
      handler: async ({ staff: member, params }) => {
        const before = rulesets.shadow()?.version ?? null;
        const shadow = await rulesets.setShadow(params.version);
        await audit(member, 'ruleset.shadow', params.version, { shadow: before }, { shadow: shadow?.version ?? null });
        return { status: 200, body: { shadow: shadow?.version ?? null } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/shadow/stop',
      summary: 'Stop evaluating any ruleset in shadow (lead role; audited)',
      tags: ['ops'],
      staffRole: 'lead',
      responses: { 200: { description: 'No shadow', schema: z.object({ shadow: z.null() }) } },
      handler: async ({ staff: member }) => {
        const before = rulesets.shadow()?.version ?? null;
        await rulesets.setShadow(null);
        await audit(member, 'ruleset.shadow_stop', before ?? 'none', { shadow: before }, { shadow: null });
        return { status: 200, body: { shadow: null } };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/rulesets/:version/shadow',
      summary: "A shadow version's would-be outcomes against the live answers: agreement and disagreements",
      tags: ['ops'],
      params: versionParams,
      responses: { 200: { description: 'Agreement counts', schema: shadowView } },
      handler: async ({ params }) => {
        const body: z.infer<typeof shadowView> = await compareRulesetShadow(database, params.version);
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/rollback',
      summary: 'Go back to the ruleset version active before this one (lead role; audited; 409 when there is none)',
      tags: ['ops'],
      staffRole: 'lead',
      responses: {
        200: { description: 'Active again', schema: z.object({ from: z.string(), active_version: z.string() }) },
      },
      handler: async ({ staff: member }) => {
        const { from, to } = await rulesets.rollback();
        await audit(member, 'ruleset.rollback', to.version, { active: from }, { active: to.version });
        return { status: 200, body: { from, active_version: to.version } };
      },
    }),
  ];
}
