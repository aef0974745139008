import { OPERATOR_TOKENS } from '../../test/e2e/support/operator-credentials';
import { DEMO_OPERATOR_TOKENS, describeDemoOperators } from './demo-operators';
import { composeEnvOf, SERVICE_NAMES } from './env-files';

describe('the demo operator credentials', () => {
  it('are the tokens the tests use', () => {
    expect(DEMO_OPERATOR_TOKENS).toEqual(OPERATOR_TOKENS);
  });

  it.each(SERVICE_NAMES)(
    'are accepted by %s in compose and local mode, each with its role',
    (name) => {
      expect(describeDemoOperators(composeEnvOf(name).OPERATOR_CREDENTIALS)).toEqual([
        '  admin       Authorization: Bearer paylab-demo-admin-token',
        '  operator    Authorization: Bearer paylab-demo-operator-token',
        '  instructor  Authorization: Bearer paylab-demo-instructor-token',
        '  viewer      Authorization: Bearer paylab-demo-viewer-token',
      ]);
    },
  );

  it('prints nothing a service would not accept', () => {
    expect(describeDemoOperators(undefined)).toEqual([]);
  });
});
