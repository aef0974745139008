/**
 * The demo operator credentials (运营凭证) that deploy/env/common.env gives every service in local
 * mode, compose and the tests. Demo values for a teaching setup only.
 */
export const OPERATOR_TOKENS = {
  admin: 'paylab-demo-admin-token',
  operator: 'paylab-demo-operator-token',
  instructor: 'paylab-demo-instructor-token',
  viewer: 'paylab-demo-viewer-token',
} as const;

export type DemoOperatorRole = keyof typeof OPERATOR_TOKENS;

/** Headers that authenticate a call to an internal or admin endpoint as `role`. */
export function asOperator(role: DemoOperatorRole = 'admin'): Record<string, string> {
  return { authorization: `Bearer ${OPERATOR_TOKENS[role]}` };
}
