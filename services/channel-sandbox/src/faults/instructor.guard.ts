import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppError } from '@paylab/platform';
import type { Request } from 'express';

export const INSTRUCTOR_TOKEN = Symbol('INSTRUCTOR_TOKEN');

/**
 * The instructor API is behind its own credential (DESIGN §5): `Authorization: Bearer <token>`
 * with the INSTRUCTOR_TOKEN the sandbox was started with. Compared as SHA-256 digests in
 * constant time, so neither the length nor a prefix of the token leaks through timing.
 */
@Injectable()
export class InstructorGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(INSTRUCTOR_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new AppError(
        'authentication_error',
        'AUTH.INVALID_INSTRUCTOR_TOKEN',
        'Send Authorization: Bearer <INSTRUCTOR_TOKEN> to use the instructor API.',
      );
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
