import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../errors/app-error';
import { ALLOWED_ROLES, PUBLIC_ENDPOINT, type OperatorRole } from './operator-access';
import {
  decideAccess,
  resolveOperatorToken,
  type OperatorCredential,
} from './operator-credentials';

export const OPERATOR_CREDENTIALS = Symbol('OPERATOR_CREDENTIALS');

/** What the guard attaches to the request once it has let an operator in (for audit logs). */
export interface OperatorPrincipal {
  name: string;
  role: OperatorRole;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * The one operator guard (运营鉴权) of every PayLab service, registered globally by
 * PlatformModule: `Authorization: Bearer <token>` resolved against the service's configured
 * OPERATOR_CREDENTIALS, then the route's `@PublicEndpoint()` / `@OperatorRoles()` rules.
 * A merchant's HMAC signature is not a bearer token, so it never opens an operator route.
 */
@Injectable()
export class OperatorAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(OPERATOR_CREDENTIALS) private readonly credentials: readonly OperatorCredential[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true; // Kafka handlers authenticate by topic ACLs.
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ENDPOINT, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { operator?: OperatorPrincipal }>();
    const header = request.header('authorization');
    if (header === undefined || header.trim() === '') {
      throw new AppError(
        'authentication_error',
        'AUTH.OPERATOR_CREDENTIAL_REQUIRED',
        'This is an internal endpoint: send Authorization: Bearer <operator token>.',
      );
    }
    const match = BEARER.exec(header.trim());
    const credential = match ? resolveOperatorToken(this.credentials, match[1]) : undefined;
    if (!credential) {
      throw new AppError(
        'authentication_error',
        'AUTH.OPERATOR_CREDENTIAL_INVALID',
        'The operator credential is not valid for this service.',
      );
    }
    const listed = this.reflector.getAllAndOverride<OperatorRole[] | undefined>(
      ALLOWED_ROLES,
      targets,
    );
    const decision = decideAccess(credential.role, request.method, listed);
    if (!decision.allowed) {
      throw new AppError(
        'permission_error',
        'AUTH.ROLE_NOT_ALLOWED',
        `Role ${credential.role} may not do this; allowed: ${decision.allowedRoles.join(', ')}.`,
      );
    }
    request.operator = { name: credential.name, role: credential.role };
    return true;
  }
}
