import {
  parseOperatorCredentials,
  resolveOperatorToken,
  type OperatorRole,
} from '@paylab/platform';

/**
 * The demo operator tokens (运营凭证) whose SHA-256 deploy/env/common.env configures for local
 * mode and compose (the tests use the same four, test/e2e/support/operator-credentials.ts).
 * Teaching values: anyone who reads this repository knows them.
 */
export const DEMO_OPERATOR_TOKENS: Readonly<Record<Exclude<OperatorRole, 'service'>, string>> = {
  admin: 'paylab-demo-admin-token',
  operator: 'paylab-demo-operator-token',
  instructor: 'paylab-demo-instructor-token',
  viewer: 'paylab-demo-viewer-token',
};

/**
 * One line per demo token that `operatorCredentials` (an OPERATOR_CREDENTIALS value) really
 * accepts, with the role it grants there: what `npm run local:up` prints, checked rather than
 * assumed, so a changed env file cannot make it advertise a token that no longer works.
 */
export function describeDemoOperators(operatorCredentials: string | undefined): string[] {
  const credentials = parseOperatorCredentials(operatorCredentials ?? '');
  const lines: string[] = [];
  for (const token of Object.values(DEMO_OPERATOR_TOKENS)) {
    const credential = resolveOperatorToken(credentials, token);
    if (credential) lines.push(`  ${credential.role.padEnd(11)} Authorization: Bearer ${token}`);
  }
  return lines;
}
