import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { OperatorPrincipal } from './operator-access.guard';

/**
 * The operator the guard let in (name and role), for audit trails: who ran the end of day, who
 * changed a merchant's terms. Undefined only on a public endpoint.
 */
export const CurrentOperator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OperatorPrincipal | undefined =>
    context.switchToHttp().getRequest<Request & { operator?: OperatorPrincipal }>().operator,
);
