// Renders docs/features.md from the catalogue; run with --write to update it, a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { featureCatalogue } from './feature.catalogue.ts';
import { featureFamilies, familyTitles } from './feature.family.ts';

export const featureDocPath = new URL('../../../docs/features.md', import.meta.url);

const precedence = `## How a decision is made

1. **Identity resolution** maps the claim (name, e-mail, phone, date of birth, billing address) to a known
   account: by an on-file e-mail or phone, or by name plus home address or date of birth.
2. **Features** below are computed from one point-in-time snapshot of the online state and the providers.
3. **Rules** (rules/default.json, a zod-validated JSON AST) are all evaluated; every result is stored.
4. **Score**: a transparent sum of points from the ruleset's score items, divided by its scale, in [0, 1]
   (a trained model's probability replaces it when one is wired in).
5. **Policy**, first that applies wins (ask before you refuse: doubt about who is buying is settled by a proof
   whenever a method exists for this person):
   1. a block-list hit on the e-mail, phone, device, address or IP -> declined
   2. a credit rule with action decline (exposure, unpaid invoices; \`credit_*\` reasons) -> declined
   3. any other rule with action decline / review (hard evidence such as confirmed-fraud links and device floods,
      and every rule without a \`family\`, which acts as written) -> declined / review
   4. identity doubt -> step_up: a rule with action step_up, an \`identity\` rule with action decline or review, a
      rule that could not be evaluated, or an unproven first order above the new-customer floor or not delivered to
      the billing address
   5. an allow-list hit (device or IP only: an e-mail or phone is a claim anyone can type) or an allow rule -> approved
   6. score at or above the step-up threshold (the review and decline bands too) -> step_up
   7. a provider unavailable and score at or above its threshold -> step_up
   8. otherwise -> approved; an unproven first order carries delivery requirements (no_redirect, no_pickup_point,
      id_check_on_delivery)

   With no method for this person, step 4, 6 and 7 fall back to the rule's action or the score band (a step-up rule
   to review). A passed proof re-decides and approves unless steps 1-3 apply.
6. **Challenges** for a step-up: a one-time code only to an e-mail or phone that was on file for the resolved
   account and verified *before* this purchase (named by channel id, shown masked), never to what was typed, and
   above the new-customer floor only on an account whose identity was proven or that has paid history; bank
   identification and a verification payment always (the only options for new customers or where a rule says so).
`;

function escape(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function renderFeatureDoc(): string {
  const lines = [
    '# Risk features',
    '',
    '<!-- Generated from src/risk/features by `npx tsx src/risk/features/feature.docs.ts --write`; do not edit. -->',
    '',
    `${featureCatalogue.length} features in ${featureFamilies.length} families. Values are numbers, booleans,`,
    'strings or null (unknown); amounts are in minor units; times are point-in-time (only history before the decision).',
    '',
    precedence,
  ];
  for (const family of featureFamilies) {
    const definitions = featureCatalogue.filter((definition) => definition.family === family);
    lines.push(
      `## ${familyTitles[family]} (\`${family}\`, ${definitions.length})`,
      '',
      '| Feature | Type | Meaning |',
      '| --- | --- | --- |',
    );
    for (const definition of definitions)
      lines.push(`| \`${definition.name}\` | ${definition.type} | ${escape(definition.meaning)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Formatted as the repository's prettier would, so `prettier --check` and the freshness test agree. */
export async function formattedFeatureDoc(): Promise<string> {
  const options = (await resolveConfig(fileURLToPath(featureDocPath))) ?? {};
  return format(renderFeatureDoc(), { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const document = await formattedFeatureDoc();
  if (process.argv.includes('--write')) writeFileSync(featureDocPath, document);
  else process.stdout.write(document);
}
