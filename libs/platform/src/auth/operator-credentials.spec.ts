import {
  decideAccess,
  hashOperatorToken,
  parseOperatorCredentials,
  resolveOperatorToken,
} from './operator-credentials';

const entry = (name: string, role: string, token: string) =>
  `${name}:${role}:${hashOperatorToken(token)}`;

describe('parseOperatorCredentials', () => {
  it('reads name:role:sha256hex entries, ignoring blanks and spaces', () => {
    const parsed = parseOperatorCredentials(
      ` ${entry('ada', 'admin', 'tok-a')} ,, ${entry('vic', 'viewer', 'tok-v')} `,
    );
    expect(parsed.map(({ name, role }) => ({ name, role }))).toEqual([
      { name: 'ada', role: 'admin' },
      { name: 'vic', role: 'viewer' },
    ]);
    expect(parsed[0].tokenSha256.toString('hex')).toBe(hashOperatorToken('tok-a'));
  });

  it('accepts an empty list (nobody may call guarded routes)', () => {
    expect(parseOperatorCredentials('')).toEqual([]);
  });

  it.each([
    ['a plain token instead of a hash', 'ada:admin:paylab-demo-admin-token', /not name:role/],
    ['a short hash', `ada:admin:${'a'.repeat(63)}`, /not name:role/],
    ['upper-case hex', `ada:admin:${'A'.repeat(64)}`, /not name:role/],
    ['an unknown role', entry('ada', 'root', 'x'), /unknown role "root"/],
    ['a name twice', `${entry('ada', 'admin', 'x')},${entry('ada', 'viewer', 'y')}`, /twice/],
    ['a token twice', `${entry('ada', 'admin', 'x')},${entry('bob', 'viewer', 'x')}`, /same token/],
  ])('refuses %s', (_case, value, message) => {
    expect(() => parseOperatorCredentials(value)).toThrow(message);
  });
});

describe('resolveOperatorToken', () => {
  const credentials = parseOperatorCredentials(
    [entry('ada', 'admin', 'token-ada'), entry('ops', 'operator', 'token-ops')].join(','),
  );

  it('finds the credential a token belongs to', () => {
    expect(resolveOperatorToken(credentials, 'token-ops')?.name).toBe('ops');
    expect(resolveOperatorToken(credentials, 'token-ada')?.role).toBe('admin');
  });

  it.each(['', 'token-op', 'token-opsx', 'TOKEN-OPS', hashOperatorToken('token-ops')])(
    'finds nothing for %j',
    (token) => {
      expect(resolveOperatorToken(credentials, token)).toBeUndefined();
    },
  );
});

describe('decideAccess', () => {
  it('always lets admin in', () => {
    expect(decideAccess('admin', 'POST', undefined)).toEqual({ allowed: true });
    expect(decideAccess('admin', 'DELETE', ['instructor'])).toEqual({ allowed: true });
  });

  it('opens unmarked reads to every person role, but not to services', () => {
    for (const role of ['operator', 'instructor', 'viewer'] as const) {
      expect(decideAccess(role, 'GET', undefined).allowed).toBe(true);
      expect(decideAccess(role, 'HEAD', undefined).allowed).toBe(true);
    }
    expect(decideAccess('service', 'GET', undefined)).toEqual({
      allowed: false,
      allowedRoles: ['admin', 'operator', 'instructor', 'viewer'],
    });
  });

  it('keeps unmarked changes for admin only (a forgotten annotation fails closed)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(decideAccess('operator', method, undefined)).toEqual({
        allowed: false,
        allowedRoles: ['admin'],
      });
    }
  });

  it('lets exactly the listed roles (and admin) through a marked route', () => {
    expect(decideAccess('instructor', 'POST', ['instructor']).allowed).toBe(true);
    expect(decideAccess('operator', 'POST', ['instructor'])).toEqual({
      allowed: false,
      allowedRoles: ['admin', 'instructor'],
    });
    expect(decideAccess('service', 'GET', ['viewer', 'service']).allowed).toBe(true);
    // A marked read is no longer open to every role.
    expect(decideAccess('viewer', 'GET', ['operator']).allowed).toBe(false);
  });
});
